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
import { embeddedSession, STATE_DIR } from './connect.ts';
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
import {
  issueDecision,
  leaveOpinion,
  playPreviousYear,
  PREVIOUS_DIRECTIVE_ID,
  checkLinks,
  recordCouncilSession,
  sendClusterRankings,
  registerEarly,
  registerLate,
  sendReview,
  uploadClusters,
  type CouncilStory,
  type DecisionStory,
  type PreviousYear,
  type Registrations,
} from './demo-year.ts';
import { moneyVi } from '../../shared/domain/emulation/money.ts';

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
  [/^\[thidua\] Nhắc đăng ký thi đua/, 'Nhắc đăng ký thi đua'],
  [/^\[thidua\] Đăng ký thi đua năm \d+ (đã được duyệt|được trả lại)/, 'Đăng ký thi đua được duyệt hoặc trả lại'],
  [/^\[thidua\] Xếp hạng /, 'Xếp hạng cụm thi đua'],
  [/^\[thidua\] Quyết định khen thưởng/, 'Quyết định khen thưởng'],
  [/^\[thidua\] Kết quả \d+ năm/, 'Sơ kết nhiều năm gửi lãnh đạo'],
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
  const session = embeddedSession(stack);
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

interface YearEnd {
  council: CouncilStory;
  opinions: number;
  decision: DecisionStory;
  review: { path: string; years: number[]; subject: string };
  /** Places the summary points to that did not answer as they should (none expected). */
  brokenLinks: string[];
}

/**
 * Year end, after the year's results: the council's session on 24/12/2027, the public posting with one opinion, the
 * posting's days passing on the simulated clock, the decision on the next working day after it, the two-year review.
 */
async function playYearEnd(stack: LocalStack, out: Out, setNow: (at: Date) => void, directiveId: string): Promise<YearEnd> {
  const repo = repository();
  const pass = (from: Date, to: Date) => simulate(stack, repo, out, setNow, { from, to, plan: [], narrate: false });
  await pass(vn('2027-12-24', '00:00'), vn('2027-12-24', '08:00'));
  await sendClusterRankings(stack, directiveId);
  setNow(vn('2027-12-24', '09:00'));
  const council = await recordCouncilSession(stack, directiveId);
  const failed = council.failed.map((f) => `${f.name} (${f.titleVi}: ${f.explanationVi})`).join('; ');
  out.note('11. Sáng 24/12/2027 văn phòng tỉnh gửi bảng xếp hạng năm của từng cụm thi đua cho đơn vị trưởng cụm.');
  out.note(
    `12. Thư ký hội đồng ghi phiên họp bình xét ngày 24/12/2027 trên bảng điều khiển: ${council.present}/${council.members} thành viên có mặt, ` +
      `${council.candidates} đề nghị; ${council.passed} đạt, ${council.failed.length} không đạt${failed ? ` – ${failed}` : ''}. Biên bản (DOCX) được tạo.`,
  );
  setNow(vn('2027-12-24', '15:30'));
  const opinions = await leaveOpinion(stack, council.postingPath);
  const decisionDay = addWorkingDays(council.postingEndsOn, 1);
  const passed = await pass(vn('2027-12-24', '16:00'), vn(decisionDay, '08:00'));
  out.note(
    `13. Danh sách được niêm yết công khai đến hết ${formatDateVi(council.postingEndsOn)} tại ${council.postingPath}; một người dân gửi ý kiến không cần đăng nhập ` +
      `(văn phòng nhận ${opinions} ý kiến). Đồng hồ giả lập chạy đến ${formatDateVi(decisionDay)}` +
      `${Object.keys(passed.emails).length ? ` (${Object.entries(passed.emails).map(([k, n]) => `${n} thư ${k.toLowerCase()}`).join(', ')})` : ''}.`,
  );
  setNow(vn(decisionDay, '09:00'));
  const decision = await issueDecision(stack, directiveId, council.postingId, decisionDay);
  out.note(
    `14. Văn phòng tỉnh ban hành Quyết định số ${decision.number} ngày ${formatDateVi(decision.issuedOn)}: ${decision.awards} đơn vị được khen thưởng, tổng ${decision.totalVi} ` +
      `(${decision.byTitle.map((t) => `${t.titleVi}: ${t.units} đơn vị, ${t.amountVi}`).join('; ')}); mỗi đơn vị nhận thư thông báo.`,
  );
  setNow(vn(decisionDay, '10:00'));
  const before = await stack.inboxCount();
  const sent = await sendReview(stack, [PREVIOUS_DIRECTIVE_ID, directiveId]);
  const subject = (await stack.inbox({ from: before })).map((m) => m.subject).find((x) => /^\[thidua\] Kết quả \d+ năm/.test(x)) ?? '';
  const review = { ...sent, subject };
  out.note(`15. Văn phòng tỉnh gửi báo cáo sơ kết ${review.years.length} năm (${review.years.join('–')}) cho lãnh đạo tỉnh, kèm bảng tính XLSX: "${subject.replace(/^\[thidua\] /, '')}".`);
  const brokenLinks = await checkLinks(stack, { yearPath: `/emulation/${encodeURIComponent(directiveId)}`, reviewPath: review.path, decisionPath: decision.documentPath, postingPath: council.postingPath });
  return { council, opinions, decision, review, brokenLinks };
}

export const SAMPLE_DIRECTIVE = resolve(PROJECT_ROOT, 'local/sample/directive-23-ct-tu-2027.json');
export const SAMPLE_DOCUMENT_PDF = resolve(PROJECT_ROOT, 'local/sample/documents/cong-van-huyen-uy-2020.pdf');
export const SAMPLE_DOCUMENT_DOCX = resolve(PROJECT_ROOT, 'local/sample/documents/cong-van-huyen-uy-2020.docx');

/**
 * The main job on one machine: a fresh embedded stack, Bình Thuận's units, Chỉ thị 23-CT/TU relayed with
 * seed 002's six target groups and the "4 không", then one amendment; the year passes on a simulated clock with its
 * emulation year (clusters, registration, the council, the decision, a two-year review with 2026 — demo-year.ts).
 * Progress while it works, a summary after, with where to see each part.
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

    const setNow = (at: Date) => (simulatedNow = at);
    const { units: communeIds, all } = await obligationsByUnit(repo);
    const kind = (unitId: string) => communeIds.indexOf(unitId);
    // The emulation year needs the console (its routes) and the sample people who act in it.
    const playYear = !!stack.console && samples.length > 0;

    // The year's clusters, saved by the province office as soon as the directive is out.
    const clusters = playYear ? await uploadClusters(stack, issued.directive.id) : undefined;
    if (clusters) {
      out.note(
        `4. Văn phòng thi đua tỉnh tải lên tệp cụm thi đua (local/sample/clusters-2027.csv) trên bảng điều khiển: ${clusters.clusters} cụm thuộc khối "Xã, thị trấn", ` +
          `${clusters.members} xã, thị trấn của ${clusters.districts} huyện khác nhau.`,
      );
    }

    // The year before, so that the year's end has a two-year review: Chỉ thị 23-CT/TU relayed for 2026, its year report only.
    const previousYear: PreviousYear | undefined = playYear ? await playPreviousYear(stack, input, setNow) : undefined;
    if (previousYear) {
      out.note(
        `5. Năm trước để so sánh: chỉ thị cùng số áp dụng cho năm 2026 (${previousYear.directiveId}, chỉ báo cáo cả năm); ` +
          `${previousYear.reported}/${previousYear.communes} xã tải lên báo cáo năm 2026 ngày 15/12/2026 và kết quả năm 2026 được khóa sổ ngày 22/12/2026 (${previousYear.seconds.toFixed(1)} giây).`,
      );
    }

    // Registration for 2027: most communes register in January and are approved; a few do not and are reminded.
    const notRegistered = communeIds.filter((id, i) => i % 8 === 3 && id !== 'bt-htb-ma-lam');
    const registrations: Registrations | undefined = playYear ? await registerEarly(stack, issued.directive.id, communeIds, notRegistered, setNow) : undefined;
    if (registrations) {
      out.note(
        `6. Đăng ký thi đua năm 2027 (tháng 1/2027): cán bộ Thị trấn Ma Lâm đăng ký và ký giao ước của cụm trên bảng điều khiển; ` +
          `${registrations.onTime - 1} xã khác đăng ký qua cùng chức năng đăng ký (register(), như biểu mẫu của cán bộ từng xã); ` +
          `văn phòng tỉnh duyệt ${registrations.approved} đăng ký. ${notRegistered.length} xã chưa đăng ký (hạn 31/03/2027).`,
      );
    }

    // A quarter passes on the simulated clock: the window closes on 14/03, reports are requested, some come in,
    // the others are reminded, then told they are late, and their district offices get one list each.
    out.note(`7. Quý I/2027 trôi qua trên đồng hồ giả lập (01/03/2027 → 05/04/2027)${registrations ? '; buổi sáng hệ thống cũng nhắc các xã chưa đăng ký thi đua' : ''}:`);
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
    const lateRegistered = notRegistered.slice(0, 2);
    if (registrations) {
      const late = await registerLate(stack, issued.directive.id, lateRegistered, setNow);
      registrations.late = late.approved;
      registrations.approved += late.approved;
      out.note(`   06/04/2027: sau thư nhắc, ${late.approved} xã đăng ký muộn (${late.names.join(', ')}); văn phòng tỉnh duyệt ngày 07/04/2027. ${notRegistered.length - late.approved} xã không đăng ký.`);
    }

    out.note('8. Các kỳ còn lại đến cuối năm 2027 (các xã đúng hạn tiếp tục nộp đủ; đang chạy nhanh trên đồng hồ giả lập)…');
    const restPlan: Submission[] = all
      .filter((o) => o.periodId !== '2027-Q1' && kind(o.unitId) % 2 === 0)
      .map((o) => ({ o, at: vn(addWorkingDays(o.periodEnd, 1), '09:00'), values: cleanValue }));
    const yearTally = await simulate(stack, repo, out, setNow, { from: vn('2027-04-05', '00:00'), to: vn('2027-12-24', '00:00'), plan: restPlan, narrate: false });
    out.note(`   ${Object.entries(yearTally.emails).map(([k, n]) => `${n} thư ${k.toLowerCase()}`).join(', ')}`);

    // A directive as offices really have it: a PDF of the district's 2020 letter relaying Chỉ thị 23-CT/TU, then
    // the same letter as DOCX. The first becomes a draft to complete; the second is recognised, not drafted again.
    const session = embeddedSession(stack);
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
      `9. Huyện Hàm Thuận Bắc tải lên công văn năm 2020 (PDF): bản nháp ${documents.draftId ?? '—'} với ${documents.indicators} chỉ tiêu đề xuất, còn ${documents.missing} mục cần bổ sung; ` +
        `bản DOCX của cùng văn bản ${documents.sameDocument ? 'được nhận ra, không lập bản nháp mới' : 'KHÔNG được nhận ra'}.`,
    );
    // The console's part: an officer splits its town's targets over its villages, the district decides on the quarter.
    const consoleStory: ConsoleStory | undefined = stack.console && samples.length ? await playConsoleStory(stack, issued.directive.id) : undefined;
    if (consoleStory) {
      out.note(
        `10. Trên bảng điều khiển: cán bộ Thị trấn Ma Lâm giao chỉ tiêu cho ${consoleStory.villages} khu phố; Huyện Hàm Thuận Bắc duyệt ${consoleStory.approved} báo cáo Quý I/2027` +
          (consoleStory.returned ? ` và trả lại báo cáo của ${consoleStory.returned.unitName} kèm lý do.` : '.'),
      );
    }
    const yearEnd = playYear ? await playYearEnd(stack, out, setNow, issued.directive.id) : undefined;
    const status = await directiveStatus(issued.directive.id, { directives: repo, status: repo });
    const inbox = await stack.inbox();
    const consoleLink = (path: string) => (stack.console ? new URL(path, stack.console.url).toString() : path);
    // The registration reminders: one subject per unit (the step is in the body), so distinct subjects are units.
    const reminderSubjects = inbox.map((m) => m.subject).filter((s) => /^\[thidua\] Nhắc đăng ký thi đua/.test(s));
    const remindedUnits = new Set(reminderSubjects);
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
      emulationYear: yearEnd
        ? {
            yearUrl: consoleLink(`/emulation/${encodeURIComponent(issued.directive.id)}`),
            previousYear: previousYear ?? null,
            clusters: clusters ?? null,
            registrations: {
              approved: registrations?.approved ?? 0,
              onTime: registrations?.onTime ?? 0,
              late: registrations?.late ?? 0,
              notRegistered: (registrations?.notRegistered.length ?? 0) - (registrations?.late ?? 0),
              remindedUnits: remindedUnits.size,
              reminderEmails: reminderSubjects.length,
            },
            council: { candidates: yearEnd.council.candidates, passed: yearEnd.council.passed, failed: yearEnd.council.failed.length, members: yearEnd.council.members, present: yearEnd.council.present },
            posting: { url: consoleLink(yearEnd.council.postingPath), endsOn: yearEnd.council.postingEndsOn, opinions: yearEnd.opinions },
            decision: { number: yearEnd.decision.number, issuedOn: yearEnd.decision.issuedOn, awards: yearEnd.decision.awards, totalMoney: yearEnd.decision.total, totalMoneyVi: yearEnd.decision.totalVi, docxUrl: consoleLink(yearEnd.decision.documentPath) },
            review: { years: yearEnd.review.years, url: consoleLink(yearEnd.review.path), subject: yearEnd.review.subject },
            brokenLinks: yearEnd.brokenLinks,
          }
        : null,
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
        ...(summary.emulationYear && yearEnd
          ? [
              `  Năm thi đua 2027: ${summary.emulationYear.yearUrl}`,
              `    Cụm thi đua: ${clusters?.clusters ?? 0} cụm, ${clusters?.members ?? 0} xã, thị trấn (xếp hạng trong cụm trên trang năm thi đua)`,
              `    Đăng ký thi đua: ${summary.emulationYear.registrations.approved} được duyệt (${summary.emulationYear.registrations.late} đăng ký muộn), ${summary.emulationYear.registrations.notRegistered} xã không đăng ký; ${summary.emulationYear.registrations.reminderEmails} thư nhắc gửi ${summary.emulationYear.registrations.remindedUnits} xã`,
              `    Bình xét: ${yearEnd.council.candidates} đề nghị, ${yearEnd.council.passed} đạt, ${yearEnd.council.failed.length} không đạt (${yearEnd.council.present}/${yearEnd.council.members} thành viên có mặt)`,
              `    Niêm yết công khai (không cần đăng nhập): ${summary.emulationYear.posting.url} – ${yearEnd.opinions} ý kiến`,
              `    Quyết định số ${yearEnd.decision.number} ngày ${formatDateVi(yearEnd.decision.issuedOn)}: ${yearEnd.decision.awards} đơn vị, ${moneyVi(yearEnd.decision.total)}; tải DOCX: ${summary.emulationYear.decision.docxUrl}`,
              `    Sơ kết ${yearEnd.review.years.join('–')}: ${summary.emulationYear.review.url}`,
              ...(yearEnd.brokenLinks.length ? [`    KHÔNG mở được: ${yearEnd.brokenLinks.join(', ')}`] : []),
            ]
          : []),
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
      // Both directives (2026 and 2027) assign the same communes: each gets its targets twice.
      summary.emailsByKind['Giao chỉ tiêu'] === 2 * target &&
      summary.emailsByKind['Điều chỉnh chỉ tiêu'] === 1 &&
      (summary.emailsByKind['Kết quả thi đua gửi lãnh đạo'] ?? 0) > 0 &&
      summary.emailsByKind['Đề nghị khen thưởng'] === 1 &&
      documents.pdf === 'drafted' &&
      documents.sameDocument &&
      samples.length === 7 &&
      !!yearEnd &&
      (previousYear?.reported ?? 0) === target &&
      (clusters?.clusters ?? 0) >= 3 &&
      (registrations?.late ?? 0) > 0 &&
      // Each commune not registered by the deadline: reminded a week before it, on it, and once after it.
      remindedUnits.size === notRegistered.length &&
      reminderSubjects.length === 3 * notRegistered.length &&
      yearEnd.council.failed.length === 1 &&
      yearEnd.council.passed > 0 &&
      yearEnd.decision.awards >= 1 &&
      summary.emailsByKind['Quyết định khen thưởng'] === yearEnd.decision.awards &&
      summary.emailsByKind['Sơ kết nhiều năm gửi lãnh đạo'] === 1 &&
      yearEnd.opinions === 1 &&
      summary.emailsByKind['Xếp hạng cụm thi đua'] === clusters?.clusters &&
      yearEnd.brokenLinks.length === 0 &&
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
