/**
 * The intake under what a hostile user and a real AWS account do: uploads for a withdrawn directive, a link used to
 * flood a unit's inbox with rejections, a process that dies between two writes, two files accepted at once, and a
 * file whose message was lost.
 */
import { unpackMailMessage } from '../events/mail-batch.ts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws } from '../shared/adapters/aws.ts';
import { intakeQueue, mailQueue, reportStorage, repository, eventPublisher, uploadSecret } from '../shared/adapters/wiring.ts';
import { SqsWorkQueue } from '../shared/adapters/sqs.ts';
import { issueDirective, withdrawDirective } from '../shared/app/directives.ts';
import { processUpload, type IntakeDeps } from '../shared/app/intake.ts';
import { reconcileUploads, type ReplayedNotification } from '../shared/app/reconcile.ts';
import { uploadLink } from '../shared/app/uploads.ts';
import type { Directive } from '../shared/domain/directive.ts';
import { templateFor } from '../local/cli/report.ts';
import { fillTemplate, goodValue } from '../local/sample/reports.ts';
import { eventually, loadProvince, sampleDirective, startFlow, type Flow } from './support/flow.ts';

let flow: Flow;
let directive: Directive;
const WINDOW_SECONDS = 8;
const ref = (unitId: string, directiveId = 'ih-2027') => ({ directiveId, periodId: '2027-Q1', unitId });
const officer = (c: number) => `ubnd.x${c}@ih.test.vn`;

beforeAll(async () => {
  flow = await startFlow({ rejectionMailWindowSeconds: WINDOW_SECONDS });
  await loadProvince(flow, 'ih', 8);
  await issueDirective(sampleDirective({ id: 'ih-2027', issuerId: 'ih', targetUnits: { scope: 'children' } }), flow.deps());
  await issueDirective(sampleDirective({ id: 'ih-rut-2027', number: '31-CT/TU', issuerId: 'ih', targetUnits: { scope: 'children' } }), flow.deps());
  await flow.stack.settle();
  directive = (await flow.repo.getDirective('ih-2027'))!;
});

afterAll(async () => {
  await flow?.stack.stop();
});

const mailsTo = async (to: string) => (await flow.stack.inbox()).filter((m) => m.destination.to.includes(to));

/** Presigns an upload as the page does; the PUT is the caller's (`put`), so a test can put it later. */
async function presign(r: ReturnType<typeof ref>, fileName: string, size: number): Promise<{ key: string; put: (bytes: Uint8Array) => Promise<Response> }> {
  const [o] = await flow.repo.getObligations([r]);
  const token = new URL(uploadLink(o!, flow.stack.uploadUrl, await uploadSecret())).searchParams.get('t')!;
  const res = await fetch(new URL('presign', flow.stack.uploadUrl), { method: 'POST', body: JSON.stringify({ t: token, fileName, size }) });
  expect(res.status, await res.clone().text()).toBe(200);
  const p = (await res.json()) as { url: string; key: string; headers: Record<string, string> };
  return { key: p.key, put: (bytes) => fetch(p.url, { method: 'PUT', headers: p.headers, body: bytes }) };
}

async function upload(r: ReturnType<typeof ref>, fileName: string, bytes: Uint8Array): Promise<string> {
  const p = await presign(r, fileName, bytes.length);
  expect((await p.put(bytes)).ok).toBe(true);
  return p.key;
}

const verdictOf = async (r: ReturnType<typeof ref>, key: string) => (await flow.repo.reportsOf(r)).filter((x) => x.reportKey === key);

const badCsv = (n: number) => new TextEncoder().encode(`thon,bhyt\nThôn 1,${100 + n}\n`);

describe('a withdrawn directive takes no more reports', () => {
  it('rejects an upload that arrives after the withdrawal, and says so by email; nothing counts it', async () => {
    // Prepare: the link was opened and the upload presigned before the directive was withdrawn.
    const r = ref('ih-x0', 'ih-rut-2027');
    const filled = await fillTemplate(await templateFor(r), directive, goodValue);
    const pending = await presign(r, 'bao-cao.xlsx', filled.length);
    await withdrawDirective('ih-rut-2027', 'Trùng nội dung với Chỉ thị 23-CT/TU', flow.deps());
    await flow.stack.settle();

    // Act
    expect((await pending.put(filled)).ok).toBe(true);
    await flow.stack.settle();

    // Assess
    const records = await eventually('the verdict', async () => ((await verdictOf(r, pending.key)).length ? verdictOf(r, pending.key) : undefined));
    expect(records.map((x) => x.status)).toEqual(['rejected']);
    expect((records[0]!.problems as { code: string; messageVi: string }[])[0]).toMatchObject({ code: 'withdrawn' });
    const [obligation] = await flow.repo.getObligations([r]);
    expect(obligation?.status).toBe('cancelled');
    const mail = (await mailsTo(officer(0))).find((m) => m.subject.startsWith('[thidua] Không cần nộp báo cáo Quý I/2027'));
    expect(mail?.body.text).toMatch(/Chỉ thị số 31-CT\/TU đã được thu hồi ngày \d{2}\/\d{2}\/\d{4} \(lý do: Trùng nội dung với Chỉ thị 23-CT\/TU\)/);
    expect(mail?.body.text).toContain('Đơn vị không cần làm gì thêm với báo cáo này.');
    expect(mail?.body.text).not.toContain('sửa và nộp lại');
  });
});

describe('one rejection email per report and window', () => {
  it('tells the first rejection at once and the latest of the next ones when the window ends, with the count', async () => {
    // Prepare
    const r = ref('ih-x1');
    const before = (await mailsTo(officer(1))).length;

    // Act: a bad file, told at once; then two more within the window
    const keys = [await upload(r, 'loi-1.csv', badCsv(1))];
    await eventually('the first rejection email', async () => ((await mailsTo(officer(1))).length > before ? true : undefined));
    for (let n = 2; n <= 3; n++) keys.push(await upload(r, `loi-${n}.csv`, badCsv(n)));
    await flow.stack.settle();

    // Assess: three verdicts on record; two emails (the first now, the third at the window's end), not three
    const records = await eventually('three verdicts', async () => ((await flow.repo.reportsOf(r)).length >= 3 ? flow.repo.reportsOf(r) : undefined));
    expect(records.map((x) => x.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const mails = await eventually('the second rejection email', async () => {
      const m = (await mailsTo(officer(1))).slice(before).filter((x) => x.subject.includes('chưa hợp lệ'));
      return m.length >= 2 ? m : undefined;
    }, 30_000);
    await flow.stack.settle();
    const all = (await mailsTo(officer(1))).slice(before).filter((x) => x.subject.includes('chưa hợp lệ'));
    expect(all).toHaveLength(2);
    const fileOf = (key: string) => key.slice(key.lastIndexOf('/') + 1);
    expect(all[0]!.body.text).toContain(fileOf(keys[0]!));
    expect(all[0]!.body.text).not.toContain('Kể từ thư báo lỗi trước');
    expect(mails[1]!.body.text).toContain('Kể từ thư báo lỗi trước, đơn vị đã nộp 2 tệp chưa hợp lệ; thư này nêu lỗi của tệp mới nhất.');
    expect(mails[1]!.body.text).toContain(fileOf(keys[2]!));
    expect(flow.stack.deadLetters('intake')).toHaveLength(0);
  });
});

/** Fails every DynamoDB write that would record a report (a PutItem of a REPORT# item, or a transaction holding one). */
function failReportWrites(doc: DynamoDBDocumentClient, name: string): () => void {
  doc.middlewareStack.add(
    (next) => async (args) => {
      const text = JSON.stringify(args.input ?? {});
      const writes = 'Item' in (args.input as object) || 'TransactItems' in (args.input as object);
      if (writes && text.includes('"SK":"REPORT#ih-2027#')) throw Object.assign(new Error('Injected: the process died here'), { name: 'InternalServerError' });
      return next(args);
    },
    { step: 'initialize', name },
  );
  return () => doc.middlewareStack.remove(name);
}

/** The nightly reconciliation, run once the files are older than its grace period. */
const reconcileAfterGrace = () =>
  reconcileUploads(new Date(Date.now() + 31 * 60_000), {
    directives: flow.repo,
    reports: flow.repo,
    storage: reportStorage(),
    intake: new SqsWorkQueue<ReplayedNotification>(aws().sqs, flow.stack.env.INTAKE_QUEUE_URL!),
    calendar: flow.repo,
  });

describe('a crash between two writes', () => {
  it('leaves nothing half-done: the unit is not counted without its values, and the nightly reconciliation finishes the work', async () => {
    // Prepare: every attempt to record this unit's report fails until the message is dead-lettered.
    const r = ref('ih-x2');
    const filled = await fillTemplate(await templateFor(r), directive, goodValue);
    const heal = failReportWrites(aws().doc, 'failReportWrites');

    // Act
    let key: string;
    try {
      key = await upload(r, 'bao-cao.xlsx', filled);
      await eventually('the upload in the dead-letter queue', async () => (flow.stack.deadLetters('intake').length ? true : undefined), 60_000);
    } finally {
      heal();
    }

    // Assess: all or nothing — still open, no record, no receipt
    const [stuck] = await flow.repo.getObligations([r]);
    expect(stuck?.status).toBe('open');
    expect(await flow.repo.reportsOf(r)).toEqual([]);
    expect((await mailsTo(officer(2))).filter((m) => m.subject.startsWith('[thidua] Đã nhận báo cáo'))).toEqual([]);

    // Act: the nightly reconciliation, once the file is old enough to be judged lost
    const result = await reconcileAfterGrace();
    await flow.stack.settle();

    // Assess: this file, and only files without a verdict, went back through the intake; accepted once, one receipt
    expect(result.withoutVerdict).toEqual([key]);
    const [closed] = await flow.repo.getObligations([r]);
    expect(closed).toMatchObject({ status: 'submitted', acceptedReports: 1 });
    expect((await flow.repo.reportsOf(r)).map((x) => x.status)).toEqual(['accepted']);
    const receipts = await eventually('the receipt', async () => {
      const m = (await mailsTo(officer(2))).filter((x) => x.subject.startsWith('[thidua] Đã nhận báo cáo'));
      return m.length ? m : undefined;
    });
    expect(receipts).toHaveLength(1);
    const again = await reconcileAfterGrace();
    expect(again.withoutVerdict).toEqual([]);
  });
});

/** Fails, once, the first SQS send whose body mentions `marker` (the process dies right after its transaction). */
type SendInput = { MessageBody?: string; Entries?: { MessageBody?: string }[] };

/** Whether a SendMessage(Batch) carries `marker`, in a body or in a mail packed (gzip-compressed) into a batch. */
function carries(input: SendInput | undefined, marker: string): boolean {
  return [input?.MessageBody, ...(input?.Entries ?? []).map((e) => e.MessageBody)].some((body) => {
    if (!body) return false;
    if (body.includes(marker)) return true;
    try {
      return unpackMailMessage(JSON.parse(body)).mails.some((m) => m.key.includes(marker));
    } catch {
      return false;
    }
  });
}

function failOnceSending(marker: string, name: string): { failed: () => boolean; heal: () => void } {
  const sqs = aws().sqs;
  let failed = false;
  sqs.middlewareStack.add(
    (next) => async (args) => {
      if (!failed && carries(args.input as SendInput, marker)) {
        failed = true;
        throw Object.assign(new Error('Injected: the process died before sending'), { name: 'InternalError' });
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  return { failed: () => failed, heal: () => sqs.middlewareStack.remove(name) };
}

describe('a crash after the verdict is on file', () => {
  it('tells an accepted file exactly once: the retry finds the verdict, sends the receipt, counts nothing twice', async () => {
    // Prepare: the receipt cannot be queued the first time
    const r = ref('ih-x4');
    const filled = await fillTemplate(await templateFor(r), directive, goodValue);
    const crash = failOnceSending('receipt:reports/ih-2027/2027-Q1/ih-x4/', 'failReceiptOnce');

    // Act
    try {
      await upload(r, 'bao-cao.xlsx', filled);
      await flow.stack.settle();
    } finally {
      crash.heal();
    }

    // Assess
    expect(crash.failed()).toBe(true);
    const receipts = await eventually('the receipt', async () => {
      const m = (await mailsTo(officer(4))).filter((x) => x.subject.startsWith('[thidua] Đã nhận báo cáo'));
      return m.length ? m : undefined;
    });
    expect(receipts).toHaveLength(1);
    expect((await flow.repo.reportsOf(r)).map((x) => [x.status, x.resubmission])).toEqual([['accepted', false]]);
    expect((await flow.repo.getObligations([r]))[0]).toMatchObject({ status: 'submitted', acceptedReports: 1 });
    expect(flow.stack.deadLetters('intake').filter((m) => m.body.includes('/ih-x4/'))).toEqual([]);
  });

  it('still tells a waiting rejection when the end of its window could not be scheduled the first time', async () => {
    // Prepare: a first bad file opens the window; scheduling the window's end fails once for the second
    const r = ref('ih-x5');
    const before = (await mailsTo(officer(5))).length;
    await upload(r, 'loi-1.csv', badCsv(1));
    await eventually('the first rejection email', async () => ((await mailsTo(officer(5))).length > before ? true : undefined));
    const crash = failOnceSending('rejection-mail-due:ih-2027/2027-Q1/ih-x5:', 'failWindowEndOnce');

    // Act
    let second: string;
    try {
      second = await upload(r, 'loi-2.csv', badCsv(2));
      await flow.stack.settle();
    } finally {
      crash.heal();
    }

    // Assess: the retry scheduled it; the second file's verdict arrives when the window ends
    expect(crash.failed()).toBe(true);
    const mails = await eventually('the waiting rejection', async () => {
      const m = (await mailsTo(officer(5))).slice(before).filter((x) => x.subject.includes('chưa hợp lệ'));
      return m.length >= 2 ? m : undefined;
    }, 30_000);
    expect(mails[1]!.body.text).toContain(second.slice(second.lastIndexOf('/') + 1));
    expect(flow.stack.deadLetters('intake').filter((m) => m.body.includes('ih-x5'))).toEqual([]);
  });
});

/** The first two reads of one obligation wait for each other (at most 5 s): two processes then race to close it. */
function readTogether(doc: DynamoDBDocumentClient, obligationSk: string, name: string): () => void {
  let waiting: (() => void)[] = [];
  let released = false;
  doc.middlewareStack.add(
    (next) => async (args) => {
      if (!released && JSON.stringify(args.input ?? {}).includes(`"SK":"${obligationSk}"`) && 'RequestItems' in (args.input as object)) {
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          if (waiting.length >= 2) {
            released = true;
            for (const w of waiting) w();
            waiting = [];
          } else setTimeout(resolve, 5_000);
        });
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  return () => doc.middlewareStack.remove(name);
}

describe('two files accepted at the same moment', () => {
  it('makes exactly one of them the resubmission', async () => {
    // Prepare: two filled workbooks in the bucket, read by two intakes at once
    const r = ref('ih-x3');
    const filled = await fillTemplate(await templateFor(r), directive, goodValue);
    const storage = reportStorage();
    const keys = ['reports/ih-2027/2027-Q1/ih-x3/20270316000000-aaaaaaaa.xlsx', 'reports/ih-2027/2027-Q1/ih-x3/20270316000001-bbbbbbbb.xlsx'];
    const repo = repository();
    const deps: IntakeDeps = { storage, obligations: repo, assignments: repo, directives: repo, units: repo, reports: repo, events: eventPublisher(), mail: mailQueue(), later: intakeQueue(), rejectionMail: repo };
    const together = readTogether(aws().doc, 'OBL#ih-2027#2027-Q1', 'readTogether');

    // Act
    let results;
    try {
      for (const key of keys) await storage.put(key, filled, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      results = await Promise.all(keys.map((key, i) => processUpload({ key, receivedAt: `2027-03-16T0${i}:00:00.000Z` }, deps)));
    } finally {
      together();
    }
    await flow.stack.settle();

    // Assess
    expect(results.map((x) => x.outcome)).toEqual(['accepted', 'accepted']);
    const records = (await flow.repo.reportsOf(r)).filter((x) => keys.includes(x.reportKey));
    expect(records).toHaveLength(2);
    expect(records.map((x) => x.resubmission).sort()).toEqual([false, true]);
    const [obligation] = await flow.repo.getObligations([r]);
    expect(obligation).toMatchObject({ status: 'submitted', acceptedReports: 2 });
  });
});
