/**
 * A unit's registration of the titles it aims for in a directive's year (đăng ký thi đua), and its review by the level
 * above: sent → awaiting → approved or returned with a reason, as MISA CeGov shows it, rolled up the hierarchy so an
 * office sees who has not sent and whom to remind. Days are Vietnam days: a registration sent at 23:30 on 31 March
 * in Hà Nội is on time whatever the server's clock says.
 *
 * Pure: the caller loads the current record, passes `now` and stores what comes back (its `version` guards the write).
 */
import { formatDateVi, vietnamDate } from '../calendar/index.ts';
import { InputError } from '../errors.ts';
import { LEVEL_NAME_VI, type Unit } from '../units.ts';
import { REGISTRATION_STATE_VI, type EmulationRules, type Registration, type RegistrationState } from './types.ts';

/** A unit's registration before it sends anything. */
export function emptyRegistration(directiveId: string, year: number, unitId: string): Registration {
  return {
    directiveId,
    year,
    unitId,
    titleIds: [],
    pledgeSigned: false,
    state: 'not-sent',
    submittedAt: null,
    submittedBy: null,
    decidedAt: null,
    decidedBy: null,
    reasonVi: null,
    late: false,
    version: 0,
  };
}

/**
 * Registration opens on 1 December of the year before (plans for the next year are made then) and closes with the
 * year: a title registered after the year cannot be emulated for.
 */
function refuseOutsideYear(year: number, today: string): void {
  const end = `${year}-12-31`;
  if (today > end) throw new InputError(`Năm thi đua ${year} đã kết thúc ngày ${formatDateVi(end)}; không nhận đăng ký sau thời điểm này.`);
  const opens = `${year - 1}-12-01`;
  if (today < opens) throw new InputError(`Năm thi đua ${year} chưa bắt đầu; nhận đăng ký từ ngày ${formatDateVi(opens)}.`);
}

const sameTitles = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/**
 * Sends (or sends again) a unit's registration. Refused with everything wrong listed, and nothing changed, when the
 * year is closed or not open, when a title is unknown or of another level, when none is chosen, when a unit of a
 * cluster has not signed the cluster's pledge, or when the registration is already approved. Sending again what is
 * already awaiting review returns it unchanged (a double click, a retried request).
 */
export function submitRegistration(
  current: Registration | undefined,
  input: { titleIds: readonly string[]; pledgeSigned: boolean },
  ctx: { directiveId: string; year: number; unit: Pick<Unit, 'id' | 'name' | 'level'>; rules: EmulationRules; now: Date; by: string; inCluster: boolean },
): Registration {
  if (current && (current.unitId !== ctx.unit.id || current.directiveId !== ctx.directiveId || current.year !== ctx.year)) {
    throw new Error(`registration of ${current.unitId}/${current.directiveId}/${current.year} given for ${ctx.unit.id}/${ctx.directiveId}/${ctx.year}`);
  }
  const today = vietnamDate(ctx.now);
  refuseOutsideYear(ctx.year, today);
  if (current?.state === 'approved') {
    const on = current.decidedAt ? ` ngày ${formatDateVi(vietnamDate(current.decidedAt))}` : '';
    throw new InputError(`Đăng ký thi đua năm ${ctx.year} của ${ctx.unit.name} đã được duyệt${on}; không gửi lại được.`);
  }

  const titleIds = [...new Set(input.titleIds)];
  const problems: string[] = [];
  if (!titleIds.length) problems.push('Chưa chọn danh hiệu nào');
  const titles = new Map(ctx.rules.titles.map((t) => [t.id, t]));
  for (const id of titleIds) {
    const title = titles.get(id);
    if (!title) problems.push(`Không có danh hiệu mã "${id}" trong quy định của năm thi đua`);
    else if (title.level !== ctx.unit.level) {
      problems.push(`Danh hiệu "${title.nameVi}" dành cho cấp ${LEVEL_NAME_VI[title.level]}, không dành cho ${ctx.unit.name} (cấp ${LEVEL_NAME_VI[ctx.unit.level]})`);
    }
  }
  if (ctx.inCluster && !input.pledgeSigned) problems.push('Đơn vị thuộc cụm thi đua: cần ký giao ước thi đua của cụm');
  if (problems.length) throw new InputError(`Chưa gửi được đăng ký thi đua của ${ctx.unit.name}`, problems);

  if (current?.state === 'awaiting' && current.pledgeSigned === input.pledgeSigned && sameTitles(current.titleIds, titleIds)) return current;

  return {
    directiveId: ctx.directiveId,
    year: ctx.year,
    unitId: ctx.unit.id,
    titleIds,
    pledgeSigned: input.pledgeSigned,
    state: 'awaiting',
    submittedAt: ctx.now.toISOString(),
    submittedBy: ctx.by,
    decidedAt: null,
    decidedBy: null,
    reasonVi: null,
    // Lateness is the first sending's: a unit that sent in time and was returned after the deadline is not late.
    late: current?.submittedAt ? current.late : today > `${ctx.year}-${ctx.rules.registrationDeadline}`,
    version: (current?.version ?? 0) + 1,
  };
}

const MIN_REASON = 5;

/** The level above approves an awaiting registration, or returns it with a reason the unit can act on. */
export function decideRegistration(current: Registration, decision: { kind: 'approve' } | { kind: 'return'; reasonVi: string }, by: string, now: Date): Registration {
  if (current.state !== 'awaiting') {
    throw new InputError(`Đăng ký đang ở trạng thái "${REGISTRATION_STATE_VI[current.state]}"; chỉ duyệt hoặc trả lại được đăng ký đang chờ duyệt.`);
  }
  const decided = { decidedAt: now.toISOString(), decidedBy: by, version: current.version + 1 };
  if (decision.kind === 'approve') return { ...current, ...decided, state: 'approved', reasonVi: null };
  const reasonVi = decision.reasonVi.trim().replace(/\s+/g, ' ');
  if (reasonVi.length < MIN_REASON) throw new InputError(`Trả lại đăng ký cần nêu lý do để đơn vị sửa (ít nhất ${MIN_REASON} ký tự).`);
  return { ...current, ...decided, state: 'returned', reasonVi };
}

export interface RegistrationSummaryRow {
  unitId: string;
  name: string;
  level: string;
  /** Depth below the shallowest unit of the list (0 for it), for indenting the tree. */
  depth: number;
  /** Registering-level units at or below this one, by state; a unit without a record counts as not sent. */
  counts: Record<RegistrationState, number>;
  total: number;
  /** The unit's own state when it is at the registering level, else null. */
  state: RegistrationState | null;
}

const stateOf = (registrations: ReadonlyMap<string, Registration>, unitId: string): RegistrationState => registrations.get(unitId)?.state ?? 'not-sent';

/** Tree order: a parent before its children, siblings by id (the path's own order). */
function comparePaths(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return (a[i] as string) < (b[i] as string) ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * The registration summary rolled up the hierarchy: every unit of the list in tree order, with how many of the
 * registering-level units at or below it (itself included) stand in each state. `registrations` is keyed by unit id.
 */
export function registrationSummary(
  units: readonly Pick<Unit, 'id' | 'name' | 'level' | 'path' | 'parentId'>[],
  registrations: ReadonlyMap<string, Registration>,
  registeringLevel: Unit['level'],
): RegistrationSummaryRow[] {
  const listed = new Set(units.map((u) => u.id));
  const counts = new Map(units.map((u) => [u.id, { 'not-sent': 0, awaiting: 0, returned: 0, approved: 0 } as Record<RegistrationState, number>]));
  for (const u of units) {
    if (u.level !== registeringLevel) continue;
    const state = stateOf(registrations, u.id);
    for (const ancestor of new Set(u.path)) if (listed.has(ancestor)) counts.get(ancestor)![state]++;
  }
  const shallowest = Math.min(...units.map((u) => u.path.length));
  return [...units]
    .sort((a, b) => comparePaths(a.path, b.path))
    .map((u) => {
      const c = counts.get(u.id)!;
      return {
        unitId: u.id,
        name: u.name,
        level: u.level,
        depth: u.path.length - shallowest,
        counts: c,
        total: c['not-sent'] + c.awaiting + c.returned + c.approved,
        state: u.level === registeringLevel ? stateOf(registrations, u.id) : null,
      };
    });
}

/** The registering units to remind: those that have not sent, and those whose registration came back to fix. */
export function unitsToRemind(units: readonly Pick<Unit, 'id'>[], registrations: ReadonlyMap<string, Registration>): string[] {
  return units.filter((u) => ['not-sent', 'returned'].includes(stateOf(registrations, u.id))).map((u) => u.id);
}
