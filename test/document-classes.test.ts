import { describe, expect, it } from 'vitest';
import { extractDocument } from '../shared/domain/document/index.ts';

// Inputs written for these tests, one class of miss each (issue 14); none is taken from the corpus.

describe('class: header columns interleaved or separated by "|" lines', () => {
  it('reads two columns flattened into "|" rows: issuer, number, place and date, the subject under them', () => {
    // Prepare: a district plan whose header table came through as "|" rows; no kind line, no issuer's second line
    const text = [
      'Trang chủ » Văn bản',
      'ỦY BAN NHÂN DÂN | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |',
      'Số: 77/KH-UBND | Tánh Linh, ngày 03 tháng 02 năm 2023 |',
      'TỔ CHỨC PHONG TRÀO THI ĐUA XÂY DỰNG KHU DÂN CƯ KIỂU MẪU',
      'CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN TÁNH LINH',
      'Căn cứ Kế hoạch số 12/KH-UBND ngày 10/01/2023 của Ủy ban nhân dân tỉnh;',
    ].join('\n');

    // Act
    const doc = extractDocument(text);

    // Assess
    expect(doc.number).toBe('77/KH-UBND');
    expect(doc.place).toBe('Tánh Linh');
    expect(doc.issuedOn).toBe('2023-02-03');
    expect(doc.kind).toBe('kế hoạch');
    expect(doc.issuer).toBe('Ủy ban nhân dân huyện Tánh Linh');
    expect(doc.subject).toBe('TỔ CHỨC PHONG TRÀO THI ĐUA XÂY DỰNG KHU DÂN CƯ KIỂU MẪU');
  });

  it('reads each column of an interleaved header (the issuer beside the motto, "|" lines between the cells)', () => {
    // Prepare: the left column's lines alternate with the right column's, split by lone "|" lines
    const text = [
      'Đang tải văn bản...',
      'ỦY BAN NHÂN DÂN',
      'HUYỆN ĐỨC LINH',
      '-------',
      '|',
      'CỘNG HÒA XÃ HỘI',
      'CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      '---------------',
      '|',
      'Số:',
      '15/CT-UBND',
      '|',
      'Đức Linh, ngày 08',
      'tháng 3 năm 2024',
      '|',
      'CHỈ THỊ',
      'VỀ VIỆC ĐẨY MẠNH PHONG TRÀO THI ĐUA',
      'TRÊN ĐỊA BÀN HUYỆN ĐỨC LINH',
      'Thời gian qua, phong trào thi đua trên địa bàn huyện đạt nhiều kết quả.',
    ].join('\n');

    // Act
    const doc = extractDocument(text);

    // Assess
    expect(doc.issuer).toBe('Ủy ban nhân dân huyện Đức Linh');
    expect(doc.number).toBe('15/CT-UBND');
    expect(doc.place).toBe('Đức Linh');
    expect(doc.issuedOn).toBe('2024-03-08');
    expect(doc.kind).toBe('chỉ thị');
    expect(doc.subject).toBe('VỀ VIỆC ĐẨY MẠNH PHONG TRÀO THI ĐUA TRÊN ĐỊA BÀN HUYỆN ĐỨC LINH');
  });

  it('reads a two-column header printed side by side with wide gaps, a department under its parent body', () => {
    // Prepare: site boilerplate above; the left column (parent body, department) beside the motto
    const text = [
      'Ngày đăng: 08:15 12/05/2022',
      '   UBND TỈNH BÌNH THUẬN          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      '     SỞ NỘI VỤ                        Độc lập - Tự do - Hạnh phúc',
      '  Số: 301/HD-SNV                          Phan Thiết, ngày 12 tháng 5 năm 2022',
      '',
      'HƯỚNG DẪN',
      'Tổ chức phong trào thi đua yêu nước',
      ' năm 2022',
      'Thực hiện Kế hoạch số 20/KH-UBND ngày 05/01/2022 của Ủy ban nhân dân tỉnh,',
    ].join('\n');

    // Act
    const doc = extractDocument(text);

    // Assess
    expect(doc.issuer).toBe('Sở Nội vụ tỉnh Bình Thuận');
    expect(doc.number).toBe('301/HD-SNV');
    expect(doc.place).toBe('Phan Thiết');
    expect(doc.issuedOn).toBe('2022-05-12');
    expect(doc.kind).toBe('hướng dẫn');
    expect(doc.subject).toBe('Tổ chức phong trào thi đua yêu nước năm 2022');
  });

  it('reads a header flattened into one paragraph', () => {
    // Prepare: the whole header on one line, as some web pages give it
    const text =
      'ỦY BAN NHÂN DÂN TỈNH BÌNH THUẬN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập Tự do Hạnh phúc Số: 12/2023/QĐ-UBND Phan Thiết, ngày 20 tháng 4 năm 2023 QUYẾT ĐỊNH BAN HÀNH QUY CHẾ THI ĐUA, KHEN THƯỞNG ỦY BAN NHÂN DÂN TỈNH BÌNH THUẬN Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;';

    // Act
    const doc = extractDocument(text);

    // Assess
    expect(doc.issuer).toBe('Ủy ban nhân dân tỉnh Bình Thuận');
    expect(doc.number).toBe('12/2023/QĐ-UBND');
    expect(doc.place).toBe('Phan Thiết');
    expect(doc.issuedOn).toBe('2023-04-20');
    expect(doc.kind).toBe('quyết định');
    expect(doc.subject).toBe('BAN HÀNH QUY CHẾ THI ĐUA, KHEN THƯỞNG');
  });
});

describe('class: dates and numbers broken by spaces or line ends inside them', () => {
  it('reads a header date whose day and year a stray space broke in two, over a line end', () => {
    // Prepare
    const text = ['ỦY BAN NHÂN DÂN', 'TỈNH BÌNH THUẬN', 'Số: 42/KH-UBND', 'Phan Thiết, ngày 1 5 tháng', '6 năm 20 23', 'KẾ HOẠCH', 'THI ĐUA NĂM 2023', 'Thực hiện ...'].join('\n');

    // Act
    const doc = extractDocument(text);

    // Assess
    expect(doc.issuedOn).toBe('2023-06-15');
    expect(doc.place).toBe('Phan Thiết');
  });

  it('reads reference dates broken by spaces, line ends and OCR letters for digits ("2O22", "0l")', () => {
    // Prepare
    const text = [
      'Căn cứ Thông tư số 10/2022/TT-BLĐTBXH ngày 31/5/2O22 của Bộ Lao động - Thương binh và Xã hội;',
      'Căn cứ Quyết định số 34/QĐ-UBND ngày 12/0l/2022 của Ủy ban nhân dân tỉnh;',
      'Căn cứ Nghị định số 27/2022/NĐ-CP ngày 19 / 4 / 2022 của Chính phủ;',
      'Thực hiện Kế hoạch số 1700/QĐ-UBND ngày 18',
      'tháng 10 năm 20 22 của UBND tỉnh;',
    ].join('\n');

    // Act
    const refs = extractDocument(text).references.map((r) => [r.number, r.date]);

    // Assess
    expect(refs).toEqual([
      ['10/2022/TT-BLĐTBXH', '2022-05-31'],
      ['34/QĐ-UBND', '2022-01-12'],
      ['27/2022/NĐ-CP', '2022-04-19'],
      ['1700/QĐ-UBND', '2022-10-18'],
    ]);
  });
});

describe('class: references of every family, with and without "ngày"', () => {
  it('reads party, Prime Minister, ministry and local numbers, spaced or run together, each once with its date', () => {
    // Prepare
    const text = [
      'HUYỆN ỦY HÀM TÂN',
      'Số 12-KH/HU',
      'Hàm Tân, ngày 02 tháng 3 năm 2023',
      'KẾ HOẠCH',
      'THỰC HIỆN KẾT LUẬN SỐ 43-KL/TW',
      'Căn cứ Kết luận số 43-KL/TW, ngày 07/01/2019 của Ban Bí thư và Kế hoạch số 158-KH/TU 09/9/2019 của Tỉnh ủy;',
      'Căn cứ Nghị quyết 13-NQ/TƯ của Tỉnh ủy (khóa XIV);',
      'Căn cứ Quyết định số 263/QĐ-TTg ngày 22 tháng 2 năm 2022 của Thủ tướng Chính phủ;',
      'Căn cứ Thông tư số 10/2022/TT-BLĐTBXH ngày 31/5/2022 và Thông tư số 23/2012/TT - BCA ngày 27/4/2012;',
      'Căn cứ Nghị định số 65/2014/NĐ- CP ngày 01/7/2014 và Nghị định số 09/2019/NĐCP ngày 24 tháng 01 năm 2019;',
      'Căn cứ Công văn số 32/ UBND-VHTT ngày 07/01/2021 của UBND huyện; Kế hoạch này thay Kế hoạch số 12 - KH/HU cũ.',
    ].join('\n');

    // Act
    const doc = extractDocument(text);

    // Assess: the document's own number, however spaced, is not a reference
    expect(doc.number).toBe('12-KH/HU');
    expect(doc.references.map((r) => [r.number, r.date])).toEqual([
      ['43-KL/TW', '2019-01-07'],
      ['158-KH/TU', '2019-09-09'],
      ['13-NQ/TƯ', null],
      ['263/QĐ-TTg', '2022-02-22'],
      ['10/2022/TT-BLĐTBXH', '2022-05-31'],
      ['23/2012/TT - BCA', '2012-04-27'],
      ['65/2014/NĐ- CP', '2014-07-01'],
      ['09/2019/NĐCP', '2019-01-24'],
      ['32/ UBND-VHTT', '2021-01-07'],
    ]);
  });
});

describe('class: the kind of a letter without a kind line, and its recipients', () => {
  it('reads a công văn from "V/v" and "Kính gửi:" (recipients over several lines), its subject without "V/v"', () => {
    // Prepare
    const text = [
      'SỞ NỘI VỤ TỈNH BÌNH THUẬN        CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Số: 512/SNV-TĐKT                 Phan Thiết, ngày 04 tháng 8 năm 2023',
      '“V/v hướng dẫn tổng kết công tác thi đua',
      ' năm 2023”',
      '      Kính gửi:     Ủy ban nhân dân các huyện, thị xã, thành phố;',
      '                    Các sở, ban, ngành tỉnh,',
      '                    các hội đặc thù',
      '',
      'Thực hiện Kế hoạch số 20/KH-UBND ngày 05/01/2023 của Ủy ban nhân dân tỉnh, Sở Nội vụ hướng dẫn như sau:',
    ].join('\n');

    // Act
    const doc = extractDocument(text);

    // Assess
    expect(doc.kind).toBe('công văn');
    expect(doc.subject).toBe('hướng dẫn tổng kết công tác thi đua năm 2023');
    expect(doc.recipients).toEqual(['Ủy ban nhân dân các huyện, thị xã, thành phố', 'Các sở, ban, ngành tỉnh', 'các hội đặc thù']);
  });

  it('keeps the kind its symbol names (TB) though the letter has V/v and Kính gửi; reads "Kính gửi: - … ; - …" on one line', () => {
    // Prepare: a flattened page
    const text =
      'HỘI CỰU CHIẾN BINH TỈNH BÌNH THUẬN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Số: 45/TB-HCCB Phan Thiết, ngày 10 tháng 9 năm 2023 V/v báo cáo tổng kết phong trào thi đua năm 2023 Kính gửi: - Hội Cựu chiến binh các huyện, thành phố; - Các chi hội trực thuộc; Căn cứ Kế hoạch số 7/KH-HCCB ngày 02/01/2023, Hội đề nghị:';

    // Act
    const doc = extractDocument(text);

    // Assess
    expect(doc.kind).toBe('thông báo');
    expect(doc.subject).toBe('báo cáo tổng kết phong trào thi đua năm 2023');
    expect(doc.recipients).toEqual(['Hội Cựu chiến binh các huyện, thành phố', 'Các chi hội trực thuộc']);
  });

  it('takes the executors of a quyết định from its last article when it has no Kính gửi', () => {
    // Prepare
    const text = [
      'ỦY BAN NHÂN DÂN TỈNH BÌNH THUẬN',
      'Số: 9/QĐ-UBND',
      'Phan Thiết, ngày 05 tháng 01 năm 2024',
      'QUYẾT ĐỊNH',
      'VỀ VIỆC KHEN THƯỞNG',
      'Điều 1. Tặng Bằng khen cho 5 tập thể.',
      'Điều 2. Chánh Văn phòng Ủy ban nhân dân tỉnh; Giám đốc Sở Nội vụ; Chủ tịch Ủy ban nhân dân các huyện, thị xã và các tập thể có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này./.',
    ].join('\n');

    // Act
    const doc = extractDocument(text);

    // Assess
    expect(doc.recipients).toEqual(['Chánh Văn phòng Ủy ban nhân dân tỉnh', 'Giám đốc Sở Nội vụ', 'Chủ tịch Ủy ban nhân dân các huyện, thị xã', 'các tập thể có tên tại Điều 1']);
  });
});

describe('class: monthly reporting, and the body reports go to ("gửi về", "qua")', () => {
  const duty = (sentence: string) => extractDocument(`KẾ HOẠCH\nTHI ĐUA NĂM 2024\n-----\n1. Triển khai kế hoạch.\n2. ${sentence}\n`).reporting;

  it('reads "trước ngày 20 hằng tháng" and the body after "gửi về"', () => {
    expect(duty('Các xã báo cáo kết quả thực hiện, gửi về Phòng Nội vụ huyện trước ngày 20 hằng tháng.')).toEqual({ cadences: ['monthly'], to: 'Phòng Nội vụ huyện' });
  });

  it('reads "hằng tháng" and "hằng quý" without "định kỳ", and the body after "qua"', () => {
    expect(duty('Hằng tháng, các đơn vị báo cáo kết quả qua Ban Thi đua - Khen thưởng tỉnh để tổng hợp.')).toEqual({ cadences: ['monthly'], to: 'Ban Thi đua - Khen thưởng tỉnh' });
    expect(duty('Hằng quý, các cơ quan gửi báo cáo về Sở Nội vụ.')).toEqual({ cadences: ['quarterly'], to: 'Sở Nội vụ' });
  });

  it('reads "định kỳ hằng tháng" with the report sent "về" a body named after it, and an OCR "hang narn"', () => {
    expect(duty('Định kỳ hằng tháng, Ủy ban nhân dân các xã gửi báo cáo về Văn phòng HĐND và UBND huyện trước ngày 25.')).toEqual({ cadences: ['monthly'], to: 'Văn phòng HĐND và UBND huyện' });
    expect(duty('Kiem tra, giam sat phai duoc thuc hien dinh ky 6 thang, hang narn.')).toEqual({ cadences: ['half-year', 'year'], to: null });
  });

  it('reads a yearly tổng kết report; a one-off report or a review of several years sets no cadence', () => {
    expect(duty('Các trường báo cáo tổng kết công tác thi đua năm học 2023-2024.')).toEqual({ cadences: ['year'], to: null });
    expect(duty('Đề nghị các đơn vị báo cáo sơ kết 03 năm thực hiện Chương trình.')).toBeNull();
  });
});

describe('class: signer from an OCR’d scan, and numbered tasks in OCR text', () => {
  const body = 'KE HOACH\nTHI DUA NAM 2024\n-----\n1. Trien khai ke hoach.\n2. Bao cao ket qua.\n';

  it('reads title and name without diacritics: "KT." over two lines, "T/M", a "CHÁNH VĂN PHÒNG" split in two', () => {
    const kt = extractDocument(`${body}Noi nhan:\n- Nhu tren;\n- Luu VT.\nKT. CHU TICH\nPHO CHU TICH\n(da ky)\nNguyen Van Hai\n`);
    expect(kt.signer).toEqual({ name: 'Nguyen Van Hai', title: 'KT. Chủ tịch Phó Chủ tịch' });
    const tm = extractDocument(`${body}Noi nhan:\n- Luu VT.\nT/M BAN THUONG VU\nPHO BI THU\nTran Van Binh\n`);
    expect(tm.signer).toEqual({ name: 'Tran Van Binh', title: 'T/M Ban Thường vụ Phó Bí thư' });
    const split = extractDocument(`${body}Noi nhan:\n- Luu VT.\nCHANH VAN\nPHONG\nLe Thi Hoa\n`);
    expect(split.signer).toEqual({ name: 'Le Thi Hoa', title: 'Chánh Văn phòng' });
  });

  it('invents no signer where the text stops before the signature (a heading in capitals is no title)', () => {
    const cut = extractDocument('KẾ HOẠCH\nTHI ĐUA NĂM 2024\n-----\n1. Triển khai kế hoạch.\nII. TỔ CHỨC THỰC HIỆN\nCÁC NHIỆM VỤ TRỌNG TÂM\n');
    expect(cut.signer).toEqual({ name: null, title: null });
  });

  it('takes the name from a "Người ký:" line of the page when no signature is printed', () => {
    const doc = extractDocument('Số hiệu: 20/HD-SNV Loại văn bản: Hướng dẫn\nNơi ban hành: Thành phố Đà Nẵng Người ký: Lê Văn Bình\nHƯỚNG DẪN\nKHEN THƯỞNG\nCăn cứ …');
    expect(doc.signer).toEqual({ name: 'Lê Văn Bình', title: null });
  });

  it('reads numbered tasks whose labels OCR misread ("Il.", "l.") and the articles of a quyết định, inline or not', () => {
    const ocr = extractDocument('KE HOACH\nTHI DUA\n-----\nI. MUC DICH\nNang cao nhan thuc.\nIl. NHIEM VU\nl. Tuyen truyen sau rong.\n2. To chuc ky ket giao uoc.\n3. Bao cao ket qua.\n');
    expect(ocr.items.map((i) => i.label)).toEqual(['1', '2', '3']);
    const decision = extractDocument(
      'QUYẾT ĐỊNH\nBAN HÀNH QUY CHẾ\nỦY BAN NHÂN DÂN TỈNH\nCăn cứ Luật Thi đua, khen thưởng; QUYẾT ĐỊNH: Điều 1. Ban hành kèm theo Quyết định này Quy chế thi đua. Điều 2. Quyết định này có hiệu lực kể từ ngày ký. Điều 3. Chánh Văn phòng chịu trách nhiệm thi hành Quyết định này.',
    );
    expect(decision.items.map((i) => i.label)).toEqual(['1', '2', '3']);
    const sections = extractDocument('KẾT LUẬN\nVỀ HẠ TẦNG\n-----\nI. ĐÁNH GIÁ TÌNH HÌNH\nSau 10 năm thực hiện Nghị quyết.\nII. NHIỆM VỤ\nTiếp tục đầu tư.');
    expect(sections.items.map((i) => i.label)).toEqual(['I', 'II']);
  });
});

describe('class: header columns flattened into "|" rows that lost the title', () => {
  it('takes the subject from the sentence in which the issuer "ban hành" the document, not from a cited one', () => {
    // Prepare: no kind line, no title; a cited decision also "ban hành" a plan
    const text = [
      'UY BAN NHAN DAN | CONG HOA XA HOI CHU NGHIA VIET NAM |',
      'S6: 88/KH-UBND | Tanh Linh, ngay 02 thang 7 nam 2023 |',
      'Can cu Quyet dinh so 12/QD-UBND ngay 02/6/2023 cua UBND tinh ve ban hanh Ke hoach to chuc Phong trao thi dua;',
      'Uy ban nhan dan huyen ban hanh Ke hoach thi dua “Chung tay vi nguoi ngheo” nam 2023 tren dia ban huyen Tanh Linh (viet tat la Phong trao), cu the nhu sau:',
      '1. Muc dich',
    ].join('\n');

    // Act
    const doc = extractDocument(text);

    // Assess
    expect(doc.kind).toBe('kế hoạch');
    expect(doc.subject).toBe('Thi dua “Chung tay vi nguoi ngheo” nam 2023 tren dia ban huyen Tanh Linh');
  });
});
