import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describeUpload, templateFor, uploadReport } from './report.ts';
import { computePeriodResults, periodResults } from '../../shared/app/results.ts';
import { resultsStore } from '../../shared/adapters/wiring.ts';
import { describeResults } from './results.ts';
import { parseArgs } from 'node:util';
import { amendDirective, issueDirective, withdrawDirective, type IssueOutcome } from '../../shared/app/directives.ts';
import { InputError } from '../../shared/domain/errors.ts';
import { systemClock } from '../../shared/app/ports.ts';
import { directiveStatus, type DirectiveStatus } from '../../shared/app/status.ts';
import { checkUnitsFile, importUnitsCsv, parentsOutside } from '../../shared/app/units.ts';
import { eventPublisher, repository } from '../../shared/adapters/wiring.ts';
import { formatDateVi } from '../../shared/domain/calendar/index.ts';
import { CADENCE_VI, DirectiveInput, type Directive } from '../../shared/domain/directive.ts';
import { readUnitsCsv } from '../../shared/domain/units-csv.ts';
import { parseOrExplain } from '../../shared/domain/validation.ts';
import { CalendarAdjustmentsFile } from '../../shared/domain/calendar/index.ts';
import { LEVEL_NAME_VI } from '../../shared/domain/units.ts';
import { clearRunning, connect, readRunning, shareableEnv, writeRunning, STATE_DIR, type Session } from './connect.ts';
import { runDemo } from './demo.ts';
import { runExtract } from './extract.ts';
import { describeDraftList, describeDraftText, describeUploadResult, uploadDocument } from './drafts.ts';
import { confirmDraft, getDraft } from '../../shared/app/documents.ts';
import { draftStore } from '../../shared/adapters/wiring.ts';
import { currentDirective } from '../../shared/mail/document-email.ts';
import { formatInstantVi, LocalClock, parseDuration, parseInstantVi } from './clock.ts';
import { advanceClock } from './advance.ts';
import { calendarOf, describeCalendar } from './calendar.ts';
import { extendDeadline, recordSubmission } from '../../shared/app/reports.ts';
import { loadSamples, SAMPLE_PASSWORD, signInLines } from './samples.ts';
import { EXIT, makeOut, NotSettledError, reportError, UsageError, USAGE, type Out } from './output.ts';
import { DEFAULT_TIMEOUT_MS, NOT_WAITED, notSettledText, parseTimeout, progressText, settledText, waitForRunning, type WaitOutcome } from './wait.ts';
import { startStack } from '../stack/stack.ts';
import { resolve } from 'node:path';

const timeVi = (iso: string) =>
  new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));

function readFileFor(path: string | undefined, what: string): string {
  if (!path) throw new UsageError(`Thiếu đường dẫn ${what}.`);
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`Không đọc được ${what} "${path}"`, [(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'tệp không tồn tại' : (e as Error).message]);
  }
}

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError(`Không đọc được tệp "${path}"`, [(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'tệp không tồn tại' : (e as Error).message]);
  }
}

function readJson(path: string | undefined, what = 'tệp chỉ thị'): unknown {
  const text = readFileFor(path, what);
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const line = m ? text.slice(0, Number(m[1])).split('\n').length : undefined;
    throw new InputError(`Tệp "${path}" không phải JSON hợp lệ`, [`${line ? `dòng ${line}: ` : ''}${(e as Error).message}`]);
  }
}

export function describeDirective(d: Directive): string {
  const scope =
    d.targetUnits.scope === 'list'
      ? `${d.targetUnits.unitIds.length} đơn vị được chỉ định`
      : d.targetUnits.scope === 'children'
        ? 'các đơn vị trực thuộc'
        : `tất cả đơn vị cấp ${LEVEL_NAME_VI[d.targetUnits.level]} trực thuộc`;
  return [
    `${d.kind[0]?.toUpperCase()}${d.kind.slice(1)} số ${d.number} – ${d.title}`,
    `  Mã: ${d.id} · phiên bản ${d.version} · ${d.status === 'issued' ? 'đang hiệu lực' : `đã thu hồi (${d.withdrawnReason ?? ''})`}`,
    `  Ban hành: ${d.issuerName}, ngày ${formatDateVi(d.issuedOn)} · năm thi đua ${d.year}`,
    `  Giao cho: ${scope}`,
    `  Báo cáo: ${d.cadences.map((c) => CADENCE_VI[c]).join(', ')}; hạn nộp ${d.deadline.kind === 'workingDaysAfterCutoff' ? `${d.deadline.days} ngày làm việc sau ngày chốt số liệu` : `ngày ${d.deadline.day} hằng kỳ`}`,
    `  Chỉ tiêu (${d.indicators.length}):`,
    ...d.indicators.map((i) => `    ${(i.group ?? '').padEnd(8)} ${i.name} (${i.measure}): ${typeof i.target === 'boolean' ? (i.target ? 'đạt' : 'không') : i.target}`),
    `  Cập nhật: ${timeVi(d.updatedAt)}`,
  ].join('\n');
}

export function describeStatus(s: DirectiveStatus): string {
  const rows = s.periods.map(
    (p) =>
      `  ${p.label.padEnd(22)} hạn ${formatDateVi(p.due)}   chưa nộp ${String(p.obligations.open).padStart(5)}   đã nộp ${String(p.obligations.submitted).padStart(5)}   đã hủy ${String(p.obligations.cancelled).padStart(5)}`,
  );
  return [
    `${s.directive.number} – ${s.directive.title} (phiên bản ${s.directive.version}, ${s.directive.status === 'issued' ? 'đang hiệu lực' : 'đã thu hồi'})`,
    `  Đơn vị được giao chỉ tiêu: ${s.assignments.active}${s.assignments.withdrawn ? ` (đã thu hồi: ${s.assignments.withdrawn})` : ''}`,
    `  Thư đã gửi: ${s.mailSent}`,
    '  Nghĩa vụ báo cáo theo kỳ:',
    ...rows,
  ].join('\n');
}

function outcomeVi(r: IssueOutcome): string {
  const what = { issued: 'Đã ban hành', amended: 'Đã điều chỉnh', withdrawn: 'Đã thu hồi', unchanged: 'Không có thay đổi:' }[r.outcome];
  return `${what} ${r.directive.kind} số ${r.directive.number} (mã ${r.directive.id}, phiên bản ${r.directive.version})${r.targetUnitCount !== undefined ? ` – ${r.targetUnitCount} đơn vị` : ''}.`;
}

let useAws = false;
/** --wait and --timeout, for every command. */
let waiting = { wait: false, timeoutMs: DEFAULT_TIMEOUT_MS };
/** How the last session's waiting went: what the JSON result reports and the exit code follows. */
let lastWait: WaitOutcome = NOT_WAITED;

/**
 * Runs a command's work in a session. An embedded stack (no `thidua up`) always waits until the work has settled,
 * since it stops with the command. A running `thidua up` is waited for with --wait only: after the work for a command
 * that starts work, before it for one that reads (so `status --wait` shows the settled state). Inner waits (a report's
 * verdict, the clock's firings) follow --timeout too.
 */
async function withSession<T>(out: Out, verbose: boolean, fn: (s: Session) => Promise<T>, kind: 'starts-work' | 'reads' = 'reads'): Promise<T> {
  const session = await connect({ logLevel: verbose ? 'INFO' : 'ERROR', aws: useAws });
  const running = session.running;
  const waitRunning = async () => {
    const w = await waitForRunning(running as NonNullable<typeof running>, waiting.timeoutMs, (pending, ms) => out.progress(progressText(pending, ms)));
    out.endProgress();
    return w;
  };
  const embedded = session.embedded;
  const inner: Session = {
    ...session,
    settle: async () => {
      if (embedded) {
        const start = Date.now();
        await embedded.settle(waiting.timeoutMs).catch(() => {
          throw new NotSettledError(notSettledText({ waited: true, settled: false, seconds: Math.round((Date.now() - start) / 100) / 10, pending: embedded.bus.pending() }));
        });
      } else if (running) {
        const w = await waitRunning();
        if (!w.settled) throw new NotSettledError(notSettledText(w));
      } else await session.settle();
    },
  };
  lastWait = NOT_WAITED;
  try {
    if (running && waiting.wait && kind === 'reads') lastWait = await waitRunning();
    const result = await fn(inner);
    if (session.embedded) {
      out.progress('Đang chờ các hàm xử lý xong…');
      const start = Date.now();
      const settled = await session.embedded.settle(waiting.timeoutMs).then(
        () => true,
        () => false,
      );
      out.endProgress();
      lastWait = { waited: true, settled, seconds: Math.round((Date.now() - start) / 100) / 10, ...(settled ? { pending: 0 } : { pending: session.embedded.bus.pending() }) };
    } else if (running && waiting.wait && kind === 'starts-work') lastWait = await waitRunning();
    return result;
  } finally {
    await session.close();
  }
}

/** A command's JSON result with how its waiting went: always for commands that start work, with --wait for the others. */
function withWait<T>(data: T, startsWork: boolean): T | (T & { wait: WaitOutcome }) {
  const show = startsWork || waiting.wait;
  return show && data && typeof data === 'object' && !Array.isArray(data) ? { ...data, wait: lastWait } : data;
}

/** 0, or 5 when the waiting ran out of time (said on stderr; the result has been printed). */
function settledExit(out: Out): number {
  if (lastWait.settled === true && waiting.wait) out.note(settledText(lastWait));
  if (lastWait.settled !== false) return EXIT.ok;
  out.note(notSettledText(lastWait));
  return EXIT.notSettled;
}

function requireOption(value: unknown, name: string): string {
  if (typeof value !== 'string' || !value) throw new UsageError(`Thiếu ${name}.`);
  return value;
}

const countBy = (xs: readonly string[]) => xs.reduce<Record<string, number>>((acc, x) => ({ ...acc, [x]: (acc[x] ?? 0) + 1 }), {});

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      reason: { type: 'string' },
      period: { type: 'string' },
      unit: { type: 'string' },
      until: { type: 'string' },
      at: { type: 'string' },
      cutoff: { type: 'string' },
      days: { type: 'string' },
      directive: { type: 'string' },
      recompute: { type: 'boolean', default: false },
      out: { type: 'string' },
      offline: { type: 'boolean', default: false },
      keep: { type: 'boolean' },
      aws: { type: 'boolean', default: false },
      file: { type: 'string' },
      wait: { type: 'boolean', default: false },
      timeout: { type: 'string' },
      sample: { type: 'boolean', default: false },
    },
    allowNegative: true,
    strict: false,
  });
  const json = values.json === true;
  useAws = values.aws === true;
  const verbose = values.verbose === true;
  const out = makeOut(json);
  try {
    waiting = { wait: values.wait === true, timeoutMs: parseTimeout(values.timeout) };
    const [cmd, sub, arg] = positionals;
    if (values.help || !cmd) {
      process.stdout.write(`${USAGE}\n`);
      return cmd || values.help ? EXIT.ok : EXIT.usage;
    }
    const deps = () => {
      const repo = repository();
      return { directives: repo, units: repo, events: eventPublisher(), clock: systemClock, status: repo, calendar: repo };
    };
    switch (cmd) {
      case 'demo':
        return await runDemo(out, { verbose, keep: values.keep as boolean | undefined });
      case 'up': {
        if (readRunning()) throw new UsageError(`Stack cục bộ đã chạy (xem ${resolve(STATE_DIR, 'stack.json')}).`);
        const clock = new LocalClock(STATE_DIR);
        const stack = await startStack({ dataDir: resolve(STATE_DIR, 'data'), logLevel: verbose ? 'INFO' : 'WARN', now: () => clock.now() });
        writeRunning(stack);
        // --sample: Bình Thuận's sample units and one sample person per role, to try the console at once.
        const samples = values.sample === true ? await loadSamples(stack, { units: true }) : undefined;
        const consoleUrl = stack.console?.url;
        out.result(
          {
            inboxUrl: stack.inboxUrl,
            consoleUrl: consoleUrl ?? null,
            ...(samples ? { sampleUnits: samples.units?.imported ?? 0, sampleSignIns: samples.people.map(({ role, email }) => ({ role, email })), samplePassword: SAMPLE_PASSWORD } : {}),
            env: shareableEnv(stack.env),
          },
          () =>
            [
              `Stack cục bộ đang chạy (dữ liệu: ${resolve(STATE_DIR, 'data')}).`,
              `Hộp thư: ${stack.inboxUrl}`,
              ...(consoleUrl && samples ? [`Đã nạp ${samples.units?.imported ?? 0} đơn vị mẫu của tỉnh Bình Thuận.`, ...signInLines(consoleUrl, samples.people)] : []),
              ...(consoleUrl && !samples ? [`Bảng điều khiển: ${consoleUrl} (thêm --sample để có đơn vị và tài khoản mẫu, mỗi vai trò một người)`] : []),
              'Nhấn Ctrl+C để dừng.',
            ].join('\n'),
        );
        await new Promise<void>((done) => {
          process.once('SIGINT', done);
          process.once('SIGTERM', done);
        });
        clearRunning();
        await stack.stop();
        return EXIT.ok;
      }
      case 'units': {
        if (sub !== 'import') throw new UsageError(`Lệnh "units ${sub ?? ''}" không có; dùng: thidua units import TỆP.csv`);
        const text = readFileFor(arg, 'tệp đơn vị');
        // A bad file is refused before any service starts, with all its problems, unless it names parents outside
        // itself: whether those are stored is known only from the stack, which then reports everything at once.
        const file = readUnitsCsv(text);
        if (!parentsOutside(file).length) checkUnitsFile(file, new Map());
        const result = await withSession(out, verbose, () => importUnitsCsv(text, { units: deps().units }));
        out.result(withWait(result, false), () =>
          `Đã nhập ${result.imported} đơn vị: ${Object.entries(result.byLevel)
            .map(([level, n]) => `${n} cấp ${LEVEL_NAME_VI[level as keyof typeof LEVEL_NAME_VI]}`)
            .join(', ')}.`,
        );
        return settledExit(out);
      }
      case 'directive': {
        if (sub === 'issue' || sub === 'amend') {
          const raw = readJson(arg);
          parseOrExplain(DirectiveInput, raw, 'Tệp chỉ thị');
          const result = await withSession(out, verbose, (s) => (sub === 'issue' ? issueDirective : amendDirective)(raw, deps()).then(async (r) => ({ r, inbox: s.inboxUrl })), 'starts-work');
          out.result(withWait({ outcome: result.r.outcome, directive: result.r.directive, targetUnitCount: result.r.targetUnitCount }, true), () =>
            [outcomeVi(result.r), `Xem tình hình: thidua status ${result.r.directive.id}`].join('\n'),
          );
          return settledExit(out);
        }
        if (sub === 'withdraw') {
          if (!arg) throw new UsageError('Thiếu mã chỉ thị: thidua directive withdraw MÃ --reason "…"');
          const r = await withSession(out, verbose, () => withdrawDirective(arg, String(values.reason ?? ''), deps()), 'starts-work');
          out.result(withWait({ outcome: r.outcome, directive: r.directive }, true), () => outcomeVi(r));
          return settledExit(out);
        }
        if (sub === 'show') {
          if (!arg) throw new UsageError('Thiếu mã chỉ thị: thidua directive show MÃ');
          const d = await withSession(out, verbose, () => deps().directives.getDirective(arg));
          if (!d) throw new InputError(`Không tìm thấy chỉ thị "${arg}"`);
          out.result(withWait(d, false), () => describeDirective(d));
          return settledExit(out);
        }
        if (sub === 'draft') {
          const id = positionals[3];
          if (arg === 'upload') {
            if (!id) throw new UsageError('Thiếu tệp văn bản: thidua directive draft upload TỆP --unit ĐƠN_VỊ');
            const unitId = requireOption(values.unit, '--unit ĐƠN_VỊ (đơn vị tải văn bản lên)');
            const bytes = readBytes(id);
            const r = await withSession(out, verbose, async (s) => {
              const result = await uploadDocument({ path: id, bytes }, unitId, s, () => out.progress('Đang đọc văn bản…'));
              out.endProgress();
              const draft = 'draftId' in result ? await draftStore().getDraft(result.draftId) : undefined;
              return { result, draft };
            }, 'starts-work');
            out.result(withWait({ ...r.result, ...(r.draft ? { draft: r.draft } : {}) }, true), () => describeUploadResult(r.result, r.draft));
            return r.result.outcome === 'rejected' ? EXIT.badInput : settledExit(out);
          }
          if (arg === 'list') {
            const unitId = requireOption(values.unit, '--unit ĐƠN_VỊ');
            const drafts = await withSession(out, verbose, () => draftStore().draftsOf(unitId));
            out.result(drafts.map((d) => ({ draftId: d.draftId, status: d.status, kind: currentDirective(d).kind, number: currentDirective(d).number, missing: d.status === 'confirmed' ? 0 : d.proposal.missing.length, directiveId: d.directiveId ?? null, files: d.sources.map((x) => x.fileName) })), () => describeDraftList(drafts));
            return settledExit(out);
          }
          if (arg === 'show') {
            if (!id) throw new UsageError('Thiếu mã bản nháp: thidua directive draft show MÃ');
            const { draft, names } = await withSession(out, verbose, async () => {
              const draft = await getDraft(id, draftStore());
              const scope = currentDirective(draft).targetUnits;
              const units = scope?.scope === 'list' ? await repository().getUnits(scope.unitIds) : new Map();
              return { draft, names: new Map([...units.values()].map((u) => [u.id, u.name])) };
            });
            out.result(withWait(draft, false), () => describeDraftText(draft, names));
            return settledExit(out);
          }
          if (arg === 'confirm') {
            if (!id) throw new UsageError('Thiếu mã bản nháp: thidua directive draft confirm MÃ [--file BỔ_SUNG.json]');
            const edits = typeof values.file === 'string' ? readJson(values.file, 'tệp bổ sung') : undefined;
            const r = await withSession(out, verbose, () => confirmDraft(id, edits, { ...deps(), drafts: draftStore() }), 'starts-work');
            out.result(withWait({ draftId: r.draftId, outcome: r.outcome, directive: r.directive, targetUnitCount: r.targetUnitCount }, true), () =>
              [`Bản nháp ${r.draftId} đã được xác nhận.`, outcomeVi(r), `Xem tình hình: thidua status ${r.directive.id}`].join('\n'),
            );
            return settledExit(out);
          }
          throw new UsageError(`Lệnh "directive draft ${arg ?? ''}" không có (upload, list, show, confirm).`);
        }
        throw new UsageError(`Lệnh "directive ${sub ?? ''}" không có.`);
      }
      case 'clock': {
        // The simulated clock belongs to the local stack: on AWS it would put events with made-up times on the real bus.
        if (useAws) throw new UsageError('Đồng hồ giả lập chỉ dùng với stack cục bộ, không dùng với --aws.');
        const clock = new LocalClock(STATE_DIR);
        if (sub === 'show' || !sub) {
          const now = clock.now();
          out.result({ now: now.toISOString(), simulated: clock.isSimulated() }, () => `Giờ của stack cục bộ: ${formatInstantVi(now)}${clock.isSimulated() ? ' (giả lập)' : ' (giờ thật; chưa đặt giờ giả lập)'}`);
          return EXIT.ok;
        }
        if (sub !== 'set' && sub !== 'advance') throw new UsageError(`Lệnh "clock ${sub}" không có; dùng: clock show | clock set THỜI_ĐIỂM | clock advance KHOẢNG`);
        if (!arg) throw new UsageError(sub === 'set' ? 'Thiếu thời điểm, ví dụ: thidua clock set 2027-03-10T06:00' : 'Thiếu khoảng thời gian, ví dụ: thidua clock advance 7d');
        const from = clock.now();
        const to = sub === 'set' ? parseInstantVi(arg) : new Date(from.getTime() + parseDuration(arg));
        if (to <= from || !clock.isSimulated()) {
          // Backwards, or the first time: just put the clock there; nothing is replayed.
          clock.set(to);
          out.result({ now: to.toISOString(), fired: [] }, () => `Đã đặt giờ giả lập: ${formatInstantVi(to)}.`);
          return EXIT.ok;
        }
        const summary = await withSession(out, verbose, (session) => advanceClock(clock, from, to, session, out), 'starts-work');
        out.result(withWait(summary, true), () =>
          [
            `Giờ giả lập: ${formatInstantVi(to)}.`,
            `  Lịch đã chạy: ${summary.fired.length === 0 ? 'không có' : Object.entries(countBy(summary.fired.map((f) => f.schedule))).map(([id, n]) => `${id} × ${n}`).join(', ')}`,
            `  Thư đã gửi trong khoảng này: ${summary.emails}`,
          ].join('\n'),
        );
        return settledExit(out);
      }
      case 'calendar': {
        if (sub === 'load') {
          const file = parseOrExplain(CalendarAdjustmentsFile, readJson(arg, 'tệp điều chỉnh lịch nghỉ'), 'Tệp điều chỉnh lịch nghỉ');
          await withSession(out, verbose, () => repository().putCalendarAdjustments(file));
          out.result(withWait(file, false), () => `Đã nạp điều chỉnh lịch nghỉ năm ${file.year}: thêm ${file.extra.length} ngày nghỉ, bỏ ${file.removed.length}, làm bù ${file.workingWeekends.length} ngày cuối tuần.`);
          return settledExit(out);
        }
        const year = Number(sub);
        if (!Number.isInteger(year) || year < 1968 || year > 2199) throw new UsageError('Cần năm (1968–2199), ví dụ: thidua calendar 2027; hoặc: thidua calendar load TỆP.json');
        const cutoff = (values.cutoff as string | undefined) ?? 'decree09';
        if (cutoff !== 'decree09' && cutoff !== 'calendar') throw new UsageError('--cutoff là decree09 hoặc calendar');
        const days = Number(values.days ?? 2);
        if (!Number.isInteger(days) || days < 0 || days > 60) throw new UsageError('--days là số ngày làm việc từ 0 đến 60');
        // The adjustments officers loaded, if a stack or its data is there; the computed calendar otherwise.
        const adjustments = values.offline ? undefined : await withSession(out, verbose, () => repository().calendarFor([year - 1, year, year + 1]));
        const cal = calendarOf(year, cutoff, { kind: 'workingDaysAfterCutoff', days }, adjustments);
        out.result(withWait(cal, false), () => describeCalendar(cal, days));
        return settledExit(out);
      }
      case 'report': {
        if (sub === 'upload' || sub === 'template') {
          const ref = { directiveId: requireOption(values.directive, '--directive'), periodId: requireOption(values.period, '--period'), unitId: requireOption(values.unit, '--unit') };
          if (sub === 'upload') {
            if (!arg) throw new UsageError('Dùng: thidua report upload TỆP --directive MÃ --period 2027-Q1 --unit MÃ_ĐƠN_VỊ');
            const bytes = readBytes(arg);
            const r = await withSession(out, verbose, (session) => uploadReport(ref, { name: basename(arg), bytes }, session), 'starts-work');
            out.result(withWait(r, true), () => describeUpload(r));
            // Pending is not a failure: on AWS the verdict comes by email once the processor has read the file.
            return r.status === 'rejected' ? EXIT.badInput : settledExit(out);
          }
          const file = String(values.out ?? `bao-cao-${ref.periodId}-${ref.unitId}.xlsx`);
          const bytes = await withSession(out, verbose, () => templateFor(ref));
          writeFileSync(file, bytes);
          out.result(withWait({ file, bytes: bytes.length }, false), () => `Đã ghi mẫu báo cáo: ${file}`);
          return settledExit(out);
        }
        if (sub !== 'submit' || !arg) throw new UsageError('Dùng: thidua report submit|upload|template …');
        const ref = { directiveId: arg, periodId: requireOption(values.period, '--period'), unitId: requireOption(values.unit, '--unit') };
        const at = values.at ? parseInstantVi(String(values.at)) : useAws ? new Date() : new LocalClock(STATE_DIR).now();
        const r = await withSession(out, verbose, () => recordSubmission(ref, at, { obligations: repository(), assignments: repository() }), 'starts-work');
        out.result(withWait(r, false), () =>
          r.outcome === 'already'
            ? `Báo cáo ${r.obligation.periodLabel} của ${ref.unitId} đã được ghi nhận trước đó (${r.obligation.onTime ? 'đúng hạn' : 'muộn'}).`
            : `Đã ghi nhận báo cáo ${r.obligation.periodLabel} của ${ref.unitId} lúc ${formatInstantVi(at)}: ${r.obligation.onTime ? 'đúng hạn' : `nộp muộn (hạn ${formatDateVi(r.obligation.dueDate)})`}.`,
        );
        return settledExit(out);
      }
      case 'deadline': {
        if (sub !== 'extend' || !arg) throw new UsageError('Dùng: thidua deadline extend MÃ_CHỈ_THỊ --period 2027-Q1 [--unit MÃ_ĐƠN_VỊ] --until 2027-03-25');
        const args = {
          directiveId: arg,
          periodId: requireOption(values.period, '--period'),
          until: requireOption(values.until, '--until'),
          ...(values.unit ? { unitId: String(values.unit) } : {}),
        };
        const r = await withSession(out, verbose, () => extendDeadline(args, { obligations: repository(), assignments: repository(), directives: repository(), calendar: repository() }), 'starts-work');
        out.result(withWait(r, false), () => `Đã gia hạn nộp báo cáo kỳ ${args.periodId} đến hết ngày ${formatDateVi(r.until)} cho ${r.extended} đơn vị.`);
        return settledExit(out);
      }
      case 'results': {
        if (!sub) throw new UsageError('Dùng: thidua results MÃ_CHỈ_THỊ --period 2027-Q1 [--unit MÃ_ĐƠN_VỊ] [--recompute]');
        const periodId = requireOption(values.period, '--period');
        const r = await withSession(out, verbose, async () => {
          const repo = repository();
          const deps = { directives: repo, units: repo, assignments: repo, obligations: repo, reports: repo, results: resultsStore(), clock: systemClock, villageTargets: repo };
          return values.recompute ? computePeriodResults(sub, periodId, deps) : periodResults(sub, periodId, deps);
        });
        const focus = String(values.unit ?? r.rootIds[0] ?? '');
        if (!r.units[focus]) throw new InputError(`Không có đơn vị "${focus}" trong kết quả`);
        out.result(withWait(values.unit ? { ...r, units: Object.fromEntries(Object.entries(r.units).filter(([, u]) => u.unitId === focus || u.parentId === focus)) } : r, false), () => describeResults(r, focus));
        return settledExit(out);
      }
      case 'extract':
        return await runExtract(sub, out);
      case 'status': {
        if (!sub) throw new UsageError('Thiếu mã chỉ thị: thidua status MÃ');
        const s = await withSession(out, verbose, () => directiveStatus(sub, deps()));
        out.result(withWait(s, false), () => describeStatus(s));
        return settledExit(out);
      }
      case 'wait': {
        // Without `thidua up` every command waits for its own work before it ends (its embedded stack stops with it),
        // so nothing can be left in flight: nothing to wait for, and a script's "… && thidua wait" works either way.
        if (useAws) throw new UsageError('thidua wait chỉ dùng với stack cục bộ (thidua up), không dùng với --aws.');
        const running = readRunning();
        if (!running) {
          out.result({ running: false, waited: false, settled: true, seconds: 0 }, () => 'Không có stack cục bộ nào đang chạy (thidua up): không có việc gì để chờ.');
          return EXIT.ok;
        }
        const w = await waitForRunning(running, waiting.timeoutMs, (pending, ms) => out.progress(progressText(pending, ms)));
        out.endProgress();
        lastWait = w;
        out.result({ running: true, ...w }, () => (w.settled ? settledText(w) : notSettledText(w)));
        return w.settled ? EXIT.ok : EXIT.notSettled;
      }
      default:
        throw new UsageError(`Không có lệnh "${cmd}".`);
    }
  } catch (e) {
    out.endProgress();
    return reportError(e, out);
  }
}

process.exitCode = await main(process.argv.slice(2));
