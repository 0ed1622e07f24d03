/**
 * The live status of a directive's reports for one period, under one unit of its hierarchy: every unit below with the
 * state of its report (or, above the reporting units, how many of theirs are in each state), a unit's own report
 * (the values read, every file sent), and "remind now" for one unit. Query, GetItem and BatchGetItem only.
 */
import type { Obligation } from '../domain/assignment.ts';
import { reportingPeriods } from '../domain/assignment.ts';
import { vietnamDate } from '../domain/calendar/index.ts';
import type { Directive } from '../domain/directive.ts';
import { InputError } from '../domain/errors.ts';
import { REPORT_STATE_KINDS, reportState, stillOwed, type LatestUpload, type ReportState, type ReportStateKind } from '../domain/report-state.ts';
import type { Unit } from '../domain/units.ts';
import { mapLimit } from '../retry.ts';
import { notifyUnit, type NotifyDeps } from './notify.ts';
import type { CalendarSource, Clock, DirectiveStore, MailLog, ObligationIndex, RateCounter, ReportLog, ReportRecord, ReportStorage, UnitDirectory } from './ports.ts';
import { DEFAULT_REMINDER_POLICY, reminderStep, type ReminderPolicy } from './reminders.ts';

export interface StatusDeps {
  directives: DirectiveStore;
  units: UnitDirectory;
  obligations: ObligationIndex;
  reports: ReportLog;
  clock: Clock;
  /** The caller's check on the unit asked for (who may see it), before anything under it is read. */
  authorize?: (unit: Unit) => void;
  /** The unit shown when none is asked for (without it, the issuer). */
  defaultUnit?: (directive: Directive) => Promise<string | undefined>;
}

export type StateCounts = Record<ReportStateKind, number>;

/** One line of the status table: a reporting unit with its state, or a unit above some with their counts. */
export interface StatusRow {
  unit: Pick<Unit, 'id' | 'name' | 'level'>;
  /** The unit's own report, when it owes one. */
  state?: ReportState;
  /** Reports at or below the unit, by state. */
  counts: StateCounts;
  total: number;
  /** Units below it owe reports too: the row links one level down. */
  drill: boolean;
}

export interface StatusPage {
  directive: Directive;
  period: { id: string; label: string; due: string };
  periods: { id: string; label: string }[];
  unit: Unit;
  /** From the issuer down to the unit (breadcrumbs). */
  trail: Unit[];
  /** The unit's own report, when it owes one. */
  own?: ReportState;
  /** Every row under the unit (before the filter), and the counts over all of them. */
  counts: StateCounts;
  total: number;
  /** The rows the filter keeps, in name order. */
  rows: StatusRow[];
  state?: ReportStateKind;
}

const emptyCounts = (): StateCounts => Object.fromEntries(REPORT_STATE_KINDS.map((k) => [k, 0])) as StateCounts;

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

async function directiveOf(id: string, deps: Pick<StatusDeps, 'directives'>): Promise<Directive> {
  const directive = await deps.directives.getDirective(id, { consistent: false });
  if (!directive) throw new InputError(`Không tìm thấy chỉ thị "${id}"`, ['Kiểm tra lại đường dẫn hoặc chọn chỉ thị từ danh sách']);
  return directive;
}

/** The period asked for, or the latest whose figures are closed (the first when none is yet). */
function periodOf(directive: Directive, periodId: string | undefined, today: string) {
  const periods = reportingPeriods(directive);
  if (periodId) {
    const found = periods.find((p) => p.period.id === periodId);
    if (!found) throw new InputError(`Chỉ thị không có kỳ báo cáo "${periodId}"`, [`Các kỳ: ${periods.map((p) => p.period.id).join(', ')}`]);
    return { found, periods };
  }
  const closed = periods.filter((p) => p.period.end < today);
  return { found: closed.at(-1) ?? periods[0]!, periods };
}

/** The unit asked for (default: the issuer), which must lie in the issuer's subtree, and the units above it. */
export async function unitInDirective(directive: Directive, unitId: string | undefined, deps: Pick<StatusDeps, 'units'>): Promise<{ unit: Unit; trail: Unit[] }> {
  const id = unitId ?? directive.issuerId;
  const unit = (await deps.units.getUnits([id])).get(id);
  const at = unit?.path.indexOf(directive.issuerId) ?? -1;
  if (!unit || at < 0) throw new InputError(`Đơn vị "${id}" không thuộc phạm vi của chỉ thị này`, ['Chọn một đơn vị trong bảng trạng thái']);
  const above = unit.path.slice(at, -1);
  const found = above.length ? await deps.units.getUnits(above) : new Map<string, Unit>();
  return { unit, trail: [...above.flatMap((x) => (found.has(x) ? [found.get(x)!] : [])), unit] };
}

/**
 * The obligations of the period at or below `unit`. The issuer's page reads the period's index whole (a Query per
 * shard); a unit below it reads its own reporting units (a Query on the hierarchy) and their obligations by key.
 */
async function obligationsUnder(directive: Directive, periodId: string, unit: Unit, deps: StatusDeps): Promise<Obligation[]> {
  if (unit.id === directive.issuerId) return deps.obligations.obligationsOfPeriod(directive, periodId);
  const target = directive.targetUnits;
  let ids: string[];
  if (target.scope === 'level') {
    ids = unit.level === target.level ? [unit.id] : (await collect(deps.units.descendantsAt(unit, target.level))).map((u) => u.id);
  } else if (target.scope === 'children') {
    // The issuer's children report: a unit below the issuer is one of them (its own report), or lies under one (whose
    // report is not the viewer's to see: nothing under this unit reports).
    const child = unit.path[unit.path.indexOf(directive.issuerId) + 1];
    ids = child === unit.id ? [unit.id] : [];
  } else {
    const listed = await deps.units.getUnits(target.unitIds);
    ids = [...listed.values()].filter((u) => u.path.includes(unit.id)).map((u) => u.id);
  }
  if (ids.length === 0) return [];
  return deps.obligations.getObligations(
    ids.map((unitId) => ({ directiveId: directive.id, unitId, periodId })),
    { consistent: false },
  );
}

/** Below the issuer, as many open reports as this are looked up one by one; more, and the period's verdicts are read. */
const OPEN_LOOKUPS = 50;

/**
 * The latest verdict of each open report's files (only open reports can be refused or returned). The issuer's page
 * reads the period's verdicts whole (16 Queries, every one of them relevant); a page below it, with a few open reports,
 * reads each one's newest record (a Query of one item) instead of every verdict of the directive.
 */
async function latestUploads(directive: Directive, periodId: string, unit: Unit, obligations: readonly Obligation[], deps: StatusDeps): Promise<Map<string, LatestUpload>> {
  const latest = new Map<string, LatestUpload>();
  const open = obligations.filter((o) => o.status === 'open');
  if (open.length === 0) return latest;
  if (unit.id !== directive.issuerId && open.length <= OPEN_LOOKUPS) {
    const found = await mapLimit(open, 8, async (o) => [o.unitId, await deps.reports.latestReportOf(o)] as const);
    for (const [unitId, record] of found) if (record) latest.set(unitId, record);
    return latest;
  }
  for (const u of await deps.reports.uploadOutcomesOfPeriod(directive.id, periodId)) {
    const seen = latest.get(u.unitId);
    if (!seen || u.receivedAt > seen.receivedAt) latest.set(u.unitId, { status: u.status, receivedAt: u.receivedAt });
  }
  return latest;
}

/** The child of `unit` each obligation falls under (the reporting unit itself when it is a child). */
async function childOf(unit: Unit, obligations: readonly Obligation[], deps: StatusDeps): Promise<Map<Obligation, string>> {
  const out = new Map<Obligation, string>();
  const deeper: Obligation[] = [];
  for (const o of obligations) {
    if (o.unitId === unit.id) continue;
    if (o.parentId === unit.id) out.set(o, o.unitId);
    else deeper.push(o);
  }
  // Reporting units two or more levels down: their parents' paths say which child they are under.
  const parents = await deps.units.getUnits([...new Set(deeper.flatMap((o) => (o.parentId ? [o.parentId] : [])))]);
  for (const o of deeper) {
    const path = parents.get(o.parentId ?? '')?.path ?? [];
    const at = path.indexOf(unit.id);
    if (at >= 0) out.set(o, path[at + 1] ?? o.parentId!);
  }
  return out;
}

/** A directive's status for a period under a unit: every unit below with its state, counts, the filter applied. */
export async function reportStatus(
  query: { directiveId: string; periodId?: string; unitId?: string; state?: ReportStateKind },
  deps: StatusDeps,
): Promise<StatusPage> {
  const today = vietnamDate(deps.clock.now());
  const directive = await directiveOf(query.directiveId, deps);
  const { found, periods } = periodOf(directive, query.periodId, today);
  const periodId = found.period.id;
  const { unit, trail } = await unitInDirective(directive, query.unitId ?? (await deps.defaultUnit?.(directive)), deps);
  deps.authorize?.(unit);
  const [children, obligations] = await Promise.all([collect(deps.units.childrenOf(unit.id)), obligationsUnder(directive, periodId, unit, deps)]);
  const [latest, under] = await Promise.all([latestUploads(directive, periodId, unit, obligations, deps), childOf(unit, obligations, deps)]);

  const counts = emptyCounts();
  const rows = new Map<string, StatusRow>();
  const childById = new Map(children.map((c) => [c.id, c]));
  let own: ReportState | undefined;
  for (const o of obligations) {
    const state = reportState(o, latest.get(o.unitId), today);
    counts[state.kind]++;
    if (o.unitId === unit.id) {
      own = state;
      continue;
    }
    const childId = under.get(o);
    if (!childId) continue;
    const child = childById.get(childId);
    const row = rows.get(childId) ?? { unit: child ? { id: child.id, name: child.name, level: child.level } : { id: childId, name: childId, level: unit.level }, counts: emptyCounts(), total: 0, drill: false };
    row.counts[state.kind]++;
    row.total++;
    if (o.unitId === childId) row.state = state;
    else row.drill = true;
    rows.set(childId, row);
  }
  const all = [...rows.values()].sort((a, b) => a.unit.name.localeCompare(b.unit.name, 'vi', { numeric: true }));
  const kept = query.state ? all.filter((r) => r.counts[query.state!] > 0) : all;
  return {
    directive,
    period: { id: periodId, label: found.period.label, due: found.due },
    periods: periods.map((p) => ({ id: p.period.id, label: p.period.label })),
    unit,
    trail,
    ...(own ? { own } : {}),
    counts,
    total: obligations.length,
    rows: kept,
    ...(query.state ? { state: query.state } : {}),
  };
}

/** One unit's report for a period: its state, the values its current file gave, and every file it sent. */
export interface UnitReport {
  directive: Directive;
  unit: Unit;
  trail: Unit[];
  obligation: Obligation;
  state: ReportState;
  /** The accepted file the results count (the latest), if any. */
  current?: ReportRecord;
  /** Every file received, newest first. */
  files: ReportRecord[];
}

export async function unitReport(ref: { directiveId: string; periodId: string; unitId: string }, deps: StatusDeps): Promise<UnitReport> {
  const directive = await directiveOf(ref.directiveId, deps);
  periodOf(directive, ref.periodId, ''); // refuses a period the directive does not have
  const { unit, trail } = await unitInDirective(directive, ref.unitId, deps);
  deps.authorize?.(unit);
  const [[obligation], files] = await Promise.all([
    deps.obligations.getObligations([ref], { consistent: false }),
    deps.reports.reportsOf(ref),
  ]);
  if (!obligation) throw new InputError(`${ref.unitId} không phải nộp báo cáo kỳ ${ref.periodId} của chỉ thị này`, ['Chọn một đơn vị có trạng thái trong bảng']);
  const last = files.at(-1);
  const state = reportState(obligation, last ? { status: last.status, receivedAt: last.receivedAt } : undefined, vietnamDate(deps.clock.now()));
  const current = files.filter((f) => f.status === 'accepted').at(-1);
  return { directive, unit, trail, obligation, state, ...(current ? { current } : {}), files: [...files].reverse() };
}

/** A link to download one received file, valid for a few minutes (the bucket stays private). */
export function originalFileUrl(record: Pick<ReportRecord, 'reportKey' | 'versionId' | 'unitId' | 'periodId'>, storage: Pick<ReportStorage, 'presignGet'>): Promise<string> {
  const extension = record.reportKey.slice(record.reportKey.lastIndexOf('.') + 1) || 'bin';
  return storage.presignGet(record.reportKey, { ...(record.versionId ? { versionId: record.versionId } : {}), expiresInSeconds: 300, fileName: `bao-cao-${record.periodId}-${record.unitId}.${extension}` });
}

export interface RemindDeps extends NotifyDeps {
  reports: ReportLog;
  mailLog: MailLog;
  rates: RateCounter;
  calendar: CalendarSource;
  clock: Clock;
}

export type RemindResult = { outcome: 'sent'; key: string } | { outcome: 'already'; key: string };

/**
 * "Remind now" for one unit: the email of the step of the reminder policy the report is at today, with that step's
 * key. Already sent (by the morning sweep or an earlier click): nothing is sent. Two clicks at once: one counter
 * slot per key lets one through (and the mail sender sends one message per key anyway).
 */
export async function remindNow(ref: { directiveId: string; periodId: string; unitId: string }, deps: RemindDeps, policy: ReminderPolicy = DEFAULT_REMINDER_POLICY): Promise<RemindResult> {
  const now = deps.clock.now();
  const today = vietnamDate(now);
  const [obligation] = await deps.obligations.getObligations([ref]);
  if (!obligation) throw new InputError('Đơn vị này không phải nộp báo cáo kỳ này');
  const latest = (await deps.reports.reportsOf(ref)).at(-1);
  const state = reportState(obligation, latest ? { status: latest.status, receivedAt: latest.receivedAt } : undefined, today);
  if (state.kind === 'not-due') throw new InputError('Chưa đến kỳ báo cáo: chưa thể nhắc đơn vị nộp', ['Đơn vị được đề nghị nộp báo cáo khi kỳ số liệu kết thúc']);
  if (!stillOwed(state)) throw new InputError('Đơn vị đã nộp báo cáo kỳ này: không cần nhắc');
  const year = Number(today.slice(0, 4));
  const step = reminderStep(obligation, today, policy, await deps.calendar.calendarFor([year - 1, year, year + 1]));
  if ((await deps.mailLog.sentMessageId(step.key)) !== undefined) return { outcome: 'already', key: step.key };
  // The slot's window is fixed by the due date, not by the click: every click for this step meets the same counter.
  const slot = await deps.rates.takeSlot(`remind#${step.key}`, new Date(`${obligation.dueDate}T00:00:00Z`), 366 * 86_400, 1);
  if (!slot.ok) return { outcome: 'already', key: step.key };
  const items = [{ directiveId: obligation.directiveId, periodId: obligation.periodId, unitId: obligation.unitId, dueDate: obligation.dueDate }];
  const base = { key: step.key, recipientUnitId: obligation.unitId, asOf: today, items };
  await notifyUnit(
    step.type === 'DeadlineApproaching'
      ? { type: 'DeadlineApproaching', detail: { ...base, workingDaysBefore: step.workingDaysBefore } }
      : { type: 'ReportOverdue', detail: { ...base, workingDaysLate: step.workingDaysLate, audience: 'unit', escalated: step.escalated } },
    deps,
  );
  return { outcome: 'sent', key: step.key };
}
