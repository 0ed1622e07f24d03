import { describe, expect, it } from 'vitest';
import { parseUnitsCsv, unitsToCsv } from '../shared/domain/units-csv.ts';
import { buildPaths, HierarchyError } from '../shared/domain/units.ts';
import { InputError } from '../shared/domain/errors.ts';
import { foldVi } from '../shared/domain/text.ts';
import { sampleProvince } from '../local/sample/province.ts';
import { importUnitsCsv } from '../shared/app/units.ts';
import type { Unit } from '../shared/domain/units.ts';

/** The units already imported, as the directory port holds them, and what an import writes. */
function directory(stored: readonly Unit[]) {
  const written: Unit[][] = [];
  return {
    written,
    units: {
      getUnits: async (ids: readonly string[]) => new Map(stored.filter((u) => ids.includes(u.id)).map((u) => [u.id, u])),
      putUnits: async (units: readonly Unit[]) => void written.push([...units]),
    },
  };
}

const importRefusal = async (text: string, stored: readonly Unit[] = []) => {
  const dir = directory(stored);
  const error = await importUnitsCsv(text, dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(dir.written).toEqual([]);
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
};

const refusal = (text: string): InputError => {
  try {
    parseUnitsCsv(text);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected the file to be refused');
};

describe('units CSV', () => {
  it('reads English or Vietnamese headers, a BOM, quotes and several addresses per cell', () => {
    // Prepare
    const text = '\uFEFFma,ten,cap,ma_cap_tren,email,email_lanh_dao\r\nbt,Tỉnh Bình Thuận,tỉnh,,vp@bt.vn,\r\nbt-x1,"Xã Hàm Liêm, Hàm Thuận Bắc",xã,bt,a@bt.vn;b@bt.vn,ct@bt.vn\r\n';

    // Act
    const rows = parseUnitsCsv(text);

    // Assess
    expect(rows).toEqual([
      { id: 'bt', name: 'Tỉnh Bình Thuận', level: 'province', emails: ['vp@bt.vn'], leaderEmails: [], line: 2 },
      { id: 'bt-x1', name: 'Xã Hàm Liêm, Hàm Thuận Bắc', level: 'commune', parentId: 'bt', emails: ['a@bt.vn', 'b@bt.vn'], leaderEmails: ['ct@bt.vn'], line: 3 },
    ]);
  });

  it('names the line and the problem of every bad row, and accepts none of the file', () => {
    // Prepare
    const text = ['id,name,level,parent_id,emails', 'bt,Tỉnh Bình Thuận,province,,', 'Bt X1,Xã A,commune,bt,', 'bt-x2,,hamlet,bt,not-an-email', 'bt,Trùng,commune,,'].join('\n');

    // Act
    const error = refusal(text);

    // Assess
    expect(error.messageVi).toBe('Tệp đơn vị có 5 lỗi, chưa nhập đơn vị nào');
    expect(error.details).toEqual([
      'Dòng 3: mã "Bt X1" chỉ được gồm chữ thường không dấu, số và dấu gạch ngang',
      'Dòng 4: thiếu tên đơn vị',
      'Dòng 4: cấp "hamlet" không hợp lệ; dùng tỉnh, thành phố; huyện, quận, thị xã, thành phố thuộc tỉnh; xã, phường, thị trấn, đặc khu; thôn, bản, ấp, xóm, làng, buôn, bon, phum, sóc, tổ dân phố, khu phố, khối phố, khóm, tiểu khu (hoặc province, district, commune, village)',
      'Dòng 4: địa chỉ email "not-an-email" không hợp lệ',
      'Dòng 5: mã "bt" đã có ở dòng 2',
    ]);
  });

  it('refuses a file without the required columns', () => {
    expect(refusal('ten,cap\nTỉnh,tỉnh').messageVi).toBe('Dòng 1: thiếu cột id');
    expect(refusal('id,name\nbt,Tỉnh').messageVi).toBe('Dòng 1: thiếu cột level');
  });

  it('builds materialized paths in any order and rejects cycles and missing parents', () => {
    const rows = parseUnitsCsv('id,name,level,parent_id\nv,Thôn 1,village,c\nc,Xã A,commune,p\np,Tỉnh,province,\n');
    expect(Object.fromEntries(buildPaths(rows).map((u) => [u.id, u.path]))).toEqual({ v: ['p', 'c', 'v'], c: ['p', 'c'], p: ['p'] });
    expect(() => buildPaths(parseUnitsCsv('id,name,level,parent_id\na,A,commune,b\nb,B,commune,a\n'))).toThrow(HierarchyError);
    expect(() => buildPaths(parseUnitsCsv('id,name,level,parent_id\na,A,commune,zz\n'))).toThrow(/"zz".*không có trong tệp/);
  });

  it('round-trips the sample province through CSV', () => {
    const rows = sampleProvince();
    const back = parseUnitsCsv(unitsToCsv(rows)).map(({ line: _line, ...r }) => r);
    expect(back).toEqual(rows);
    expect(rows.filter((r) => r.level === 'commune').length).toBeGreaterThanOrEqual(30);
    expect(foldVi('Xã Hàm Đức')).toBe('xa ham duc');
  });

  it('reports every problem of a file at once, by line: bad lines, unknown parents, cycles and levels out of order', async () => {
    // Prepare: a legacy three-level province with a district already imported; the file has one problem of each kind.
    const [stored] = buildPaths([{ id: 'lc-sp', name: 'Huyện Sa Pa', level: 'district', emails: [], leaderEmails: [] }]);
    const text = [
      'id,name,level,parent_id,emails',
      'lc-bh,Huyện Bắc Hà,huyện,,',
      'lc-bh-bh,Thị trấn Bắc Hà,thị trấn,lc-bh,',
      'lc-bh-bh-1,Tổ dân phố 1,tổ dân phố,lc-bh-bh,khong-phai-email',
      'lc-sp-ta-van,Xã Tả Van,xã,lc-sp,',
      'lc-bh-na-hoi,Xã Nà Hối,xã,lc-bac-ha,',
      'lc-bh-ta-chai,Xã Tà Chải,xã,lc-bh-bh,',
      'lc-a,Bản A,bản,lc-b,',
      'lc-b,Bản B,bản,lc-a,',
      'lc-c,Xóm C,xóm,lc-c,',
      'lc-bh-bh,Thị trấn trùng,thị trấn,lc-bh,',
    ].join('\n');

    // Act
    const error = await importRefusal(text, stored ? [stored] : []);

    // Assess
    expect(error.messageVi).toBe('Tệp đơn vị có 8 lỗi, chưa nhập đơn vị nào');
    expect(error.details).toEqual([
      'Dòng 4: địa chỉ email "khong-phai-email" không hợp lệ',
      'Dòng 6: đơn vị cấp trên "lc-bac-ha" của "lc-bh-na-hoi" không có trong tệp và chưa được nhập',
      'Dòng 7: đơn vị cấp xã "Xã Tà Chải" không thể nằm dưới "Thị trấn Bắc Hà" (cấp xã): đơn vị cấp trên phải ở cấp cao hơn',
      'Dòng 8: đơn vị cấp thôn "Bản A" không thể nằm dưới "Bản B" (cấp thôn): đơn vị cấp trên phải ở cấp cao hơn',
      'Dòng 8: vòng lặp cấp trên – cấp dưới: "lc-a" thuộc "lc-b", "lc-b" thuộc "lc-a" (dòng 8, 9)',
      'Dòng 9: đơn vị cấp thôn "Bản B" không thể nằm dưới "Bản A" (cấp thôn): đơn vị cấp trên phải ở cấp cao hơn',
      'Dòng 10: đơn vị "lc-c" không thể là cấp trên của chính nó',
      'Dòng 11: mã "lc-bh-bh" đã có ở dòng 3',
    ]);
  });

  it('imports a file whose parents are stored, once every line is right', async () => {
    // Prepare
    const [stored] = buildPaths([{ id: 'lc', name: 'Tỉnh Lào Cai', level: 'province', emails: [], leaderEmails: [] }]);
    const dir = directory(stored ? [stored] : []);

    // Act
    const result = await importUnitsCsv('id,name,level,parent_id\nlc-bh,Huyện Bắc Hà,huyện,lc\nlc-bh-x,Xã Bản Phố,xã,lc-bh\nlc-bh-x-1,Bản Phố 1,bản,lc-bh-x\n', dir);

    // Assess
    expect(result).toEqual({ imported: 3, byLevel: { district: 1, commune: 1, village: 1 } });
    expect(dir.written.flat().map((u) => u.path)).toEqual([['lc', 'lc-bh'], ['lc', 'lc-bh', 'lc-bh-x'], ['lc', 'lc-bh', 'lc-bh-x', 'lc-bh-x-1']]);
  });

  it('knows the names of every level used in real provinces, with or without diacritics', () => {
    // Prepare
    const words: [string, string][] = [
      ['tỉnh', 'province'], ['Thành phố', 'province'], ['thanh pho', 'province'],
      ['huyện', 'district'], ['Quận', 'district'], ['thị xã', 'district'], ['thành phố thuộc tỉnh', 'district'], ['Thanh pho thuoc tinh', 'district'],
      ['xã', 'commune'], ['Phường', 'commune'], ['thi tran', 'commune'], ['đặc khu', 'commune'],
      ['thôn', 'village'], ['Bản', 'village'], ['ban', 'village'], ['ấp', 'village'], ['AP', 'village'], ['xóm', 'village'], ['Tiểu khu', 'village'],
      ['tieu  khu', 'village'], ['làng', 'village'], ['buôn', 'village'], ['bon', 'village'], ['phum', 'village'], ['sóc', 'village'],
      ['tổ dân phố', 'village'], ['khu phố', 'village'], ['khối phố', 'village'], ['khóm', 'village'], ['village', 'village'],
    ];
    const text = ['id,name,level', ...words.map(([word], i) => `u${i},Đơn vị ${i},${word}`)].join('\n');

    // Act
    const rows = parseUnitsCsv(text);

    // Assess
    expect(rows.map((r) => r.level)).toEqual(words.map(([, level]) => level));
  });
});
