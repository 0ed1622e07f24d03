/**
 * The level above approves or returns the reports of the units under it (DHIS2's data approval): one report, or a
 * page of them at once. Each decision is written with the obligation in one conditional write, repeats change
 * nothing, and a returned report's unit is emailed the reason.
 */
import type { Obligation } from '../domain/assignment.ts';
import { unitsFor, type Person } from '../domain/access.ts';
import { decide, mayDecide, returnReason, type Decision } from '../domain/approval.ts';
import type { Directive } from '../domain/directive.ts';
import { InputError } from '../domain/errors.ts';
import type { Unit } from '../domain/units.ts';
import { renderReturned } from '../mail/approval-email.ts';
import type { ApprovalStore, Clock, DirectiveStore, EventPublisher, MailQueue, ObligationIndex, UnitDirectory } from './ports.ts';

export interface ApprovalDeps {
  obligations: ObligationIndex;
  directives: DirectiveStore;
  units: UnitDirectory;
  approvals: ApprovalStore;
  events: EventPublisher;
  mail: MailQueue;
  clock: Clock;
  /** The unit's signed upload link for an obligation, put in the return email. */
  uploadLink?: (o: Obligation) => string;
}

export interface ReportRef {
  directiveId: string;
  periodId: string;
  unitId: string;
  /**
   * How many files of the report were accepted when the approver saw it (the page carries it): a decision on a report
   * sent again since is refused, so nobody approves a file they have not seen. Absent: not checked.
   */
  seen?: number;
}

/** A report to decide on, with its unit (whose path the authorization checks), its directive, and what was seen of it. */
export interface ReportToDecide {
  obligation: Obligation;
  unit: Unit;
  directive: Directive;
  seen?: number;
}

/** At most one page of reports in one request. */
export const MAX_BULK_DECISIONS = 100;
const MAX_WRITE_ATTEMPTS = 5;

/** The person deciding was not given the level above for this unit (the console answers 403). */
export class DecisionNotAllowed extends Error {
  constructor(readonly unitId: string) {
    super(`Not an approver above ${unitId}`);
    this.name = 'DecisionNotAllowed';
  }
}

export const refKey = (r: ReportRef) => `${r.directiveId}/${r.periodId}/${r.unitId}`;

/** The reports named, read together; any that does not exist is refused by name before anything is decided. */
export async function reportsToDecide(refs: readonly ReportRef[], deps: Pick<ApprovalDeps, 'obligations' | 'directives' | 'units'>): Promise<ReportToDecide[]> {
  if (refs.length === 0) throw new InputError('Chưa chọn báo cáo nào', ['Đánh dấu các báo cáo cần duyệt rồi bấm "Duyệt các báo cáo đã chọn".']);
  if (refs.length > MAX_BULK_DECISIONS) throw new InputError(`Chọn quá nhiều báo cáo (${refs.length})`, [`Mỗi lần duyệt tối đa ${MAX_BULK_DECISIONS} báo cáo.`]);
  const unique = [...new Map(refs.map((r) => [refKey(r), r])).values()];
  const obligations = new Map((await deps.obligations.getObligations(unique)).map((o) => [refKey(o), o]));
  const units = await deps.units.getUnits([...new Set(unique.map((r) => r.unitId))]);
  const directives = new Map<string, Directive | undefined>();
  for (const id of new Set(unique.map((r) => r.directiveId))) directives.set(id, await deps.directives.getDirective(id, { consistent: false }));
  const missing = unique.filter((r) => !obligations.has(refKey(r)) || !units.has(r.unitId) || !directives.get(r.directiveId));
  if (missing.length) throw new InputError('Không tìm thấy báo cáo cần duyệt', missing.map((r) => `Kỳ ${r.periodId} của đơn vị "${r.unitId}" theo chỉ thị "${r.directiveId}"`));
  return unique.map((r) => ({ obligation: obligations.get(refKey(r))!, unit: units.get(r.unitId)!, directive: directives.get(r.directiveId)!, ...(r.seen !== undefined ? { seen: r.seen } : {}) }));
}

export type DecisionOutcome = { ref: ReportRef; outcome: 'decided' | 'unchanged'; obligation: Obligation };

/**
 * Decides every report or none: each must be one the person may decide (else DecisionNotAllowed) and one the
 * decision applies to (else InputError naming it), all checked before the first write. Then each is written on its
 * own, conditionally on the obligation as read (read again on a conflict), and told.
 */
export async function decideReports(items: readonly ReportToDecide[], decision: Decision, approver: Pick<Person, 'email' | 'grants'>, deps: ApprovalDeps): Promise<DecisionOutcome[]> {
  const checked: Decision = decision.kind === 'return' ? { kind: 'return', reasonVi: returnReason(decision.reasonVi) } : decision;
  const now = deps.clock.now();
  for (const item of items) if (!mayDecide(approver, item.unit)) throw new DecisionNotAllowed(item.unit.id);
  const refused: string[] = [];
  for (const item of items) {
    try {
      refuseUnseen(item, item.obligation);
      decide(item.obligation, checked, approver.email, now);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      refused.push(`${item.unit.name}: ${e.messageVi}`);
    }
  }
  if (refused.length) throw new InputError('Chưa duyệt báo cáo nào vì có báo cáo không thể duyệt', refused);
  const out: DecisionOutcome[] = [];
  for (const item of items) out.push(await decideOne(item, checked, approver, now, deps));
  return out;
}

/** A report sent again since the approver saw it is not decided on: they look at the new file first. */
function refuseUnseen(item: Pick<ReportToDecide, 'seen' | 'unit'>, o: Obligation): void {
  if (item.seen === undefined || (o.acceptedReports ?? 0) === item.seen) return;
  throw new InputError(`Báo cáo của ${item.unit.name} vừa được nộp lại sau khi bạn xem`, ['Hãy tải lại trang, xem số liệu mới rồi quyết định.']);
}

async function decideOne(item: ReportToDecide, decision: Decision, approver: Pick<Person, 'email' | 'grants'>, now: Date, deps: ApprovalDeps): Promise<DecisionOutcome> {
  const by = approver.email;
  let read = item.obligation;
  const ref = { directiveId: read.directiveId, periodId: read.periodId, unitId: read.unitId };
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const step = decide(read, decision, by, now);
    // Already so (a repeated request, a retry after a crash before the email): told again, under the same keys.
    if (step.outcome === 'unchanged') {
      await tell(item, read, deciderOf(approver, item.unit), deps);
      return { ref, outcome: 'unchanged', obligation: read };
    }
    if ((await deps.approvals.putDecision(read, step.next)) === 'recorded') {
      await tell(item, step.next, deciderOf(approver, item.unit), deps);
      return { ref, outcome: 'decided', obligation: step.next };
    }
    // Changed meanwhile (a new file accepted, another approver's decision): decide on what is there now.
    const [again] = await deps.obligations.getObligations([ref]);
    if (!again) throw new InputError(`Không tìm thấy báo cáo kỳ ${ref.periodId} của đơn vị "${ref.unitId}"`);
    refuseUnseen(item, again);
    read = again;
  }
  throw new InputError(`Báo cáo của ${item.unit.name} đang thay đổi liên tục`, ['Vui lòng tải lại trang và thử lại.']);
}

/** The approver's unit nearest above the report's unit: who the unit is told decided. */
function deciderOf(approver: Pick<Person, 'grants'>, unit: Unit): string | undefined {
  const own = new Set(unitsFor(approver, 'report.approve'));
  return unit.path.filter((id) => id !== unit.id && own.has(id)).at(-1);
}

/** The event for the decision on `o`, and for a return, the email to the unit with the reason. */
async function tell(item: ReportToDecide, o: Obligation, deciderId: string | undefined, deps: ApprovalDeps): Promise<void> {
  const a = o.approval;
  if (!a) return;
  const ref = { directiveId: o.directiveId, periodId: o.periodId, unitId: o.unitId };
  if (a.state === 'approved') {
    await deps.events.publish('ReportApproved', { ...ref, by: a.by, at: a.at });
    return;
  }
  const reasonVi = a.reasonVi ?? '';
  await deps.events.publish('ReportReturned', { ...ref, by: a.by, at: a.at, reasonVi });
  const to = item.unit.emails.length ? item.unit.emails : item.unit.leaderEmails;
  if (!to.length) return;
  const decider = deciderId ? (await deps.units.getUnits([deciderId])).get(deciderId) : undefined;
  const link = deps.uploadLink?.(o);
  const rendered = renderReturned({ directive: item.directive, unitName: item.unit.name, obligation: o, deciderName: decider?.name ?? 'Cấp trên', at: a.at, reasonVi, ...(link ? { uploadLink: link } : {}) });
  await deps.mail.sendAll([{ key: `report-returned:${refKey(ref)}:${a.at}`, to, cc: [], ...rendered, kind: 'report-returned', directiveId: o.directiveId, unitId: o.unitId }]);
}

export type ApprovalState = 'awaiting' | 'approved' | 'returned';

export interface ReportUnderApprover {
  obligation: Obligation;
  unit: Unit;
  state: ApprovalState;
}

const stateOf = (o: Obligation): ApprovalState | undefined =>
  o.status === 'submitted' ? (o.approval?.state === 'approved' ? 'approved' : 'awaiting') : o.status === 'open' && o.approval?.state === 'returned' ? 'returned' : undefined;

/**
 * The reports of one directive and period the person decides on (units strictly below their approver grants), by
 * their unit's name: awaiting, approved, or returned and not yet sent again.
 */
export async function reportsUnder(approver: Pick<Person, 'grants'>, directive: Pick<Directive, 'id' | 'shardCount'>, periodId: string, deps: Pick<ApprovalDeps, 'obligations' | 'units'>): Promise<ReportUnderApprover[]> {
  const decided = (await deps.obligations.obligationsOfPeriod(directive, periodId)).filter((o) => stateOf(o));
  const units = await deps.units.getUnits([...new Set(decided.map((o) => o.unitId))]);
  return decided
    .flatMap((o) => {
      const unit = units.get(o.unitId);
      return unit && mayDecide(approver, unit) ? [{ obligation: o, unit, state: stateOf(o)! }] : [];
    })
    .sort((a, b) => a.unit.name.localeCompare(b.unit.name, 'vi') || a.unit.id.localeCompare(b.unit.id));
}
