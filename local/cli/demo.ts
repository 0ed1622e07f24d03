import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { amendDirective, issueDirective } from '../../shared/app/directives.ts';
import { systemClock } from '../../shared/app/ports.ts';
import { directiveStatus } from '../../shared/app/status.ts';
import { importUnitsCsv } from '../../shared/app/units.ts';
import { eventPublisher, repository } from '../../shared/adapters/wiring.ts';
import type { DirectiveInput } from '../../shared/domain/directive.ts';
import { formatDateVi } from '../../shared/domain/calendar/index.ts';
import { PROJECT_ROOT, startStack } from '../stack/stack.ts';
import { STATE_DIR } from './connect.ts';
import { EXIT, type Out } from './output.ts';
import { sleep } from '../../shared/retry.ts';
import { addWorkingDays, vietnamDate } from '../../shared/domain/calendar/index.ts';
import { templateFor, uploadReport } from './report.ts';
import { uploadDocument } from './drafts.ts';
import { playConsoleStory, type ConsoleStory } from './demo-console.ts';
import { draftStore } from '../../shared/adapters/wiring.ts';
import { fillTemplate, goodValue } from '../sample/reports.ts';
import { fire, firingsBetween } from '../stack/scheduler.ts';
import type { LocalStack } from '../stack/stack.ts';
import { formatInstantVi } from './clock.ts';
import { loadSamples, SAMPLE_UNITS, signInLines, type SampleSignIn } from './samples.ts';

const KINDS: [RegExp, string][] = [
  [/^\[thidua\] Giao chỉ tiêu/, 'Giao chỉ tiêu'],
  [/^\[thidua\] Điều chỉnh chỉ tiêu/, 'Điều chỉnh chỉ tiêu'],
  [/^\[thidua\] Đề nghị nộp báo cáo/, 'Đề nghị nộp báo cáo'],
  [/^\[thidua\] Nhắc nộp báo cáo/, 'Nhắc hạn nộp'],
  [/^\[thidua\] (Quá hạn nộp báo cáo|Báo cáo quá hạn)/, 'Quá hạn (gửi đơn vị)'],
  [/^\[thidua\] \d+ \S+ chưa nộp báo cáo/, 'Tổng hợp quá hạn gửi cấp trên'],
  [/^\[thidua\] Đã nhận báo cáo/, 'Biên nhận báo cáo'],
  [/^\[thidua\] Báo cáo .* chưa hợp lệ/, 'Báo cáo chưa hợp lệ'],
  [/^\[thidua\] Kết quả thi đua/, 'Kết quả thi đua gửi lãnh đạo'],
  [/^\[thidua\] Đề nghị khen thưởng/, 'Đề nghị khen thưởng'],
  [/^\[thidua\] Tình hình nộp báo cáo/, 'Bản tin tuần: đơn vị chưa nộp'],
  [/^\[thidua\] Đã đọc văn bản/, 'Bản nháp chỉ thị từ văn bản'],
  [/^\[thidua\] Văn bản .* đã có bản nháp/, 'Văn bản đã tải lên trước đó'],
  [/^\[thidua\] Không đọc được văn bản/, 'Văn bản không đọc được'],
  [/^\[thidua\] Báo cáo .* được trả lại/, 'Báo cáo được cấp trên trả lại'],
];

function countKinds(subjects: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of subjects) {
    const kind = KINDS.find(([re]) => re.test(s))?.[1] ?? 'Khác';
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

const vn = (isoDate: string, time: string) => new Date(`${isoDate}T${time}:00+07:00`);

type Ref = { directiveId: string; periodId: string; unitId: string };
type Values = (row: number, indicatorId: string) => number | boolean;
/** No incident anywhere: the communes that keep the "4 không". */
const cleanValue: Values = (row, id) => (id === 'khong-tai-nan' ? 0 : goodValue(row, id));

interface Submission {
  o: Ref & { periodEnd: string; dueDate: string };
  at: Date;
  values: Values;
  mistakeFirst?: boolean;
}

/**
 * Time passes on the simulated clock: every schedule fires in order, and the communes upload their filled
 * templates (through the signed link's presigned URL, as the page does) at the planned moments.
 */
async function simulate(
  stack: LocalStack,
  repo: ReturnType<typeof repository>,
  out: Out,
  setNow: (at: Date) => void,
  window: { from: Date; to: Date; plan: Submission[]; narrate: boolean },
) {
  const directive = (await repo.getDirective('bt-23-ct-tu-2027'))!;
  const session = { inboxUrl: stack.inboxUrl, settle: () => stack.settle(), close: async () => undefined };
  const plan = [...window.plan].sort((a, b) => a.at.getTime() - b.at.getTime());
  const tally = { onTime: 0, late: 0, rejectedFirst: 0, emails: {} as Record<string, number> };
  for (const firing of firingsBetween(window.from, window.to)) {
    let submitted = 0;
    let submittedOn = '';
    while (plan.length && plan[0]!.at < firing.at) {
      const { o, at, values, mistakeFirst } = plan.shift()!;
      setNow(at);
      submittedOn = formatDateVi(vietnamDate(at));
      const ref = { directiveId: o.directiveId, periodId: o.periodId, unitId: o.unitId };
      const template = await templateFor(ref);
      if (mistakeFirst) {
        const wrong = await fillTemplate(template, directive, (row, id) => (row === 0 && id === 'bhyt' ? 112 : values(row, id)));
        if ((await uploadReport(ref, { name: 'bao-cao.xlsx', bytes: wrong }, session)).status === 'rejected') tally.rejectedFirst++;
      }
      const r = await uploadReport(ref, { name: 'bao-cao.xlsx', bytes: await fillTemplate(template, directive, values) }, session);
      if (r.status !== 'accepted') throw new Error(`The sample report of ${o.unitId} was not accepted: ${r.problems.map((p) => p.messageVi).join('; ')}`);
      if (r.onTime) tally.onTime++;
      else tally.late++;
      submitted++;
    }
    setNow(firing.at);
    const before = await stack.inboxCount();
    await fire(firing, eventPublisher());
    await stack.settle();
    const fresh = await stack.inbox({ from: before });
    for (const [k, n] of Object.entries(countKinds(fresh.map((m) => m.subject)))) tally.emails[k] = (tally.emails[k] ?? 0) + n;
    if (!window.narrate) continue;
    if (submitted) out.note(`   ${submittedOn}: ${submitted} xã tải lên báo cáo${mistakeNote(tally, submitted)}`);
    if (fresh.length) {
      const kinds = Object.entries(countKinds(fresh.map((m) => m.subject))).map(([k, n]) => `${n} thư ${k.toLowerCase()}`);
      out.note(`   ${formatInstantVi(firing.at)} (${firing.schedule.id}): ${kinds.join(', ')}`);
    }
  }
  return tally;
}

const mistakeNote = (t: { rejectedFirst: number; late: number }, submitted: number) =>
  t.rejectedFirst && t.late === 0 && submitted > 1 ? ' (1 xã nộp bản có lỗi trước, nhận thư báo lỗi và nộp lại)' : '';

async function obligationsByUnit(repo: ReturnType<typeof repository>) {
  const directiveId = 'bt-23-ct-tu-2027';
  const all = [];
  for await (const page of repo.assignmentsOfDirective({ id: directiveId, shardCount: 1 })) {
    for (const a of page) all.push(...(await repo.obligationsOf(directiveId, a.unitId)));
  }
  const units = [...new Set(all.map((o) => o.unitId))].sort();
  return { units, all };
}

export const SAMPLE_DIRECTIVE = resolve(PROJECT_ROOT, 'local/sample/directive-23-ct-tu-2027.json');
export const SAMPLE_DOCUMENT_PDF = resolve(PROJECT_ROOT, 'local/sample/documents/cong-van-huyen-uy-2020.pdf');
export const SAMPLE_DOCUMENT_DOCX = resolve(PROJECT_ROOT, 'local/sample/documents/cong-van-huyen-uy-2020.docx');

/**
 * The main job on one machine: a fresh embedded stack, Bình Thuận's units, Chỉ thị 23-CT/TU relayed with
 * seed 002's six target groups and the "4 không", then one amendment. Progress while it works, a summary after.
 */
export async function runDemo(out: Out, opts: { verbose: boolean; keep?: boolean | undefined }): Promise<number> {
  const t0 = Date.now();
  const dataDir = resolve(STATE_DIR, 'demo');
  rmSync(dataDir, { recursive: true, force: true });
  out.note('thidua – chạy thử trên máy này: DynamoDB Local, fauxqs (SQS, S3), SES cục bộ, bus sự kiện cục bộ.');
  out.progress('Đang khởi động stack cục bộ…');
  let simulatedNow: Date | undefined;
  const stack = await startStack({ dataDir, logLevel: opts.verbose ? 'INFO' : 'ERROR', now: () => simulatedNow ?? new Date() });
  out.progress(`Stack cục bộ sẵn sàng sau ${((Date.now() - t0) / 1000).toFixed(1)} giây.`);
  out.endProgress();
  try {
    const repo = repository();
    const deps = { directives: repo, units: repo, events: eventPublisher(), clock: systemClock };

    const imported = await importUnitsCsv(readFileSync(SAMPLE_UNITS, 'utf8'), { units: repo });
    out.note(`1. Nhập danh sách đơn vị tỉnh Bình Thuận: ${imported.imported} đơn vị (${imported.byLevel.district ?? 0} huyện, ${imported.byLevel.commune ?? 0} xã/thị trấn, ${imported.byLevel.village ?? 0} thôn/khu phố).`);
    const samples: SampleSignIn[] = stack.console ? (await loadSamples(stack, { units: false })).people : [];
    if (samples.length) out.note(`   Nhập ${samples.length} người dùng mẫu cho bảng điều khiển (mỗi vai trò một người).`);

    const input = JSON.parse(readFileSync(SAMPLE_DIRECTIVE, 'utf8')) as DirectiveInput;
    const tIssue = Date.now();
    const issued = await issueDirective(input, deps);
    const target = issued.targetUnitCount ?? 0;
    out.note(`2. Ban hành ${issued.directive.kind} số ${issued.directive.number} "${issued.directive.title}" cho ${target} xã, thị trấn.`);

    for (;;) {
      const [assigned, mailed] = await Promise.all([repo.countAssignments(issued.directive), repo.countMailSent(issued.directive.id)]);
      out.progress(`   Giao chỉ tiêu: ${assigned.active}/${target} đơn vị · thư đã gửi: ${mailed}/${target}`);
      if (assigned.active >= target && mailed >= target) break;
      if (Date.now() - tIssue > 120_000) throw new Error('Quá 2 phút mà chưa giao xong; chạy lại với --verbose để xem nhật ký');
      await sleep(250);
    }
    await stack.settle();
    out.endProgress();
    const fanOutSeconds = (Date.now() - tIssue) / 1000;

    // An amendment: one commune's road target rises. Only that commune hears about it.
    const amendedUnit = 'bt-htb-ham-liem';
    const amended = await amendDirective({ ...input, unitTargets: { ...input.unitTargets, [amendedUnit]: { 'giao-thong': 4 } } }, deps);
    await stack.settle();
    out.note(`3. Điều chỉnh chỉ thị (phiên bản ${amended.directive.version}): chỉ tiêu giao thông của Xã Hàm Liêm lên 4 km; chỉ xã này nhận thư điều chỉnh.`);

    // A quarter passes on the simulated clock: the window closes on 14/03, reports are requested, some come in,
    // the others are reminded, then told they are late, and their district offices get one list each.
    out.note('4. Quý I/2027 trôi qua trên đồng hồ giả lập (01/03/2027 → 05/04/2027):');
    const setNow = (at: Date) => (simulatedNow = at);
    const { units: communeIds, all } = await obligationsByUnit(repo);
    const kind = (unitId: string) => communeIds.indexOf(unitId);
    // Every second commune reports on the day the window closes and keeps the "4 không" all year; every fifth
    // reports the first quarter late, with an incident; the first one sends a workbook with a mistake first.
    const q1Plan: Submission[] = all
      .filter((o) => o.periodId === '2027-Q1')
      .flatMap((o) => {
        const i = kind(o.unitId);
        if (i % 2 === 0) return [{ o, at: vn(addWorkingDays(o.periodEnd, 1), '09:00'), values: cleanValue, mistakeFirst: i === 0 }];
        if (i % 5 === 1) return [{ o, at: vn(addWorkingDays(o.dueDate, 2), '10:00'), values: goodValue }];
        return [];
      });
    const quarterTally = await simulate(stack, repo, out, setNow, { from: vn('2027-03-01', '00:00'), to: vn('2027-04-05', '00:00'), plan: q1Plan, narrate: true });
    const quarter = { communes: communeIds.length, onTime: quarterTally.onTime, late: quarterTally.late, missing: communeIds.length - quarterTally.onTime - quarterTally.late };

    out.note('5. Các kỳ còn lại đến cuối năm 2027 (các xã đúng hạn tiếp tục nộp đủ; đang chạy nhanh trên đồng hồ giả lập)…');
    const restPlan: Submission[] = all
      .filter((o) => o.periodId !== '2027-Q1' && kind(o.unitId) % 2 === 0)
      .map((o) => ({ o, at: vn(addWorkingDays(o.periodEnd, 1), '09:00'), values: cleanValue }));
    const yearTally = await simulate(stack, repo, out, setNow, { from: vn('2027-04-05', '00:00'), to: vn('2027-12-24', '00:00'), plan: restPlan, narrate: false });
    out.note(`   ${Object.entries(yearTally.emails).map(([k, n]) => `${n} thư ${k.toLowerCase()}`).join(', ')}`);

    // A directive as offices really have it: a PDF of the district's 2020 letter relaying Chỉ thị 23-CT/TU, then
    // the same letter as DOCX. The first becomes a draft to complete; the second is recognised, not drafted again.
    const session = { embedded: stack, inboxUrl: stack.inboxUrl, settle: () => stack.settle(), close: async () => undefined };
    const pdf = await uploadDocument({ path: SAMPLE_DOCUMENT_PDF, bytes: readFileSync(SAMPLE_DOCUMENT_PDF) }, 'bt-htb', session);
    const docx = await uploadDocument({ path: SAMPLE_DOCUMENT_DOCX, bytes: readFileSync(SAMPLE_DOCUMENT_DOCX) }, 'bt-htb', session);
    const draft = 'draftId' in pdf ? await draftStore().getDraft(pdf.draftId) : undefined;
    const documents = {
      pdf: pdf.outcome,
      docx: docx.outcome,
      draftId: draft?.draftId ?? null,
      indicators: draft?.proposal.directive.indicators.length ?? 0,
      missing: draft?.proposal.missing.length ?? 0,
      sameDocument: 'draftId' in docx && docx.draftId === draft?.draftId,
    };
    out.note(
      `6. Huyện Hàm Thuận Bắc tải lên công văn năm 2020 (PDF): bản nháp ${documents.draftId ?? '—'} với ${documents.indicators} chỉ tiêu đề xuất, còn ${documents.missing} mục cần bổ sung; ` +
        `bản DOCX của cùng văn bản ${documents.sameDocument ? 'được nhận ra, không lập bản nháp mới' : 'KHÔNG được nhận ra'}.`,
    );
    // The console's part: an officer splits its town's targets over its villages, the district decides on the quarter.
    const consoleStory: ConsoleStory | undefined = stack.console && samples.length ? await playConsoleStory(stack, issued.directive.id) : undefined;
    if (consoleStory) {
      out.note(
        `7. Trên bảng điều khiển: cán bộ Thị trấn Ma Lâm giao chỉ tiêu cho ${consoleStory.villages} khu phố; Huyện Hàm Thuận Bắc duyệt ${consoleStory.approved} báo cáo Quý I/2027` +
          (consoleStory.returned ? ` và trả lại báo cáo của ${consoleStory.returned.unitName} kèm lý do.` : '.'),
      );
    }
    const status = await directiveStatus(issued.directive.id, { directives: repo, status: repo });
    const inbox = await stack.inbox();
    const deadLetters = (['assignment', 'notify', 'intake', 'results', 'mail', 'documents', 'events'] as const).reduce((n, q) => n + stack.deadLetters(q).length, 0);
    const summary = {
      directiveId: status.directive.id,
      version: status.directive.version,
      unitsImported: imported.imported,
      assignments: status.assignments.active,
      obligations: status.periods.map((p) => ({ period: p.id, label: p.label, due: p.due, open: p.obligations.open })),
      emailsInInbox: inbox.length,
      emailsByKind: countKinds(inbox.map((m) => m.subject)),
      quarter,
      documents,
      console: consoleStory ?? null,
      emailsRecorded: status.mailSent,
      deadLetters,
      fanOutSeconds,
      totalSeconds: (Date.now() - t0) / 1000,
      inboxUrl: stack.inboxUrl,
      consoleUrl: stack.console?.url ?? null,
      sampleSignIns: samples.map(({ role, email }) => ({ role, email })),
    };
    out.result(summary, () =>
      [
        '',
        'Tóm tắt',
        `  Đơn vị được giao chỉ tiêu: ${summary.assignments} (trong ${fanOutSeconds.toFixed(1)} giây kể từ khi ban hành)`,
        `  Nghĩa vụ báo cáo còn mở: ${summary.obligations.reduce((n, o) => n + o.open, 0)} (${summary.obligations.map((o) => `${o.label}: hạn ${formatDateVi(o.due)}`).join('; ')})`,
        `  Báo cáo Quý I/2027: ${quarter.onTime} xã nộp đúng hạn, ${quarter.late} xã nộp muộn, ${quarter.missing} xã chưa nộp`,
        `  Văn bản tải lên: 2 tệp, 1 bản nháp chỉ thị (${documents.draftId}), xem: npm run thidua -- directive draft show ${documents.draftId}`,
        `  Thư trong hộp thư cục bộ: ${summary.emailsInInbox}`,
        ...Object.entries(summary.emailsByKind).map(([kind, n]) => `    ${kind}: ${n}`),
        `  Tin nhắn lỗi trong hàng đợi thư chết (DLQ): ${deadLetters}`,
        `  Hộp thư: ${stack.inboxUrl}`,
        ...(stack.console ? signInLines(stack.console.url, samples).map((l) => `  ${l}`) : []),
        `  Tổng thời gian: ${summary.totalSeconds.toFixed(1)} giây. Thử từng lệnh: npm run thidua -- up, rồi npm run thidua -- --help`,
      ].join('\n'),
    );
    const ok =
      summary.assignments === target &&
      summary.emailsByKind['Giao chỉ tiêu'] === target &&
      summary.emailsByKind['Điều chỉnh chỉ tiêu'] === 1 &&
      (summary.emailsByKind['Kết quả thi đua gửi lãnh đạo'] ?? 0) > 0 &&
      summary.emailsByKind['Đề nghị khen thưởng'] === 1 &&
      documents.pdf === 'drafted' &&
      documents.sameDocument &&
      samples.length === 6 &&
      (consoleStory?.villages ?? 0) > 0 &&
      (consoleStory?.approved ?? 0) > 0 &&
      summary.emailsByKind['Báo cáo được cấp trên trả lại'] === 1 &&
      deadLetters === 0;
    const keep = opts.keep ?? (process.stdout.isTTY && process.stdin.isTTY && !process.env.CI);
    if (keep) {
      out.note(`\nHộp thư cục bộ${stack.console ? ' và bảng điều khiển' : ''} vẫn mở. Nhấn Ctrl+C để dừng.`);
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
    }
    return ok ? EXIT.ok : EXIT.failed;
  } finally {
    await stack.stop();
  }
}
