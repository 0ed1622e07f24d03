import type { EventDetail, EventType } from '../../events/schemas.ts';
import type { Obligation } from '../domain/assignment.ts';
import {
  addDays,
  addWorkingDays,
  isWorkingDay,
  periodsOf,
  subtractWorkingDays,
  vietnamDate,
  type CalendarOptions,
  type CutoffRule,
} from '../domain/calendar/index.ts';
import type { CalendarSource, DirectiveStore, EventPublisher, ObligationIndex, UnitDirectory } from './ports.ts';
import type { UnitLevel } from '../domain/units.ts';
import { reportingPeriods } from '../domain/assignment.ts';

/** When units hear about a report: working days before the deadline, working days after it, and from when the leaders and the office above are told. */
export interface ReminderPolicy {
  remindBefore: number[];
  overdueAfter: number[];
  escalateFrom: number;
}

export const DEFAULT_REMINDER_POLICY: ReminderPolicy = { remindBefore: [3, 1], overdueAfter: [1, 3, 7], escalateFrom: 3 };


type Announcement = { type: EventType; detail: EventDetail<EventType> };

/** The keys of a unit's reminder and overdue notice for one due date and step: the mail sender sends each once. */
export const reminderKey = (unitId: string, due: string, k: number) => `reminder:${unitId}:${due}:${k}`;
export const overdueKey = (unitId: string, due: string, k: number) => `overdue:${unitId}:${due}:${k}`;

/** One step of the policy for one open report: the announcement the sweep makes (or made) for it. */
export type ReminderStep =
  | { type: 'DeadlineApproaching'; key: string; workingDaysBefore: number }
  | { type: 'ReportOverdue'; key: string; workingDaysLate: number; escalated: boolean };

/**
 * The step a report is at on `today`: the latest step of the policy whose day has come, or the first step when none
 * has yet. A reminder sent "now" carries that step's key, so neither a second click nor the morning sweep of that
 * step sends it again: never twice the same step.
 */
export function reminderStep(o: Pick<Obligation, 'unitId' | 'dueDate'>, today: string, policy: ReminderPolicy = DEFAULT_REMINDER_POLICY, cal?: CalendarOptions): ReminderStep {
  const overdue = [...policy.overdueAfter].sort((a, b) => b - a).find((k) => addWorkingDays(o.dueDate, k, cal) <= today);
  if (overdue !== undefined) return { type: 'ReportOverdue', key: overdueKey(o.unitId, o.dueDate, overdue), workingDaysLate: overdue, escalated: overdue >= policy.escalateFrom };
  const before = [...policy.remindBefore].sort((a, b) => a - b);
  const reached = before.find((k) => subtractWorkingDays(o.dueDate, k, cal) <= today) ?? before.at(-1) ?? 1;
  return { type: 'DeadlineApproaching', key: reminderKey(o.unitId, o.dueDate, reached), workingDaysBefore: reached };
}

const ref = (o: Obligation) => ({ directiveId: o.directiveId, periodId: o.periodId, unitId: o.unitId, dueDate: o.dueDate });

function groupBy<T>(items: readonly T[], key: (t: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    out.set(k, [...(out.get(k) ?? []), item]);
  }
  return out;
}

export interface SweepResult {
  date: string;
  skipped?: 'day off';
  reminders: number;
  overdue: number;
  escalations: number;
  resultsDue: number;
}

/**
 * The morning sweep: for each step, the one due date it concerns (a Query on the open-by-due-date index), then
 * one announcement per unit and step, and for escalations one per office above. Keys are made of unit, due
 * date and step, so a second sweep on the same day announces the same keys and the mail sender sends nothing new.
 */
export async function dailySweep(
  scheduledTime: string,
  deps: { obligations: ObligationIndex; events: EventPublisher; calendar?: CalendarSource; directives?: DirectiveStore },
  policy: ReminderPolicy = DEFAULT_REMINDER_POLICY,
): Promise<SweepResult> {
  const today = vietnamDate(scheduledTime);
  const year = Number(today.slice(0, 4));
  const cal: CalendarOptions | undefined = await deps.calendar?.calendarFor([year - 1, year, year + 1]);
  const result: SweepResult = { date: today, reminders: 0, overdue: 0, escalations: 0, resultsDue: 0 };
  // Reminders count working days, so a day off has nothing of its own: its steps fall on working days.
  if (!isWorkingDay(today, cal)) return { ...result, skipped: 'day off' };
  const events: Announcement[] = [];
  // Every step's due date at once: a handful of Queries on the open-by-due-date index, read in parallel.
  const dueDates = [...policy.remindBefore.map((k) => addWorkingDays(today, k, cal)), ...policy.overdueAfter.map((k) => subtractWorkingDays(today, k, cal))];
  const openByDue = new Map(await Promise.all([...new Set(dueDates)].map(async (d) => [d, await deps.obligations.openObligationsDue(d)] as const)));

  for (const k of policy.remindBefore) {
    const due = addWorkingDays(today, k, cal);
    // Only reports whose window has closed and whose request did not go out today: no reminder before the
    // request, and never two emails about the same report on one day.
    const owed = (openByDue.get(due) ?? []).filter((o) => addDays(o.periodEnd, 1) < today);
    for (const [unitId, items] of groupBy(owed, (o) => o.unitId)) {
      events.push({ type: 'DeadlineApproaching', detail: { key: reminderKey(unitId, due, k), recipientUnitId: unitId, asOf: today, workingDaysBefore: k, items: items.map(ref) } });
      result.reminders++;
    }
  }
  for (const k of policy.overdueAfter) {
    const due = subtractWorkingDays(today, k, cal);
    const late = openByDue.get(due) ?? [];
    const escalated = k >= policy.escalateFrom;
    for (const [unitId, items] of groupBy(late, (o) => o.unitId)) {
      events.push({ type: 'ReportOverdue', detail: { key: overdueKey(unitId, due, k), recipientUnitId: unitId, asOf: today, workingDaysLate: k, audience: 'unit', escalated, items: items.map(ref) } });
      result.overdue++;
    }
    if (!escalated) continue;
    // The office above gets one list of its late units, not one email per unit.
    for (const [parentId, items] of groupBy(late, (o) => o.parentId)) {
      events.push({ type: 'ReportOverdue', detail: { key: `escalation:${parentId}:${due}:${k}`, recipientUnitId: parentId, asOf: today, workingDaysLate: k, audience: 'parent', escalated, items: items.map(ref) } });
      result.escalations++;
    }
  }
  // Deadlines that passed yesterday (the previous working day): results and digests are due.
  if (deps.directives) {
    const passed = subtractWorkingDays(today, 1, cal);
    // Last year's directives too: a December window's deadline falls in January.
    const directives = [...(await deps.directives.directivesOfYear(year - 1)), ...(await deps.directives.directivesOfYear(year))];
    for (const d of directives.filter((x) => x.status === 'issued')) {
      for (const { period, due } of reportingPeriods(d, cal)) {
        if (due === passed) {
          events.push({ type: 'ResultsDue', detail: { directiveId: d.id, periodId: period.id, scheduledTime } });
          result.resultsDue++;
        }
      }
    }
  }
  await deps.events.publishAll(events);
  return result;
}

export interface PeriodCloseResult {
  windowEnd: string;
  cutoff: CutoffRule;
  periods: string[];
  requests: number;
}

/** A cut-off window ended yesterday: every unit with an open report for it gets one request listing them all. */
export async function closePeriod(
  detail: { cutoff: CutoffRule; scheduledTime: string },
  deps: { directives: DirectiveStore; obligations: ObligationIndex; events: EventPublisher },
): Promise<PeriodCloseResult> {
  const today = vietnamDate(detail.scheduledTime);
  const windowEnd = addDays(today, -1);
  const year = Number(windowEnd.slice(0, 4));
  const directives = (await deps.directives.directivesOfYear(year)).filter((d) => d.status === 'issued' && d.cutoff === detail.cutoff);
  const open: Obligation[] = [];
  const periods: string[] = [];
  for (const d of directives) {
    for (const cadence of d.cadences) {
      for (const period of periodsOf(year, cadence, d.cutoff).filter((p) => p.end === windowEnd)) {
        periods.push(`${d.id}/${period.id}`);
        open.push(...(await deps.obligations.openObligationsOfPeriod(d, period.id)));
      }
    }
  }
  const events: Announcement[] = [...groupBy(open, (o) => o.unitId)].map(([unitId, items]) => ({
    type: 'ReportRequested',
    detail: { key: `request:${unitId}:${detail.cutoff}:${windowEnd}`, recipientUnitId: unitId, asOf: today, items: items.map(ref) },
  }));
  await deps.events.publishAll(events);
  return { windowEnd, cutoff: detail.cutoff, periods, requests: events.length };
}

export interface StatusDigestResult {
  date: string;
  digests: number;
}


/**
 * The weekly status: for every period whose reporting window is open (closed, deadline not yet passed), each
 * leader at the configured levels gets one list of the units under them that have not reported yet.
 */
export async function weeklyStatus(
  scheduledTime: string,
  levels: readonly UnitLevel[],
  deps: { directives: DirectiveStore; obligations: ObligationIndex; units: UnitDirectory; events: EventPublisher; calendar?: CalendarSource },
): Promise<StatusDigestResult> {
  const today = vietnamDate(scheduledTime);
  const year = Number(today.slice(0, 4));
  const cal = await deps.calendar?.calendarFor([year - 1, year, year + 1]);
  const open: Obligation[] = [];
  const directives = [...(await deps.directives.directivesOfYear(year - 1)), ...(await deps.directives.directivesOfYear(year))];
  for (const d of directives.filter((x) => x.status === 'issued')) {
    for (const { period, due } of reportingPeriods(d, cal)) {
      if (period.end < today && today <= due) open.push(...(await deps.obligations.openObligationsOfPeriod(d, period.id)));
    }
  }
  // Every leader above a missing report, at the configured levels: a province hears about communes under districts.
  const reporting = await deps.units.getUnits([...new Set(open.map((o) => o.unitId))]);
  const byAncestor = new Map<string, Obligation[]>();
  for (const o of open) {
    for (const ancestorId of reporting.get(o.unitId)?.path.slice(0, -1) ?? (o.parentId ? [o.parentId] : [])) {
      byAncestor.set(ancestorId, [...(byAncestor.get(ancestorId) ?? []), o]);
    }
  }
  const parents = await deps.units.getUnits([...byAncestor.keys()]);
  const events: Announcement[] = [];
  for (const [parentId, items] of byAncestor) {
    const parent = parents.get(parentId);
    if (!parent || !levels.includes(parent.level)) continue;
    events.push({ type: 'StatusDigest', detail: { key: `status:${parentId}:${today}`, recipientUnitId: parentId, asOf: today, items: items.map(ref) } });
  }
  await deps.events.publishAll(events);
  return { date: today, digests: events.length };
}
