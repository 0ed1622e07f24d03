/**
 * Issue #7 end to end on the embedded stack: a directive document uploaded under documents/ → S3 notification →
 * documents queue → document function → a draft (or a recognised duplicate, or a rejection) → the officer's edits →
 * confirmed → DirectiveIssued → fan-out to the communes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws } from '../shared/adapters/aws.ts';
import { draftStore } from '../shared/adapters/wiring.ts';
import { confirmDraft } from '../shared/app/documents.ts';
import { InputError } from '../shared/domain/errors.ts';
import { buildPaths, type UnitRow } from '../shared/domain/units.ts';
import { encodeTcvn3 } from '../shared/domain/document/index.ts';
import { uploadDocument } from '../local/cli/drafts.ts';
import { embeddedSession, type Session } from '../local/cli/connect.ts';
import { broken, ocr, ocrNoise, stripMarks } from './support/degrade.ts';
import { eventually, startFlow, type Flow } from './support/flow.ts';

const fixture = (name: string) => new Uint8Array(readFileSync(fileURLToPath(new URL(`./fixtures/documents/${name}`, import.meta.url))));
const seedText = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/seeds/${name}`, import.meta.url)), 'utf8');
const SEED_002 = seedText('002_5e0a79aa8fbcde40.txt');

let flow: Flow;
let session: Session;
let drafts: ReturnType<typeof draftStore>;

/** A district of the old four-tier shape, as in 2020 documents: province → district → communes → villages. */
function districtRows(): UnitRow[] {
  const rows: UnitRow[] = [
    { id: 'dt', name: 'Tỉnh Bình Thuận', level: 'province', emails: ['vp@dt.test.vn'], leaderEmails: [] },
    { id: 'dt-htb', name: 'Huyện Hàm Thuận Bắc', level: 'district', parentId: 'dt', emails: ['noivu@htb.dt.test.vn'], leaderEmails: ['chutich@htb.dt.test.vn'] },
    { id: 'dt-bb', name: 'Huyện Bắc Bình', level: 'district', parentId: 'dt', emails: ['noivu@bb.dt.test.vn'], leaderEmails: [] },
  ];
  const communes: [string, string, string][] = [
    ['dt-htb-ma-lam', 'Thị trấn Ma Lâm', 'dt-htb'],
    ['dt-htb-ham-hiep', 'Xã Hàm Hiệp', 'dt-htb'],
    ['dt-htb-ham-chinh', 'Xã Hàm Chính', 'dt-htb'],
    ['dt-bb-phan-son', 'Xã Phan Sơn', 'dt-bb'],
  ];
  for (const [id, name, parentId] of communes) {
    rows.push({ id, name, level: 'commune', parentId, emails: [`ubnd@${id}.test.vn`], leaderEmails: [] });
    for (let v = 1; v <= 2; v++) rows.push({ id: `${id}-t${v}`, name: `Thôn ${v}`, level: 'village', parentId: id, emails: [], leaderEmails: [] });
  }
  return rows;
}

beforeAll(async () => {
  flow = await startFlow();
  session = embeddedSession(flow.stack);
  drafts = draftStore();
  await flow.repo.putUnits(buildPaths(districtRows()));
});

afterAll(async () => {
  await flow?.stack.stop();
});

const upload = (name: string, bytes: Uint8Array, unit = 'dt-htb') => uploadDocument({ path: name, bytes }, unit, session);
const mailsTo = async (to: string) => (await flow.stack.inbox()).filter((m) => m.destination.to.includes(to));
const utf8 = (s: string) => new TextEncoder().encode(s);
const latin1 = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0) & 0xff));

let draftId = '';

describe('directive documents → drafts, through the embedded stack', () => {
  it('reads an uploaded PDF into a draft: target groups as indicators to complete, the communes as targets, an email to the office', async () => {
    // Act
    const result = await upload('cong-van-2020.pdf', fixture('seed-002.pdf'));

    // Assess
    expect(result.outcome).toBe('drafted');
    draftId = (result as { draftId: string }).draftId;
    expect(draftId).toMatch(/^bn-[0-9a-f]{10}$/);
    const draft = (await drafts.getDraft(draftId))!;
    expect(draft.status).toBe('draft');
    expect(draft.sources).toHaveLength(1);
    expect(draft.sources[0]).toMatchObject({ fileName: 'cong-van-2020.pdf', format: 'pdf' });
    expect(draft.document.kind).toBe('công văn');
    const d = draft.proposal.directive;
    expect(d).toMatchObject({ issuerId: 'dt-htb', number: null, issuedOn: null, year: 2020, targetUnits: { scope: 'level', level: 'commune' }, cadences: ['quarterly', 'half-year', 'year'] });
    expect(d.title).toBe('Triển khai Chỉ thị số 23-CT/TU “về tiếp tục đẩy mạnh phong trào thi đua trên các địa bàn thôn, khu phố” năm 2020');
    expect(d.indicators.map((i) => `${i.group} ${i.id}`)).toEqual([
      '(1) thu-quy',
      '(2) giao-thong',
      '(3) ho-ngheo',
      '(3) suy-dinh-duong',
      '(4) thon-van-hoa',
      '(4) gia-dinh-van-hoa',
      '(5) thu-gom-rac',
      '(5) bhyt',
      '(6) dang-vien-moi',
      '(6) chi-bo-vung-manh',
    ]);
    // The document gives no figures: nine targets to fill in; "hoàn thành tốt nhiệm vụ" is a yes/no whose target is yes.
    expect(d.indicators.filter((i) => i.target === null)).toHaveLength(9);
    expect(draft.proposal.missing.map((m) => m.field)).toEqual(['number', 'issuedOn', ...d.indicators.filter((i) => i.target === null).map((i) => `indicators.${i.id}.target`)]);
    const [mail] = await mailsTo('noivu@htb.dt.test.vn');
    expect(mail?.subject).toBe(`[thidua] Đã đọc văn bản “cong-van-2020.pdf”: bản nháp chỉ thị ${draftId} chờ xác nhận`);
    expect(mail?.body.text).toContain('Cần bổ sung trước khi xác nhận (11 mục):');
    expect(mail?.body.text).toContain('mọi đơn vị cấp xã thuộc Huyện Hàm Thuận Bắc');
    expect(mail?.body.html).toContain('Tỷ lệ hộ nghèo');
  });

  it('recognises the same file uploaded again: no second draft, the file kept with the first', async () => {
    // Act
    const again = await upload('cong-van-2020 (1).pdf', fixture('seed-002.pdf'));

    // Assess
    expect(again).toMatchObject({ outcome: 'duplicate', draftId, sameAs: 'bytes' });
    expect(await drafts.draftsOf('dt-htb')).toHaveLength(1);
    expect((await drafts.getDraft(draftId))!.sources.map((s) => s.fileName)).toEqual(['cong-van-2020.pdf', 'cong-van-2020 (1).pdf']);
    const notice = (await mailsTo('noivu@htb.dt.test.vn')).find((m) => m.subject === `[thidua] Văn bản “cong-van-2020 (1).pdf” đã có bản nháp ${draftId}`);
    expect(notice?.body.text).toContain('tệp giống hệt tệp đã tải lên');
  });

  it.each([
    ['its DOCX', 'cong-van-2020.docx', () => fixture('seed-002.docx')],
    ['its scan through OCR (diacritics lost, look-alike characters, broken lines)', 'cong-van-2020-scan.txt', () => utf8(broken(ocr(ocrNoise(SEED_002, 0.03)))) ],
    ['a TCVN3 copy', 'cong-van-2020-tcvn3.txt', () => latin1(encodeTcvn3(SEED_002))],
  ])('recognises %s as the same document by its text', async (_what, name, bytes) => {
    // Act
    const result = await upload(name, bytes());

    // Assess
    expect(result).toMatchObject({ outcome: 'duplicate', draftId, sameAs: 'text' });
    const source = (await drafts.getDraft(draftId))!.sources.find((s) => s.fileName === name);
    expect(source?.similarity).toBeGreaterThanOrEqual(0.45);
    expect(await drafts.draftsOf('dt-htb')).toHaveLength(1);
  });

  it('drafts a different document separately: another notice of the same movement is not a duplicate', async () => {
    // Act
    const result = await upload('thong-bao-ket-luan.docx', fixture('seed-000.docx'));

    // Assess
    expect(result.outcome).toBe('drafted');
    const other = (await drafts.getDraft((result as { draftId: string }).draftId))!;
    expect(other.draftId).not.toBe(draftId);
    expect(other.proposal.directive.kind).toBe('thông báo');
    // A notice with no target groups and no reporting cadence, addressed to district committees (the uploader is
    // one): the draft says what the officer must add. Its "4 không" criterion comes with its known target, zero.
    expect(other.proposal.missing.map((m) => m.field)).toEqual(['number', 'issuedOn', 'year', 'targetUnits', 'cadences']);
    expect(other.proposal.directive.indicators.map((i) => [i.id, i.target])).toEqual([
      ['khong-toi-pham', 0],
      ['khong-attp', 0],
      ['khong-khieu-kien', 0],
      ['khong-tai-nan', 0],
    ]);
    expect(await drafts.draftsOf('dt-htb')).toHaveLength(2);
  });

  it('lets another district relay the same document: its own draft, for its own communes', async () => {
    // Act
    const result = await upload('cong-van-2020.pdf', fixture('seed-002.pdf'), 'dt-bb');

    // Assess
    expect(result.outcome).toBe('drafted');
    const other = (await drafts.getDraft((result as { draftId: string }).draftId))!;
    expect(other.draftId).not.toBe(draftId);
    expect(other.proposal.directive).toMatchObject({ issuerId: 'dt-bb', issuerName: 'Huyện Bắc Bình', targetUnits: { scope: 'level', level: 'commune' } });
    expect(await drafts.draftsOf('dt-bb')).toHaveLength(1);
    expect((await drafts.getDraft(draftId))!.sources.every((s) => s.key.startsWith('documents/dt-htb/'))).toBe(true);
    expect((await mailsTo('noivu@bb.dt.test.vn')).map((m) => m.subject)).toEqual([`[thidua] Đã đọc văn bản “cong-van-2020.pdf”: bản nháp chỉ thị ${other.draftId} chờ xác nhận`]);
  });

  it('a duplicate whose processing failed half-way is still a duplicate when retried, never a second draft', async () => {
    // Prepare: the first attempt to record this upload's outcome fails (injected), after its file joined the draft.
    const client = aws().dynamo;
    let failures = 0;
    client.middlewareStack.add(
      (next) => async (args) => {
        const item = (args.input as { Item?: { PK?: { S?: string } } }).Item;
        if (failures === 0 && item?.PK?.S?.startsWith('DOCUPLOAD#') && item.PK.S.includes('lan-2')) {
          failures++;
          throw Object.assign(new Error('injected: the function died here'), { name: 'InternalServerError', $retryable: undefined });
        }
        return next(args);
      },
      { step: 'build', name: 'failOnceRecordingUpload' },
    );
    const before = (await drafts.draftsOf('dt-htb')).length;

    // Act
    let result;
    try {
      result = await upload('cong-van-2020-lan-2.docx', fixture('seed-002.docx'));
    } finally {
      client.middlewareStack.remove('failOnceRecordingUpload');
    }

    // Assess
    expect(failures).toBe(1);
    expect(result).toMatchObject({ outcome: 'duplicate', draftId, sameAs: 'text' });
    expect((await drafts.draftsOf('dt-htb')).length).toBe(before);
    const subjects = (await mailsTo('noivu@htb.dt.test.vn')).map((m) => m.subject).filter((s) => s.includes('cong-van-2020-lan-2.docx'));
    expect(subjects).toEqual([`[thidua] Văn bản “cong-van-2020-lan-2.docx” đã có bản nháp ${draftId}`]);
  });

  it('matches the units a document names to the hierarchy, ignoring lost diacritics', async () => {
    // Prepare: a công văn to two communes by name, typed without diacritics.
    const text = stripMarks(`UY BAN NHAN DAN
HUYEN HAM THUAN BAC
Số: 41/UBND-NV                     Hàm Thuận Bắc, ngày 12 tháng 02 năm 2021
V/v giao chỉ tiêu thi đua năm 2021

Kính gửi:
- UBND xã Hàm Hiệp;
- UBND thị trấn Ma Lâm.

1. Các đơn vị giao chỉ tiêu cho các thôn, khu phố trong năm 2021, gồm:
(1) - Giảm tỷ lệ hộ nghèo;
(2) - Tỷ lệ người dân tham gia bảo hiểm y tế.
2. Định kỳ hàng quý báo cáo kết quả về Ủy ban nhân dân huyện (qua phòng Nội vụ), chậm nhất ngày 20 của tháng cuối quý.
Nơi nhận:
- Như trên;
- Lưu: VT.
`);

    // Act
    const result = await upload('cv-41-ubnd.txt', utf8(text));

    // Assess
    expect(result.outcome).toBe('drafted');
    const draft = (await drafts.getDraft((result as { draftId: string }).draftId))!;
    expect(draft.proposal.directive).toMatchObject({
      number: '41/UBND-NV',
      issuedOn: '2021-02-12',
      year: 2021,
      targetUnits: { scope: 'list', unitIds: ['dt-htb-ham-hiep', 'dt-htb-ma-lam'] },
      cadences: ['quarterly'],
      deadline: { kind: 'dayOfMonth', day: 20 },
      id: 'dt-htb-41-ubnd-nv-2021',
    });
    expect(draft.proposal.units.filter((u) => u.unitId).map((u) => [u.mention, u.unitName])).toEqual([
      ['UBND xa Ham Hiep', 'Xã Hàm Hiệp'],
      ['UBND thi tran Ma Lam', 'Thị trấn Ma Lâm'],
    ]);
    expect(draft.proposal.directive.indicators.map((i) => i.id)).toEqual(['ho-ngheo', 'bhyt']);
  });

  it('refuses a scan without a text layer, saying what to send instead, and drafts nothing', async () => {
    // Prepare
    const before = (await drafts.draftsOf('dt-htb')).length;

    // Act
    const result = await upload('ban-scan.pdf', fixture('seed-002-scan.pdf'));

    // Assess
    expect(result).toMatchObject({ outcome: 'rejected', code: 'no-text-layer' });
    expect((await drafts.draftsOf('dt-htb')).length).toBe(before);
    const mail = (await mailsTo('noivu@htb.dt.test.vn')).find((m) => m.subject === '[thidua] Không đọc được văn bản “ban-scan.pdf”');
    expect(mail?.body.text).toMatch(/Cách khắc phục: .*OCR/);
  });

  it('will not confirm a draft that still lacks what the document did not say, and issues nothing', async () => {
    // Act
    const attempt = confirmDraft(draftId, { number: '15-CV/HU' }, { ...flow.deps(), drafts });

    // Assess
    const error = (await attempt.catch((e: unknown) => e)) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.messageVi).toBe(`Bản nháp ${draftId} còn thiếu 10 mục; bổ sung bằng tệp JSON rồi chạy lại: thidua directive draft confirm ${draftId} --file bo-sung.json`);
    expect(error.details[0]).toMatch(/^issuedOn: Không đọc được ngày ban hành/);
    expect(error.details).toContain('indicators.ho-ngheo: “Tỷ lệ hộ nghèo” còn thiếu target');
    expect(await flow.repo.getDirective('dt-htb-15-cv-hu-2020')).toBeUndefined();
    expect((await drafts.getDraft(draftId))!.status).toBe('draft');
  });

  it('confirms the completed draft: DirectiveIssued, one assignment per commune of the district, each commune emailed', async () => {
    // Prepare
    const edits = {
      number: '15-CV/HU',
      issuedOn: '2020-03-05',
      indicators: [
        { id: 'thu-quy', target: 100 },
        { id: 'giao-thong', target: 2 },
        { id: 'ho-ngheo', target: 3 },
        { id: 'suy-dinh-duong', target: 8 },
        { id: 'thon-van-hoa', target: 90 },
        { id: 'gia-dinh-van-hoa', target: 92 },
        { id: 'thu-gom-rac', target: 80 },
        { id: 'bhyt', target: 93 },
        { id: 'dang-vien-moi', remove: true },
      ],
    };

    // Act
    const confirmed = await confirmDraft(draftId, edits, { ...flow.deps(), drafts });
    await flow.stack.settle();

    // Assess
    expect(confirmed).toMatchObject({ outcome: 'issued', draftId, targetUnitCount: 3 });
    const directive = (await flow.repo.getDirective('dt-htb-15-cv-hu-2020'))!;
    expect(directive).toMatchObject({ number: '15-CV/HU', kind: 'công văn', issuerId: 'dt-htb', year: 2020, cadences: ['quarterly', 'half-year', 'year'] });
    expect(directive.indicators.map((i) => i.id)).not.toContain('dang-vien-moi');
    expect(directive.indicators.find((i) => i.id === 'ho-ngheo')).toMatchObject({ target: 3, kind: 'percent', direction: 'decrease', weightBy: 'households' });
    expect(await flow.repo.countAssignments(directive)).toEqual({ active: 3, withdrawn: 0 });
    for (const commune of ['dt-htb-ma-lam', 'dt-htb-ham-hiep', 'dt-htb-ham-chinh']) {
      await eventually(`the assignment email to ${commune}`, async () => ((await mailsTo(`ubnd@${commune}.test.vn`)).length ? true : undefined));
    }
    expect(await mailsTo('ubnd@dt-bb-phan-son.test.vn')).toHaveLength(0);
    expect((await drafts.getDraft(draftId))!).toMatchObject({ status: 'confirmed', directiveId: 'dt-htb-15-cv-hu-2020' });
  });

  it('confirming again issues nothing new, and the same document uploaded later points to the directive', async () => {
    // Act
    const again = await confirmDraft(draftId, undefined, { ...flow.deps(), drafts });
    await flow.stack.settle();
    const later = await upload('cong-van-2020-gui-lai.pdf', fixture('seed-002.pdf'));

    // Assess
    expect(again.outcome).toBe('unchanged');
    // A confirmed draft is not edited into a second directive: changes go through an amendment.
    const edited = await confirmDraft(draftId, { number: '16-CV/HU' }, { ...flow.deps(), drafts }).catch((e: unknown) => e as InputError);
    expect((edited as InputError).messageVi).toBe(`Bản nháp ${draftId} đã được xác nhận thành chỉ thị dt-htb-15-cv-hu-2020; không sửa bản nháp nữa`);
    expect(await flow.repo.getDirective('dt-htb-16-cv-hu-2020')).toBeUndefined();
    const directive = (await flow.repo.getDirective('dt-htb-15-cv-hu-2020'))!;
    expect(directive.version).toBe(1);
    expect(await flow.repo.countAssignments(directive)).toEqual({ active: 3, withdrawn: 0 });
    expect(later).toMatchObject({ outcome: 'duplicate', draftId });
    const notice = (await mailsTo('noivu@htb.dt.test.vn')).find((m) => m.subject === `[thidua] Văn bản “cong-van-2020-gui-lai.pdf” đã có bản nháp ${draftId}`);
    expect(notice?.body.text).toContain(`đã được xác nhận thành chỉ thị dt-htb-15-cv-hu-2020`);
  });

  it('two copies of one file uploaded at the same moment make one draft, both files kept, one draft email', async () => {
    // Prepare
    const bytes = utf8(`HUYỆN ỦY HÀM THUẬN BẮC
Số 77-CV/HU                        Hàm Thuận Bắc, ngày 02 tháng 6 năm 2022
V/v sơ kết 6 tháng phong trào thi đua xây dựng nông thôn mới
Kính gửi: Đảng ủy các xã, thị trấn.
1. Tổ chức sơ kết 6 tháng đầu năm 2022 phong trào “Cả nước chung sức xây dựng nông thôn mới”, đánh giá từng tiêu chí.
2. Định kỳ 6 tháng và cuối năm báo cáo kết quả về Ban Thường vụ Huyện ủy (qua Ban Tuyên giáo Huyện ủy).
Nơi nhận:
- Như trên,
- Lưu VP.
`);
    const draftEmails = async () => (await mailsTo('noivu@htb.dt.test.vn')).filter((m) => m.subject.startsWith('[thidua] Đã đọc văn bản “dong-thoi-')).length;

    // Act
    const [a, b] = await Promise.all([upload('dong-thoi-1.txt', bytes), upload('dong-thoi-2.txt', bytes)]);
    await flow.stack.settle();

    // Assess
    expect([a.outcome, b.outcome].sort()).toEqual(['drafted', 'duplicate']);
    const id = (a as { draftId: string }).draftId;
    expect((b as { draftId: string }).draftId).toBe(id);
    expect((await drafts.getDraft(id))!.sources.map((s) => s.fileName).sort()).toEqual(['dong-thoi-1.txt', 'dong-thoi-2.txt']);
    expect(await draftEmails()).toBe(1);
  });

  it('processes a duplicated S3 notification once, and sends a message that is not a notification to the dead-letter queue with its reason', async () => {
    // Prepare
    const before = (await flow.stack.inbox()).length;
    const queueUrl = flow.stack.queues.byId.documents.url;

    // Act
    await aws().sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'not an S3 event' }));
    flow.stack.setDuplicateDeliveries(true);
    const dup = await upload('ke-hoach-2021.docx', fixture('seed-001.docx'));
    flow.stack.setDuplicateDeliveries(false);
    await flow.stack.settle();

    // Assess
    expect(dup.outcome).toBe('drafted');
    const letters = await eventually('the poison message in the documents DLQ', async () => {
      const dead = flow.stack.deadLetters('documents');
      return dead.length ? dead : undefined;
    });
    // Dead-lettering is itself at-least-once: the one poison message may be there twice, nothing else is.
    expect(new Set(letters.map((l) => l.body))).toEqual(new Set(['not an S3 event']));
    expect(letters[0]!.attributes.reason).toMatch(/^invalid message: /);
    expect((await flow.stack.inbox()).length - before).toBe(1);
    expect(flow.stack.deadLetters('mail')).toHaveLength(0);
  });
});
