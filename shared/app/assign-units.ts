import type { AssignmentWorkItem, MailMessage } from '../../events/schemas.ts';
import { assignmentFor, obligationsFor, reportingPeriods, type Assignment, type Obligation } from '../domain/assignment.ts';
import type { Directive } from '../domain/directive.ts';
import type { Unit } from '../domain/units.ts';
import { renderAssignmentMail, type AssignmentMailKind } from '../mail/assignment-email.ts';
import { mapLimit } from '../retry.ts';
import { PermanentError } from '../domain/errors.ts';
import type { AssignmentStore, CalendarSource, Clock, DirectiveStore, MailQueue, UnitDirectory } from './ports.ts';

export interface AssignDeps {
  directives: DirectiveStore;
  units: UnitDirectory;
  assignments: AssignmentStore;
  mail: MailQueue;
  clock: Clock;
  /** The government's adjustments (days off moved, swapped): due dates follow them. */
  calendar?: CalendarSource;
}

export interface AssignResult {
  key: string;
  outcome: 'done' | 'superseded';
  written: number;
  alreadyDone: number;
  withdrawn: number;
  missingUnits: string[];
  withoutEmail: string[];
  mailQueued: number;
}

const WRITE_CONCURRENCY = 8;

/** The announced adjustments change a few times a year: read at most every five minutes per warm worker. */
const calendarCache = new Map<number, { at: number; options: Awaited<ReturnType<CalendarSource['calendarFor']>> }>();
async function calendarOf(deps: AssignDeps, year: number) {
  if (!deps.calendar) return undefined;
  const hit = calendarCache.get(year);
  if (hit && Date.now() - hit.at < 5 * 60_000) return hit.options;
  const options = await deps.calendar.calendarFor([year - 1, year, year + 1]);
  calendarCache.set(year, { at: Date.now(), options });
  return options;
}

/** Directives change rarely and a version never changes: one read per version per warm worker. */
const directiveCache = new Map<string, Directive>();

async function directiveAt(deps: AssignDeps, id: string, version: number): Promise<Directive> {
  const cached = directiveCache.get(`${id}@${version}`);
  if (cached) return cached;
  const d = await deps.directives.getDirective(id, { consistent: true });
  if (!d) throw new PermanentError(`Directive ${id} is not stored`);
  if (d.version === version) directiveCache.set(`${id}@${version}`, d);
  return d;
}

/** One key per unit and version, whatever the wording: a duplicate can never send both "giao" and "điều chỉnh". */
export const mailKey = (kind: AssignmentMailKind, directiveId: string, version: number, unitId: string) =>
  `${kind === 'withdrawn' ? 'withdrawn' : 'assignment'}:${directiveId}:v${version}:${unitId}`;

function mailFor(kind: AssignmentMailKind, directive: Directive, unit: Unit, periods: ReturnType<typeof reportingPeriods>, targets = {}): MailMessage {
  const rendered = renderAssignmentMail(kind, directive, unit, targets, periods);
  return {
    key: mailKey(kind, directive.id, directive.version, unit.id),
    to: unit.emails,
    cc: [],
    ...rendered,
    kind: `directive-${kind}`,
    directiveId: directive.id,
    unitId: unit.id,
  };
}

/**
 * Brings a unit's obligations in line with a newer version: new periods open, dropped ones close, submitted
 * ones stay. Returns whether the unit's reporting calendar changed in this version (also when an earlier,
 * interrupted attempt of the same version already made the change).
 */
async function reconcileObligations(directive: Directive, unitId: string, wanted: Obligation[], deps: AssignDeps): Promise<boolean> {
  const current = await deps.assignments.obligationsOf(directive.id, unitId);
  const existing = new Map(current.map((o) => [o.periodId, o]));
  let changed = current.some((o) => o.version === directive.version);
  const fresh: Obligation[] = [];
  for (const o of wanted) {
    const had = existing.get(o.periodId);
    if (!had) {
      fresh.push(o);
      continue;
    }
    const dueDate = dueDateKeepingExtension(o.dueDate, had);
    if (had.status === 'cancelled' || (had.status === 'open' && had.dueDate !== dueDate)) {
      changed = true;
      await deps.assignments.updateObligation(had, { status: 'open', dueDate, version: directive.version }, ['open', 'cancelled']);
    }
  }
  const wantedIds = new Set(wanted.map((o) => o.periodId));
  for (const had of existing.values()) {
    if (!wantedIds.has(had.periodId) && had.status === 'open') {
      changed = true;
      await deps.assignments.updateObligation(had, { status: 'cancelled', version: directive.version }, ['open']);
    }
  }
  await deps.assignments.putNewObligations(fresh);
  return changed || fresh.length > 0;
}

/** The rule's due date, unless an office extended this unit's deadline beyond it (ISO dates compare as strings). */
const dueDateKeepingExtension = (ruleDue: string, had: Obligation): string => (had.extendedUntil && had.extendedUntil > ruleDue ? had.extendedUntil : ruleDue);

const sameTargets = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/**
 * Writes the assignments and obligations of one work item and queues one notification per unit.
 * Safe to run any number of times: an assignment is replaced only by a newer version, an obligation is
 * created only if absent, and each notification carries a key the mail sender sends once.
 */
export async function assignUnits(item: AssignmentWorkItem, deps: AssignDeps): Promise<AssignResult> {
  const result: AssignResult = { key: item.key, outcome: 'done', written: 0, alreadyDone: 0, withdrawn: 0, missingUnits: [], withoutEmail: [], mailQueued: 0 };
  const directive = await directiveAt(deps, item.directiveId, item.version);
  if (directive.version < item.version) throw new Error(`Directive ${item.directiveId} v${item.version} not visible yet (have v${directive.version})`);
  if (directive.version > item.version) return { ...result, outcome: 'superseded' };

  const [units, existing] = await Promise.all([deps.units.getUnits(item.unitIds), deps.assignments.getAssignments(item.directiveId, item.unitIds)]);
  result.missingUnits = item.unitIds.filter((id) => !units.has(id));
  const periods = reportingPeriods(directive, await calendarOf(deps, directive.year));
  const mails: MailMessage[] = [];
  const queueMail = (kind: AssignmentMailKind, unit: Unit, targets = {}) => {
    if (unit.emails.length === 0) result.withoutEmail.push(unit.id);
    else mails.push(mailFor(kind, directive, unit, periods, targets));
  };

  if (item.action === 'withdraw' || directive.status === 'withdrawn') {
    await mapLimit([...units.values()], WRITE_CONCURRENCY, async (unit) => {
      const had = existing.get(unit.id);
      if (!had) return;
      if (await deps.assignments.withdrawAssignment(directive.id, unit.id, directive.version)) result.withdrawn++;
      else result.alreadyDone++;
      for (const o of await deps.assignments.obligationsOf(directive.id, unit.id)) {
        if (o.status === 'open') await deps.assignments.updateObligation(o, { status: 'cancelled', version: directive.version }, ['open']);
      }
      // Queued even when the write was already done: a crash between the write and the send must not lose the email.
      if (had.version <= directive.version) queueMail('withdrawn', unit);
    });
  } else {
    const freshObligations: Obligation[] = [];
    const newUnitObligations: Obligation[] = [];
    const toWrite: { unit: Unit; assignment: Assignment }[] = [];
    await mapLimit([...units.values()], WRITE_CONCURRENCY, async (unit) => {
      const had = existing.get(unit.id);
      if (had && had.version > directive.version) return;
      const wanted = obligationsFor(directive, unit, periods);
      if (had && had.version === directive.version) {
        // A duplicate delivery: finish what an interrupted attempt may have left, and queue the same email again.
        result.alreadyDone++;
        if (directive.version === 1) freshObligations.push(...wanted);
        else await reconcileObligations(directive, unit.id, wanted, deps);
        if (had.notice !== 'none') queueMail(had.notice, unit, had.targets);
        return;
      }
      let notice: Assignment['notice'] = 'assigned';
      if (had) {
        const calendarChanged = await reconcileObligations(directive, unit.id, wanted, deps);
        const targets = assignmentFor(directive, unit, deps.clock.now()).targets;
        // Few messages: a unit whose targets and deadlines did not move hears nothing about an amendment.
        notice = had.status === 'withdrawn' ? 'assigned' : calendarChanged || !sameTargets(had.targets, targets) ? 'amended' : 'none';
      } else {
        newUnitObligations.push(...wanted);
      }
      toWrite.push({ unit, assignment: assignmentFor(directive, unit, deps.clock.now(), notice) });
    });
    // One conditional write per unit, together: a newer version already stored is never overwritten, and a unit that
    // had none is inserted (half a transaction's write units) unless one appeared since it was read.
    const absent = new Set(toWrite.filter((w) => !existing.has(w.unit.id)).map((w) => w.unit.id));
    const written = await deps.assignments.putAssignmentsIfNewer(toWrite.map((w) => w.assignment), absent);
    for (const { unit, assignment } of toWrite) {
      if (written.has(unit.id)) result.written++;
      else result.alreadyDone++;
      if (assignment.notice !== 'none') queueMail(assignment.notice, unit, assignment.targets);
    }
    await deps.assignments.putNewObligations(freshObligations);
    await deps.assignments.putObligationsOfNewUnits(newUnitObligations);
  }
  await deps.mail.sendAll(mails);
  result.mailQueued = mails.length;
  return result;
}
