import type { MailMessage, RejectionMailDue } from '../../events/schemas.ts';
import type { Obligation } from '../domain/assignment.ts';
import { vietnamDate } from '../domain/calendar/index.ts';
import { isApproved, lockedNoticeVi } from '../domain/approval.ts';
import type { Directive } from '../domain/directive.ts';
import type { Unit } from '../domain/units.ts';
import { parseReport, type ParseOutcome, type ReportProblem } from '../domain/report/index.ts';
import { renderReceipt, renderRejection } from '../mail/intake-email.ts';
import { parseReportKey, type ReportKey } from '../contract/bucket.ts';
import { PermanentError } from '../domain/errors.ts';
import type {
  AssignmentStore,
  DelayedQueue,
  DirectiveStore,
  EventPublisher,
  MailQueue,
  ObligationIndex,
  RejectionMailGate,
  ReportLog,
  ReportRecord,
  ReportStorage,
  StoredObject,
  UnitDirectory,
} from './ports.ts';
import { withdrawnNoticeVi } from './uploads.ts';
import { backoffMs, sleep } from '../retry.ts';

export const DEFAULT_MAX_REPORT_BYTES = 5 * 1024 * 1024;
/** At most one rejection email per report in ten minutes; what is rejected meanwhile is told when the window ends. */
export const DEFAULT_REJECTION_MAIL_WINDOW_SECONDS = 600;
/** The window's end is announced with an SQS delay, which cannot exceed 15 minutes. */
export const MAX_REJECTION_MAIL_WINDOW_SECONDS = 900;
/** Re-reads of an obligation that changed while its report was being recorded, before giving the message back to the queue. */
const MAX_RECORD_ATTEMPTS = 5;

export type ReportParser = typeof parseReport;

export interface IntakeDeps {
  storage: ReportStorage;
  obligations: ObligationIndex;
  assignments: AssignmentStore;
  directives: DirectiveStore;
  units: UnitDirectory;
  reports: ReportLog;
  events: EventPublisher;
  mail: MailQueue;
  /** Where the end of a rejection-email window is announced (the intake queue itself, delayed). */
  later: DelayedQueue<RejectionMailDue>;
  rejectionMail: RejectionMailGate;
  rejectionMailWindowSeconds?: number;
  maxBytes?: number;
  /**
   * Reads the file. The intake function passes `parseReportWithinBudget` (a worker thread stopped at its deadline or
   * heap limit); without it, `parseReport` runs in this process (tests of the flow around it).
   */
  parse?: ReportParser;
}

export interface UploadedObject {
  key: string;
  versionId?: string;
  /** When the file arrived (the S3 event's time): a report is on time if it arrived before the end of its due day. */
  receivedAt: string;
}

export type IntakeResult =
  | { key: string; outcome: 'accepted'; problems: 0; resubmission: boolean; retold?: true }
  | { key: string; outcome: 'rejected'; problems: number; mail: 'now' | 'later'; retold?: true }
  | { key: string; outcome: 'ignored'; reason: string };

interface Upload {
  obj: UploadedObject;
  ref: ReportKey;
  version: string;
  fileName: string;
  obligation: Obligation;
  directive: Directive;
  unit: Unit;
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

/**
 * An uploaded report file → accepted (obligation closed on time or late, receipt with the values read,
 * ReportAccepted) or rejected (each problem told to the sender, ReportRejected, obligation still open).
 * The original stays in the bucket either way; a rejected one is tagged so the bucket's lifecycle expires it.
 * Safe to repeat at any point: the verdict, the report record and the obligation are written in one transaction,
 * and a file whose verdict is on record is only told again (emails and events carry keys of the object version).
 */
export async function processUpload(obj: UploadedObject, deps: IntakeDeps): Promise<IntakeResult> {
  const ref = parseReportKey(obj.key);
  if (!ref) throw new PermanentError(`Not a report key: ${obj.key}`);
  const [obligation] = await deps.obligations.getObligations([ref]);
  const directive = await deps.directives.getDirective(ref.directiveId, { consistent: false });
  const unit = (await deps.units.getUnits([ref.unitId])).get(ref.unitId);
  if (!obligation || !directive || !unit) return { key: obj.key, outcome: 'ignored', reason: 'no such obligation, directive or unit' };
  // The version read is the version judged: a replayed notification (reconciliation) names none.
  const stored = await deps.storage.get(obj.key, { ...(obj.versionId ? { versionId: obj.versionId } : {}), maxBytes: maxBytesOf(deps) });
  const version = obj.versionId ?? stored.versionId ?? 'null';
  const upload: Upload = { obj: { ...obj, ...(version !== 'null' ? { versionId: version } : {}) }, ref, version, fileName: obj.key.slice(obj.key.lastIndexOf('/') + 1), obligation, directive, unit };

  // A presigned URL creates its key once (If-None-Match); a second version of the same key is not a new report.
  const onFile = await deps.reports.uploadOutcome({ ...ref, reportKey: obj.key });
  if (onFile && onFile.versionId !== version) {
    await deps.storage.markRejected(obj.key, obj.versionId);
    return { key: obj.key, outcome: 'ignored', reason: `a second write to the upload URL of ${obj.key}` };
  }
  if (onFile) return retell(upload, deps);
  // A file judged before verdicts were filed (an upgrade): its record is the verdict. File it; nothing to redo.
  const legacy = await recordOnFile(upload, deps);
  if (legacy) {
    await deps.reports.fileVerdict(legacy);
    return { key: obj.key, outcome: 'ignored', reason: 'judged before verdicts were filed; verdict filed now' };
  }

  const verdict = await readVerdict(upload, stored, deps);
  return verdict.ok ? accept(upload, verdict, deps) : reject(upload, verdict.problems, verdict.format, deps);
}

const maxBytesOf = (deps: Pick<IntakeDeps, 'maxBytes'>) => deps.maxBytes ?? DEFAULT_MAX_REPORT_BYTES;

/** Whether the report can be taken at all (directive in force, report still owed), then what the file says. */
async function readVerdict(u: Upload, stored: StoredObject, deps: IntakeDeps): Promise<ParseOutcome> {
  if (u.directive.status === 'withdrawn') {
    return { ok: false, problems: [{ code: 'withdrawn', messageVi: `${withdrawnNoticeVi(u.directive)} Báo cáo này không được tiếp nhận.` }] };
  }
  if (u.obligation.status === 'cancelled') {
    return { ok: false, problems: [{ code: 'cancelled', messageVi: `Kỳ báo cáo ${u.obligation.periodLabel} đã bị hủy (chỉ thị đã thu hồi hoặc điều chỉnh); không cần nộp báo cáo này.` }] };
  }
  // Approved by the level above: locked until it returns the report.
  if (isApproved(u.obligation)) return { ok: false, problems: [lockedProblem(u.obligation)] };
  const maxBytes = maxBytesOf(deps);
  if (stored.tooLarge) {
    return { ok: false, problems: [{ code: 'too-large', messageVi: `Tệp quá lớn (${(stored.size / 1048576).toFixed(1)} MB); giới hạn là ${(maxBytes / 1048576).toFixed(0)} MB.` }] };
  }
  const villages = await collect(deps.units.childrenOf(u.unit.id));
  const rows = (villages.length ? villages : [u.unit]).map((v: Unit) => ({ unitId: v.id, name: v.name }));
  const parse = deps.parse ?? parseReport;
  return parse({ bytes: stored.bytes, fileName: u.fileName }, { directive: u.directive, unitId: u.unit.id, unitName: u.unit.name, periodId: u.ref.periodId, rows }, { maxUploadBytes: maxBytes });
}

const lockedProblem = (o: Obligation): ReportProblem => ({ code: 'approved', messageVi: lockedNoticeVi(o) });

/**
 * Report files accepted for an obligation so far. One submitted before the count was kept (an upgrade) had one;
 * one recorded without a file (`report submit`) carries 0.
 */
const acceptedSoFar = (o: Obligation): number => o.acceptedReports ?? (o.status === 'submitted' ? 1 : 0);

const baseRecord = (u: Upload) => ({
  directiveId: u.ref.directiveId,
  periodId: u.ref.periodId,
  unitId: u.ref.unitId,
  reportKey: u.obj.key,
  versionId: u.version,
  receivedAt: u.obj.receivedAt,
});

const recipientsOf = (unit: Unit) => (unit.emails.length ? unit.emails : unit.leaderEmails);

function mailOf(u: Upload, kind: 'receipt' | 'rejection', rendered: { subject: string; html: string; text: string }, key = `${kind}:${u.obj.key}:${u.version}`): MailMessage {
  return { key, to: recipientsOf(u.unit), cc: [], ...rendered, kind: `report-${kind}`, directiveId: u.ref.directiveId, unitId: u.unit.id };
}

/** The report record the file already has (a retry after the transaction went through). */
async function recordOnFile(u: Upload, deps: IntakeDeps): Promise<ReportRecord | undefined> {
  return (await deps.reports.reportsOf(u.ref)).filter((r) => r.reportKey === u.obj.key && r.versionId === u.version).at(-1);
}

/**
 * Accepted: the verdict, the record and the closed obligation in one transaction, retried on a fresh read when the
 * obligation changed meanwhile (another file of the same unit accepted at the same moment: then this one is the
 * resubmission). Timeliness stays that of the first accepted report, as DHIS2 counts it.
 */
async function accept(u: Upload, verdict: Extract<ParseOutcome, { ok: true }>, deps: IntakeDeps): Promise<IntakeResult> {
  let obligation = u.obligation;
  let record: ReportRecord | undefined;
  let retold = false;
  for (let attempt = 0; !record; attempt++) {
    if (attempt >= MAX_RECORD_ATTEMPTS) throw new Error(`The obligation of ${u.obj.key} kept changing; giving the message back to the queue`);
    if (obligation.status === 'cancelled') return reject(u, [{ code: 'cancelled', messageVi: `Kỳ báo cáo ${obligation.periodLabel} đã bị hủy; không cần nộp báo cáo này.` }], verdict.format, deps);
    if (isApproved(obligation)) return reject(u, [lockedProblem(obligation)], verdict.format, deps);
    const accepted = acceptedSoFar(obligation);
    const resubmission = accepted > 0;
    // Open again after a return by the level above: the first report's time still decides its timeliness.
    const closed: Obligation =
      obligation.status === 'open'
        ? { ...obligation, status: 'submitted', submittedAt: obligation.submittedAt ?? u.obj.receivedAt, onTime: obligation.onTime ?? vietnamDate(new Date(u.obj.receivedAt)) <= obligation.dueDate, acceptedReports: accepted + 1 }
        : { ...obligation, acceptedReports: accepted + 1 };
    const candidate: ReportRecord = { ...baseRecord(u), status: 'accepted', format: verdict.format, rows: verdict.rows, notes: verdict.notes, onTime: closed.onTime ?? false, resubmission };
    const outcome = await deps.reports.recordAccepted(candidate, obligation, closed);
    if (outcome === 'recorded') {
      record = candidate;
      obligation = closed;
    } else if (outcome === 'already') {
      record = await recordOnFile(u, deps);
      if (!record) throw new Error(`The verdict of ${u.obj.key} is on file but its record is not (yet) readable`);
      if (record.status === 'rejected') return tellRejected(u, record, deps, true);
      retold = true;
      [obligation = obligation] = await deps.obligations.getObligations([u.ref]);
    } else {
      // Changed meanwhile (another file of the unit, an extension): read it again after a short, jittered pause.
      await sleep(backoffMs(attempt + 1, 50));
      [obligation = obligation] = await deps.obligations.getObligations([u.ref]);
    }
  }
  return tellAccepted({ ...u, obligation }, record, deps, retold);
}

async function tellAccepted(u: Upload, record: ReportRecord, deps: IntakeDeps, retold: boolean): Promise<IntakeResult> {
  const onTime = record.onTime ?? false;
  const resubmission = record.resubmission ?? false;
  await deps.events.publish('ReportAccepted', { ...baseRecord(u), onTime, resubmission });
  if (recipientsOf(u.unit).length) {
    const targets = (await deps.assignments.getAssignments(u.ref.directiveId, [u.unit.id])).get(u.unit.id)?.targets ?? {};
    const rows = (record.rows ?? []) as Parameters<typeof renderReceipt>[0]['rows'];
    const rendered = renderReceipt({ directive: u.directive, unitName: u.unit.name, obligation: u.obligation, receivedAt: u.obj.receivedAt, onTime, resubmission, rows, notes: record.notes ?? [], fileName: u.fileName, targets });
    await deps.mail.sendAll([mailOf(u, 'receipt', rendered)]);
  }
  return { key: u.obj.key, outcome: 'accepted', problems: 0, resubmission, ...(retold ? { retold: true as const } : {}) };
}

/** This very file has its verdict on record (a retry after a crash past the transaction): tell it again, idempotently. */
async function retell(u: Upload, deps: IntakeDeps): Promise<IntakeResult> {
  const record = await recordOnFile(u, deps);
  if (!record) throw new Error(`The verdict of ${u.obj.key} is on file but its record is not (yet) readable`);
  if (record.status === 'rejected') return tellRejected(u, record, deps, true);
  const [obligation = u.obligation] = await deps.obligations.getObligations([u.ref]);
  return tellAccepted({ ...u, obligation }, record, deps, true);
}

/** Rejected: the verdict and the record atomically, the file tagged for expiry, then told (at most one email per window). */
async function reject(u: Upload, problems: ReportProblem[], format: string | undefined, deps: IntakeDeps): Promise<IntakeResult> {
  const candidate: ReportRecord = { ...baseRecord(u), status: 'rejected', ...(format ? { format } : {}), problems };
  const outcome = await deps.reports.recordRejected(candidate);
  // Already judged (the same file read twice at once, one reading accepting it): what is on file is told, never tagged.
  if (outcome === 'already') return retell(u, deps);
  return tellRejected(u, candidate, deps, false);
}

async function tellRejected(u: Upload, record: ReportRecord, deps: IntakeDeps, retold: boolean): Promise<IntakeResult> {
  const problems = (record.problems ?? []) as ReportProblem[];
  await deps.storage.markRejected(u.obj.key, u.obj.versionId);
  await deps.events.publish('ReportRejected', { ...baseRecord(u), problems: problems.length, codes: [...new Set(problems.map((p) => p.code))] });
  let mail: 'now' | 'later' = 'now';
  if (recipientsOf(u.unit).length) {
    const windowSeconds = rejectionWindowSeconds(deps);
    const gate = await deps.rejectionMail.noteRejection(u.ref, { reportKey: u.obj.key, versionId: u.version, at: new Date(u.obj.receivedAt) }, windowSeconds);
    if (gate.send === 'now') {
      await deps.mail.sendAll([mailOf(u, 'rejection', renderRejection({ directive: u.directive, unitName: u.unit.name, obligation: u.obligation, receivedAt: u.obj.receivedAt, problems, fileName: u.fileName }))]);
    } else {
      mail = 'later';
      if (gate.scheduleFlush) {
        const due: RejectionMailDue = { kind: 'rejection-mail-due', key: `rejection-mail-due:${u.ref.directiveId}/${u.ref.periodId}/${u.ref.unitId}:${gate.windowEnd}`, directiveId: u.ref.directiveId, periodId: u.ref.periodId, unitId: u.ref.unitId, windowEnd: gate.windowEnd };
        await deps.later.sendAfter(due, (new Date(gate.windowEnd).getTime() - new Date(u.obj.receivedAt).getTime()) / 1000);
      }
    }
  }
  return { key: u.obj.key, outcome: 'rejected', problems: problems.length, mail, ...(retold ? { retold: true as const } : {}) };
}

export function rejectionWindowSeconds(deps: Pick<IntakeDeps, 'rejectionMailWindowSeconds'>): number {
  const w = deps.rejectionMailWindowSeconds ?? DEFAULT_REJECTION_MAIL_WINDOW_SECONDS;
  return Math.max(1, Math.min(MAX_REJECTION_MAIL_WINDOW_SECONDS, w));
}

/**
 * The end of a rejection-email window: the latest verdict that waited is told, with how many files were rejected
 * since the last email, unless a report of the unit was accepted after it (the receipt said all there is to say).
 * Then a new window starts. Safe to repeat: the email's key is the file's, and the window closes once.
 */
export async function tellWaitingRejection(due: RejectionMailDue, now: Date, deps: Pick<IntakeDeps, 'obligations' | 'directives' | 'units' | 'reports' | 'mail' | 'rejectionMail' | 'rejectionMailWindowSeconds'>): Promise<{ told: number }> {
  const ref = { directiveId: due.directiveId, periodId: due.periodId, unitId: due.unitId };
  let told = 0;
  // A file judged while the last one was being told becomes the latest waiting: it is told too, before the window closes.
  for (let round = 0; round < 5; round++) {
    const pending = await deps.rejectionMail.pendingRejection(ref, due.windowEnd);
    if (!pending) break;
    if (await tellOneWaiting(ref, pending, deps)) told++;
    const closed = await deps.rejectionMail.closeRejectionWindow(ref, due.windowEnd, pending.reportKey, now, rejectionWindowSeconds(deps));
    if (closed !== 'newer-waiting') break;
  }
  return { told };
}

/** The waiting file's verdict by email, unless a file of the unit was accepted after it (the receipt said all there is). */
async function tellOneWaiting(
  ref: { directiveId: string; periodId: string; unitId: string },
  pending: { reportKey: string; versionId: string; attempts: number },
  deps: Pick<IntakeDeps, 'obligations' | 'directives' | 'units' | 'reports' | 'mail'>,
): Promise<boolean> {
  const records = await deps.reports.reportsOf(ref);
  const record = records.filter((r) => r.reportKey === pending.reportKey).at(-1);
  const [obligation] = await deps.obligations.getObligations([ref]);
  const directive = await deps.directives.getDirective(ref.directiveId, { consistent: false });
  const unit = (await deps.units.getUnits([ref.unitId])).get(ref.unitId);
  const acceptedSince = record && records.some((r) => r.status === 'accepted' && r.receivedAt > record.receivedAt);
  if (!record || record.status !== 'rejected' || acceptedSince || !obligation || !directive || !unit || !recipientsOf(unit).length) return false;
  const fileName = pending.reportKey.slice(pending.reportKey.lastIndexOf('/') + 1);
  const rendered = renderRejection({ directive, unitName: unit.name, obligation, receivedAt: record.receivedAt, problems: (record.problems ?? []) as ReportProblem[], fileName, rejectedSinceLastEmail: pending.attempts });
  await deps.mail.sendAll([{ key: `rejection:${pending.reportKey}:${pending.versionId}`, to: recipientsOf(unit), cc: [], ...rendered, kind: 'report-rejection', directiveId: ref.directiveId, unitId: unit.id }]);
  return true;
}
