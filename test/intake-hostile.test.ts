/**
 * Issue 11 end to end: hostile files uploaded through one link (it presigns as many uploads as asked) are read in the
 * intake function's budgeted worker and each ends as a rejection with a reason, told by email (one now, the rest
 * together when the unit's rejection-email window ends); nothing is retried to death.
 * Before the fix, the first file alone held the intake function for over two minutes.
 */
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDirective } from '../shared/app/directives.ts';
import { uploadSecret } from '../shared/adapters/wiring.ts';
import { uploadLink } from '../shared/app/uploads.ts';
import { templateFor } from '../local/cli/report.ts';
import { fillTemplate, goodValue } from '../local/sample/reports.ts';
import { CSV_SHAPES, JSON_SHAPES, XLSX_SHAPES } from './fixtures/reports/adversarial.ts';
import { eventually, loadProvince, sampleDirective, startFlow, type Flow } from './support/flow.ts';

let flow: Flow;
const ref = { directiveId: 'hb-2027', periodId: '2027-Q1', unitId: 'hb-x0' };

beforeAll(async () => {
  flow = await startFlow();
  await loadProvince(flow, 'hb', 1);
  await issueDirective(sampleDirective({ id: 'hb-2027', issuerId: 'hb', targetUnits: { scope: 'children' } }), flow.deps());
  await flow.stack.settle();
});

afterAll(async () => {
  await flow?.stack.stop();
});

describe('hostile report files through the embedded stack', () => {
  it('ends each as a rejection with a reason, told by email, with every dead-letter queue empty', { timeout: 300_000 }, async () => {
    // Prepare: the issue's 400 KB file, a quote never closed, a 16,000-cell row, and JSON nested 10^5 deep
    const directive = (await flow.repo.getDirective('hb-2027'))!;
    const header = ['thon', ...directive.indicators.map((i) => i.id)].join(',');
    const workbook = await fillTemplate(await templateFor(ref), directive, goodValue);
    const files = [
      { name: 'bao-cao-1.csv', bytes: Buffer.from(CSV_SHAPES['quote-comma-run']!(400_000, header)) },
      { name: 'bao-cao-2.csv', bytes: Buffer.from(CSV_SHAPES['quoted-run-never-closed']!(400_000, header)) },
      { name: 'bao-cao-3.xlsx', bytes: Buffer.from(XLSX_SHAPES['row-of-16000-cells']!(unzipSync(workbook))) },
      { name: 'bao-cao-4.json', bytes: Buffer.from(JSON_SHAPES['nesting-10^5']!()) },
    ];
    const [obligation] = await flow.repo.getObligations([ref]);
    const token = new URL(uploadLink(obligation!, flow.stack.uploadUrl, await uploadSecret())).searchParams.get('t')!;

    // Act: uploaded as the page does, one link, a presigned URL each
    const keys: string[] = [];
    for (const f of files) {
      const presign = await fetch(new URL('presign', flow.stack.uploadUrl), { method: 'POST', body: JSON.stringify({ t: token, fileName: f.name, size: f.bytes.length }) });
      const presigned = (await presign.json()) as { url: string; key: string; headers: Record<string, string> };
      const put = await fetch(presigned.url, { method: 'PUT', headers: presigned.headers, body: f.bytes });
      expect(put.ok, f.name).toBe(true);
      keys.push(presigned.key);
    }
    await flow.stack.settle(240_000);

    // Assess
    const records = await eventually('a report record for every upload', async () => {
      const all = await flow.repo.reportsOf(ref);
      return all.length >= files.length ? all : undefined;
    });
    for (const [i, key] of keys.entries()) {
      const record = records.find((r) => r.reportKey === key);
      expect(record?.status, files[i]!.name).toBe('rejected');
      const problems = (record?.problems ?? []) as { code: string; messageVi: string }[];
      expect(problems.length, files[i]!.name).toBeGreaterThan(0);
      for (const p of problems) expect(p.messageVi, files[i]!.name).toMatch(/[ạảãáàâầấậẩẫăắằặẳẵêềếệểễôồốộổỗơờớợởỡưừứựửữđ]/);
    }
    // One link, four rejections: one email at once, and one when the window ends, telling the latest with the count.
    const rejections = (await flow.stack.inbox()).filter((m) => m.destination.to.includes('ubnd.x0@hb.test.vn') && m.subject.includes('chưa hợp lệ'));
    const told = rejections.map((m) => Number(/đơn vị đã nộp (\d+) tệp chưa hợp lệ/.exec(m.body.text ?? '')?.[1] ?? 1));
    expect(told.reduce((a, b) => a + b, 0)).toBe(files.length);
    expect(rejections.length).toBeLessThan(files.length);
    expect(flow.stack.deadLetters('intake')).toHaveLength(0);
    expect(flow.stack.deadLetters('mail')).toHaveLength(0);
  });
});
