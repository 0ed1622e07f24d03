import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { aws } from '../shared/adapters/aws.ts';
import { emulationStore } from '../shared/adapters/wiring.ts';
import { DynamoEmulationStore, HISTORY_IN_TRANSACTION } from '../shared/adapters/dynamo/emulation-store.ts';
import {
  DEFAULT_RULES,
  type Candidate,
  type Cluster,
  type CouncilSession,
  type Decision,
  type HistoryEntry,
  type Opinion,
  type Posting,
  type Registration,
} from '../shared/domain/emulation/types.ts';
import { startFlow, type Flow } from './support/flow.ts';

let flow: Flow;
let store: DynamoEmulationStore;

beforeAll(async () => {
  flow = await startFlow();
  store = emulationStore();
}, 120_000);

afterAll(async () => {
  await flow?.stack.stop();
});

const DIRECTIVE = 'es-23-ct-tu-2027';
const YEAR = 2027;

const registration = (unitId: string, version: number): Registration => ({
  directiveId: DIRECTIVE,
  year: YEAR,
  unitId,
  titleIds: ['tap-the-lao-dong-xuat-sac'],
  pledgeSigned: true,
  state: 'awaiting',
  submittedAt: '2027-03-10T02:00:00.000Z',
  submittedBy: 'vanthu@es-x0.test.vn',
  decidedAt: null,
  decidedBy: null,
  reasonVi: null,
  late: false,
  version,
});

const session = (id: string): CouncilSession => ({
  id,
  directiveId: DIRECTIVE,
  year: YEAR,
  councilUnitId: 'es',
  heldOn: '2027-12-10',
  members: 9,
  present: 7,
  tallies: [{ unitId: 'es-x0', titleId: 'tap-the-lao-dong-xuat-sac', yes: 6 }],
  recordedBy: 'thuky@es.test.vn',
  recordedAt: '2027-12-10T09:00:00.000Z',
});

const posting = (id: string, year = YEAR): Posting => ({
  id,
  directiveId: DIRECTIVE,
  year,
  sessionId: 'phien-1',
  startsOn: `${year}-12-11`,
  endsOn: `${year}-12-17`,
  outcomes: [
    { unitId: 'es-x0', name: 'Xã Hàm Liêm', titleId: 'tap-the-lao-dong-xuat-sac', yes: 6, present: 7, passed: true, explanationVi: '6/7 phiếu (86%), ngưỡng: từ 70% trở lên — đạt' },
  ],
});

const opinion = (postingId: string, minute: number, spam: boolean): Opinion => ({
  postingId,
  at: `2027-12-12T08:${String(minute).padStart(2, '0')}:00.000Z`,
  id: `y-${minute}`,
  name: `Người dân ${minute}`,
  text: spam ? 'Xem ngay http://quang-cao.example' : `Ý kiến số ${minute}: đồng ý với kết quả.`,
  spam,
});

const decision = (id: string, number: string, awardedUnits: readonly string[]): Decision => ({
  id,
  directiveId: DIRECTIVE,
  year: YEAR,
  postingId: 'niem-yet-qd',
  issuerId: 'es',
  number,
  issuedOn: '2027-12-20',
  place: 'Phan Thiết',
  signerTitle: 'Chủ tịch Ủy ban nhân dân tỉnh',
  signerName: 'Nguyễn Văn A',
  awards: awardedUnits.map((unitId) => ({ unitId, name: `Xã ${unitId}`, titleId: 'tap-the-lao-dong-tien-tien', titleVi: 'Tập thể lao động tiên tiến', amount: 1_872_000 })),
  baseSalary: 2_340_000,
  documentKey: `decisions/${id}.docx`,
});

const titleOf = (unitId: string, year: number, number: string | null): HistoryEntry => ({
  unitId,
  year,
  titleId: 'tap-the-lao-dong-tien-tien',
  titleVi: 'Tập thể lao động tiên tiến',
  decisionNumber: number,
  decidedOn: number ? `${year}-12-20` : null,
  issuerName: number ? 'Ủy ban nhân dân tỉnh Bình Thuận' : null,
  source: number ? 'decision' : 'import',
});

/** The store over a client that counts what it sends, and can fail the BatchWriteItems (a process stopped after the transaction). */
function watchedStore(opts: { failBatchWrites?: boolean } = {}) {
  const real = aws().doc;
  const sent: { command: string; items: number }[] = [];
  const doc = {
    send: (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name;
      const input = command.input as { TransactItems?: unknown[]; RequestItems?: Record<string, unknown[]> };
      const items = input.TransactItems?.length ?? Object.values(input.RequestItems ?? {}).reduce((n, list) => n + list.length, 0);
      sent.push({ command: name, items });
      if (opts.failBatchWrites && name === 'BatchWriteCommand') return Promise.reject(new Error('the process stopped here'));
      return real.send(command as never);
    },
  } as unknown as DynamoDBDocumentClient;
  return { store: new DynamoEmulationStore(doc, store.tableName), sent };
}

describe('the emulation year in DynamoDB', () => {
  it('writes a registration only over the version it was read at', async () => {
    // Prepare
    expect(await store.putRegistration(registration('es-x0', 1), 0)).toBe('written');

    // Act
    const again = await store.putRegistration(registration('es-x0', 1), 0);
    const stale = await store.putRegistration({ ...registration('es-x0', 3), state: 'approved' }, 2);
    const next = await store.putRegistration({ ...registration('es-x0', 2), state: 'returned', reasonVi: 'Thiếu bản cam kết' }, 1);

    // Assess
    expect(again).toBe('conflict');
    expect(stale).toBe('conflict');
    expect(next).toBe('written');
    expect(await store.getRegistration(DIRECTIVE, YEAR, 'es-x0')).toEqual({ ...registration('es-x0', 2), state: 'returned', reasonVi: 'Thiếu bản cam kết' });
    expect((await store.registrationsOf(DIRECTIVE, YEAR)).map((r) => [r.unitId, r.version])).toEqual([['es-x0', 2]]);
    expect(await store.getRegistration(DIRECTIVE, YEAR, 'es-x9')).toBeUndefined();
  });

  it('records a council session once: a repeated submit is told it exists', async () => {
    // Prepare
    expect(await store.putSession(session('phien-1'))).toBe('written');

    // Act
    const repeated = await store.putSession({ ...session('phien-1'), present: 3 });

    // Assess
    expect(repeated).toBe('exists');
    expect(await store.sessionsOf(DIRECTIVE, YEAR)).toEqual([session('phien-1')]);
  });

  it('reads a posting by its id alone and lists it with its year', async () => {
    // Prepare
    await store.putPosting(posting('niem-yet-2027'));
    await store.putPosting(posting('niem-yet-2026', 2026));

    // Act
    const byId = await store.getPosting('niem-yet-2027');
    const ofYear = await store.postingsOf(DIRECTIVE, YEAR);
    const again = await store.putPosting({ ...posting('niem-yet-2027'), endsOn: '2027-12-31' });

    // Assess
    expect(byId).toEqual(posting('niem-yet-2027'));
    expect(ofYear).toEqual([posting('niem-yet-2027')]);
    expect(again).toBe('exists');
    expect((await store.getPosting('niem-yet-2027'))?.endsOn).toBe('2027-12-17');
    expect(await store.getPosting('khong-co')).toBeUndefined();
  });

  it('lists opinions newest first, spam held back unless asked for, at most the limit', async () => {
    // Prepare: minutes 1..12, every third one spam
    await store.putPosting(posting('niem-yet-y-kien'));
    for (let m = 1; m <= 12; m++) await store.addOpinion(opinion('niem-yet-y-kien', m, m % 3 === 0));

    // Act
    const shown = await store.opinionsOf('niem-yet-y-kien', { includeSpam: false, limit: 3 });
    const all = await store.opinionsOf('niem-yet-y-kien', { includeSpam: true, limit: 100 });
    const newest = await store.opinionsOf('niem-yet-y-kien', { includeSpam: true, limit: 2 });
    const none = await store.opinionsOf('niem-yet-y-kien', { includeSpam: false, limit: 0 });

    // Assess
    expect(shown.map((o) => o.id)).toEqual(['y-11', 'y-10', 'y-8']);
    expect(all.map((o) => o.id)).toEqual(Array.from({ length: 12 }, (_, i) => `y-${12 - i}`));
    expect(all.find((o) => o.id === 'y-9')).toEqual(opinion('niem-yet-y-kien', 9, true));
    expect(newest.map((o) => o.id)).toEqual(['y-12', 'y-11']);
    expect(none).toEqual([]);
  });

  it('writes a decision with its number and first 98 titles in one transaction, the rest after, and its history reads back', async () => {
    // Prepare: 150 units, each with a title imported for 2026 before this decision's 2027 one
    const units = Array.from({ length: 150 }, (_, i) => `es-d${i}`);
    await store.putHistory(units.map((u) => titleOf(u, 2026, null)));
    const { store: watched, sent } = watchedStore();

    // Act
    const outcome = await watched.putDecision(decision('qd-125', '125/QĐ-UBND', units), units.map((u) => titleOf(u, 2027, '125/QĐ-UBND')));

    // Assess
    expect(outcome).toBe('written');
    expect(sent).toEqual([
      { command: 'TransactWriteCommand', items: 2 + HISTORY_IN_TRANSACTION },
      // the 52 beyond, 25 a request
      { command: 'BatchWriteCommand', items: 25 },
      { command: 'BatchWriteCommand', items: 25 },
      { command: 'BatchWriteCommand', items: 150 - HISTORY_IN_TRANSACTION - 50 },
    ]);
    expect(await store.decisionsOf(DIRECTIVE, YEAR)).toEqual([decision('qd-125', '125/QĐ-UBND', units)]);
    const history = await store.historyOf(units);
    expect(history.size).toBe(150);
    for (const u of units) expect(history.get(u)).toEqual([titleOf(u, 2026, null), titleOf(u, 2027, '125/QĐ-UBND')]);
  });

  it('answers exists for the same decision again, and completes the history an interrupted call left behind', async () => {
    // Prepare: the transaction lands, then the process stops before the titles beyond the 98th
    const units = Array.from({ length: 150 }, (_, i) => `es-i${i}`);
    const history = units.map((u) => titleOf(u, 2027, '126/QĐ-UBND'));
    const interrupted = watchedStore({ failBatchWrites: true });
    await expect(interrupted.store.putDecision(decision('qd-126', '126/QĐ-UBND', units), history)).rejects.toThrow('the process stopped here');
    const before = await store.historyOf(units);
    expect([...before.values()].filter((titles) => titles.length === 1)).toHaveLength(HISTORY_IN_TRANSACTION);

    // Act
    const outcome = await store.putDecision(decision('qd-126', '126/QĐ-UBND', units), history);

    // Assess
    expect(outcome).toBe('exists');
    const after = await store.historyOf(units);
    for (const u of units) expect(after.get(u)).toEqual([titleOf(u, 2027, '126/QĐ-UBND')]);
  });

  it('refuses another decision with a number the issuer already used, writing nothing of it', async () => {
    // Prepare
    await store.putDecision(decision('qd-127', '127/QĐ-UBND', ['es-n0']), [titleOf('es-n0', 2027, '127/QĐ-UBND')]);

    // Act
    const outcome = await store.putDecision(decision('qd-127-bis', '127/QĐ-UBND', ['es-n1']), [titleOf('es-n1', 2027, '127/QĐ-UBND')]);

    // Assess
    expect(outcome).toBe('number-taken');
    expect((await store.decisionsOf(DIRECTIVE, YEAR)).map((d) => d.id)).not.toContain('qd-127-bis');
    expect((await store.historyOf(['es-n1'])).get('es-n1')).toEqual([]);
    expect((await store.historyOf(['es-n0'])).get('es-n0')).toEqual([titleOf('es-n0', 2027, '127/QĐ-UBND')]);
  });

  it('refuses a decision conferring a title a unit already holds for the year by another decision (two offices at once), writing nothing of it; an imported title is no obstacle', async () => {
    // Prepare: es-c0 holds the title by 128; es-c1 only by an import
    await store.putDecision(decision('qd-128', '128/QĐ-UBND', ['es-c0']), [titleOf('es-c0', 2027, '128/QĐ-UBND')]);
    await store.putHistory([{ ...titleOf('es-c1', 2027, null), source: 'import' }]);

    // Act
    const twice = await store.putDecision(decision('qd-129', '129/QĐ-UBND', ['es-c0', 'es-c2']), [titleOf('es-c0', 2027, '129/QĐ-UBND'), titleOf('es-c2', 2027, '129/QĐ-UBND')]);
    const overImport = await store.putDecision(decision('qd-130', '130/QĐ-UBND', ['es-c1']), [titleOf('es-c1', 2027, '130/QĐ-UBND')]);

    // Assess
    expect(twice).toBe('already-awarded');
    expect((await store.decisionsOf(DIRECTIVE, YEAR)).map((d) => d.id)).not.toContain('qd-129');
    expect((await store.historyOf(['es-c0'])).get('es-c0')).toEqual([titleOf('es-c0', 2027, '128/QĐ-UBND')]);
    expect((await store.historyOf(['es-c2'])).get('es-c2')).toEqual([]);
    expect(overImport).toBe('written');
    expect((await store.historyOf(['es-c1'])).get('es-c1')).toEqual([titleOf('es-c1', 2027, '130/QĐ-UBND')]);
  });

  it('stores the year rules and reads them back equal', async () => {
    // Prepare
    const rules = { ...DEFAULT_RULES, postingDays: 10, quorum: { num: 3, den: 4 } };

    // Act
    await store.putRules(DIRECTIVE, YEAR, rules);

    // Assess
    expect(await store.getRules(DIRECTIVE, YEAR)).toEqual(rules);
    expect(await store.getRules(DIRECTIVE, 2030)).toBeUndefined();
  });

  it('stores the clusters as one list, replaced whole', async () => {
    // Prepare
    const cluster = (id: string, members: string[]): Cluster => ({
      id,
      nameVi: `Cụm ${id}`,
      block: 'Khối xã',
      memberIds: members,
      leaderRotation: members,
      rotationFrom: 2027,
      rubric: id === 'cum-1' ? { 'tieu-chi': [{ ten: 'Nông thôn mới', diem: 20 }] } : null,
    });
    await store.putClusters(DIRECTIVE, YEAR, [cluster('cum-0', ['es-x0'])]);

    // Act
    await store.putClusters(DIRECTIVE, YEAR, [cluster('cum-1', ['es-x1', 'es-x2']), cluster('cum-2', ['es-x3'])]);

    // Assess
    expect(await store.clustersOf(DIRECTIVE, YEAR)).toEqual([cluster('cum-1', ['es-x1', 'es-x2']), cluster('cum-2', ['es-x3'])]);
    expect(await store.clustersOf(DIRECTIVE, 2030)).toEqual([]);
  });

  it('keeps one nomination per unit and title: a second replaces the first', async () => {
    // Prepare
    const nomination = (unitId: string, report: string): Candidate => ({
      unitId,
      name: `Xã ${unitId}`,
      titleId: 'co-thi-dua-tinh',
      source: 'nomination',
      achievementReportKey: report,
      nominatedBy: 'es-h0',
    });
    await store.putNomination(DIRECTIVE, YEAR, nomination('es-x0', 'achievements/es-x0/v1.docx'));
    await store.putNomination(DIRECTIVE, YEAR, nomination('es-x1', 'achievements/es-x1/v1.docx'));

    // Act
    await store.putNomination(DIRECTIVE, YEAR, nomination('es-x0', 'achievements/es-x0/v2.docx'));

    // Assess
    expect(await store.nominationsOf(DIRECTIVE, YEAR)).toEqual([nomination('es-x0', 'achievements/es-x0/v2.docx'), nomination('es-x1', 'achievements/es-x1/v1.docx')]);
  });

  it('refuses to guess at a stored record that does not match its schema, naming its key', async () => {
    // Prepare: a registration whose version was damaged, in a directive of its own
    const damaged = { ...registration('es-hong', 1), directiveId: 'es-hong-2027', version: 'một' };
    await aws().doc.send(new PutCommand({ TableName: store.tableName, Item: { PK: 'DIR#es-hong-2027', SK: `EMU#${YEAR}#REG#es-hong`, type: 'registration', ...damaged } }));

    // Act (each read awaited before the next: a rejection nobody awaits yet is reported as unhandled)
    const read = await store.getRegistration('es-hong-2027', YEAR, 'es-hong').catch((e: Error) => e);
    const listed = await store.registrationsOf('es-hong-2027', YEAR).catch((e: Error) => e);

    // Assess
    const named = `Stored registration DIR#es-hong-2027 / EMU#${YEAR}#REG#es-hong does not match its schema: version:`;
    expect(read).toBeInstanceOf(Error);
    expect((read as Error).message).toContain(named);
    expect(listed).toBeInstanceOf(Error);
    expect((listed as Error).message).toContain(named);
  });
});
