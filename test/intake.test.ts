import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { aws } from '../shared/adapters/aws.ts';
import { issueDirective } from '../shared/app/directives.ts';
import { InputError } from '../shared/domain/errors.ts';
import { systemClock } from '../shared/app/ports.ts';
import { presignUpload, uploadLink } from '../shared/app/uploads.ts';
import { reportStorage, uploadSecret } from '../shared/adapters/wiring.ts';
import { uploadReport } from '../local/cli/report.ts';
import { embeddedSession, type Session } from '../local/cli/connect.ts';
import { templateFor } from '../local/cli/report.ts';
import type { Directive } from '../shared/domain/directive.ts';
import { corpus } from './support/corpus.ts';
import { fillTemplate, goodValue } from '../local/sample/reports.ts';
import { eventually, loadProvince, sampleDirective, startFlow, type Flow } from './support/flow.ts';

let flow: Flow;
let session: Session;
let directive: Directive;
const ref = (unit: string) => ({ directiveId: 'in-2027', periodId: '2027-Q1', unitId: unit });

beforeAll(async () => {
  flow = await startFlow();
  session = embeddedSession(flow.stack);
  await loadProvince(flow, 'in', 5);
  await issueDirective(sampleDirective({ id: 'in-2027', issuerId: 'in', targetUnits: { scope: 'children' } }), flow.deps());
  await flow.stack.settle();
  directive = (await flow.repo.getDirective('in-2027'))!;
});

afterAll(async () => {
  await flow?.stack.stop();
});

const mailsTo = async (to: string) => (await flow.stack.inbox()).filter((m) => m.destination.to.includes(to));

describe('report intake through the embedded stack', () => {
  it('accepts a filled template: obligation closed, original kept, receipt with the values read', async () => {
    // Prepare
    const template = await templateFor(ref('in-x0'));
    const filled = await fillTemplate(template, directive, goodValue);

    // Act
    const result = await uploadReport(ref('in-x0'), { name: 'bao-cao-quy-1.xlsx', bytes: filled }, session);

    // Assess
    expect(result).toMatchObject({ status: 'accepted', problems: [] });
    expect(result.key).toMatch(/^reports\/in-2027\/2027-Q1\/in-x0\/[\w-]+\.xlsx$/);
    const [obligation] = await flow.repo.getObligations([ref('in-x0')]);
    expect(obligation).toMatchObject({ status: 'submitted' });
    const stored = await reportStorage().get(result.key, { maxBytes: 10_000_000 });
    expect(Buffer.from(stored.bytes!).equals(Buffer.from(filled))).toBe(true);
    const receipt = (await mailsTo('ubnd.x0@in.test.vn')).find((m) => m.subject.startsWith('[thidua] Đã nhận báo cáo Quý I/2027'));
    expect(receipt?.subject).toBe('[thidua] Đã nhận báo cáo Quý I/2027 – Xã Hàm Liêm 1');
    expect(receipt?.body.text).toMatch(/Thôn 2 .*1\b/);
    expect(receipt?.body.html).toContain('94,2');
  });

  it('rejects a report with each problem, cell by cell, in Vietnamese; the obligation stays open', async () => {
    // Prepare: a percentage over 100, a count that is not whole, and HTML typed into a cell.
    const template = await templateFor(ref('in-x1'));
    const filled = await fillTemplate(template, directive, (row, id) =>
      row === 0 && id === 'bhyt' ? 112 : row === 1 && id === 'dang-vien-moi' ? 2.5 : row === 1 && id === 'thu-gom-rac' ? '<b>tốt</b>' : goodValue(row, id),
    );

    // Act
    const result = await uploadReport(ref('in-x1'), { name: 'bao-cao.xlsx', bytes: filled }, session);

    // Assess
    expect(result.status).toBe('rejected');
    const messages = result.problems.map((p) => p.messageVi);
    expect(messages.some((m) => /^Ô I10: .*phải từ 0 đến 100, nhận được 112/.test(m))).toBe(true);
    expect(messages.some((m) => /Ô J11: .*số nguyên/.test(m))).toBe(true);
    expect(messages.some((m) => m.includes('<b>tốt</b>'))).toBe(true);
    const [obligation] = await flow.repo.getObligations([ref('in-x1')]);
    expect(obligation?.status).toBe('open');
    const rejection = (await mailsTo('ubnd.x1@in.test.vn')).find((m) => m.subject.includes('chưa hợp lệ'));
    expect(rejection?.subject).toBe('[thidua] Báo cáo Quý I/2027 chưa hợp lệ – Xã Hàm Trí 1');
    expect(rejection?.body.html).toContain('&lt;b&gt;tốt&lt;/b&gt;');
    expect(rejection?.body.html).not.toContain('<b>tốt</b>');
    expect(rejection?.body.text).toContain('112');
  });

  it('never lets a link for one unit upload for another', async () => {
    // Prepare
    const secret = await uploadSecret();
    const [a] = await flow.repo.getObligations([ref('in-x2')]);
    const tokenA = new URL(uploadLink(a!, flow.stack.uploadUrl, secret)).searchParams.get('t')!;
    const [payload, signature] = tokenA.split('.');
    const forged = Buffer.from(Buffer.from(payload!, 'base64url').toString('utf8').replace('in-x2', 'in-x3')).toString('base64url');
    const deps = { secret, obligations: flow.repo, directives: flow.repo, units: flow.repo, assignments: flow.repo, storage: reportStorage(), clock: systemClock, maxBytes: 5_000_000, quota: flow.repo, maxUploadsPerHour: 10 };

    // Act
    const own = await presignUpload(tokenA, { name: 'a.xlsx', size: 1000 }, deps);
    const forgedAttempt = await presignUpload(`${forged}.${signature}`, { name: 'a.xlsx', size: 1000 }, deps).catch((e: unknown) => e);
    const page = await fetch(new URL('presign', flow.stack.uploadUrl), { method: 'POST', body: JSON.stringify({ t: `${forged}.${signature}`, fileName: 'a.xlsx', size: 10 }) });

    // Assess
    expect(own.key.startsWith('reports/in-2027/2027-Q1/in-x2/')).toBe(true);
    expect(forgedAttempt).toBeInstanceOf(InputError);
    expect((forgedAttempt as InputError).messageVi).toBe('Đường dẫn nộp báo cáo không hợp lệ');
    expect(page.status).toBe(403);
    expect(await page.json()).toMatchObject({ error: 'Đường dẫn nộp báo cáo không hợp lệ' });
  });

  it('processes a duplicated S3 event once', async () => {
    // Prepare: a good upload, then the very notification S3 sent for it, delivered again.
    const filled = await fillTemplate(await templateFor(ref('in-x3')), directive, goodValue);
    const first = await uploadReport(ref('in-x3'), { name: 'q1.xlsx', bytes: filled }, session);
    const before = (await mailsTo('ubnd.x3@in.test.vn')).length;
    const notification = {
      Records: [{ eventName: 'ObjectCreated:Put', eventTime: new Date().toISOString(), s3: { bucket: { name: 'thidua-reports' }, object: { key: first.key, size: filled.length, eTag: 'x' } } }],
    };
    const head = await aws().s3.send(new (await import('@aws-sdk/client-s3')).HeadObjectCommand({ Bucket: 'thidua-reports', Key: first.key }));
    notification.Records[0]!.s3.object.eTag = (head.ETag ?? '').replaceAll('"', '');

    // Act
    await aws().sqs.send(new SendMessageCommand({ QueueUrl: flow.stack.env.INTAKE_QUEUE_URL!, MessageBody: JSON.stringify(notification) }));
    await flow.stack.settle();

    // Assess
    expect(first.status).toBe('accepted');
    expect(await flow.repo.reportsOf(ref('in-x3'))).toHaveLength(1);
    expect((await mailsTo('ubnd.x3@in.test.vn')).length).toBe(before);
  });

  it('ends every one of 200 malformed files as accepted or rejected with a reason, and loses none', { timeout: 300_000 }, async () => {
    // Prepare
    const valid = await fillTemplate(await templateFor(ref('in-x4')), directive, goodValue);
    const csv = ['thon,' + directive.indicators.map((i) => i.id).join(','), ...['Thôn 1', 'Thôn 2'].map((name, r) => [name, ...directive.indicators.map((i) => String(goodValue(r, i.id)).replace('true', 'có'))].join(','))].join('\n');
    const files = corpus(valid, csv, 200);
    const secret = await uploadSecret();
    const [o] = await flow.repo.getObligations([ref('in-x4')]);
    const token = new URL(uploadLink(o!, flow.stack.uploadUrl, secret)).searchParams.get('t')!;
    // One link for all 200: above the hourly limit of a real link (that limit has its own test).
    process.env.MAX_UPLOADS_PER_HOUR = '1000';
    onTestFinished(() => void delete process.env.MAX_UPLOADS_PER_HOUR);

    // Act: uploaded as the page does, a presigned URL each
    const keys: string[] = [];
    for (const f of files) {
      const p = await fetch(new URL('presign', flow.stack.uploadUrl), { method: 'POST', body: JSON.stringify({ t: token, fileName: f.name, size: f.bytes.length }) });
      const presigned = (await p.json()) as { url: string; key: string; headers: Record<string, string> };
      expect(p.status, f.name).toBe(200);
      const put = await fetch(presigned.url, { method: 'PUT', headers: presigned.headers, body: f.bytes });
      expect(put.ok, f.name).toBe(true);
      keys.push(presigned.key);
    }
    await flow.stack.settle(240_000);

    // Assess: a record for every file, each with a verdict; nothing in any dead-letter queue.
    const records = await eventually('a report record for every upload', async () => {
      const all = await flow.repo.reportsOf(ref('in-x4'));
      return all.length >= files.length ? all : undefined;
    });
    const byKey = new Map(records.map((r) => [r.reportKey, r]));
    const verdicts: Record<string, number> = {};
    for (const [i, key] of keys.entries()) {
      const r = byKey.get(key);
      expect(r, files[i]!.name).toBeDefined();
      if (r!.status === 'rejected') {
        const problems = r!.problems as { messageVi: string }[];
        expect(problems.length, files[i]!.name).toBeGreaterThan(0);
        expect(problems.every((p) => p.messageVi.length > 0)).toBe(true);
      }
      verdicts[`${files[i]!.kind}:${r!.status}`] = (verdicts[`${files[i]!.kind}:${r!.status}`] ?? 0) + 1;
    }
    expect(flow.stack.deadLetters('intake')).toHaveLength(0);
    expect(flow.stack.deadLetters('mail')).toHaveLength(0);
    process.stdout.write(`corpus verdicts: ${JSON.stringify(verdicts)}\n`);
  });
});
