import type { MailMessage } from '../../events/schemas.ts';
import type { Unit } from '../domain/units.ts';
import type { ParseOutcome, ReportProblem } from '../domain/report/index.ts';
import { parseReportWithinBudget } from '../runtime/parse-budget.ts';
import { renderReceipt, renderRejection } from '../mail/intake-email.ts';
import { parseReportKey } from '../adapters/s3.ts';
import { PermanentError } from './errors.ts';
import type { AssignmentStore, DirectiveStore, EventPublisher, MailQueue, ObligationIndex, ReportLog, ReportStorage, UnitDirectory } from './ports.ts';
import { recordSubmission } from './reports.ts';

export const DEFAULT_MAX_REPORT_BYTES = 5 * 1024 * 1024;

export interface IntakeDeps {
  storage: ReportStorage;
  obligations: ObligationIndex;
  assignments: AssignmentStore;
  directives: DirectiveStore;
  units: UnitDirectory;
  reports: ReportLog;
  events: EventPublisher;
  mail: MailQueue;
  maxBytes?: number;
}

export interface UploadedObject {
  key: string;
  versionId?: string;
  /** When the file arrived (the S3 event's time): a report is on time if it arrived before the end of its due day. */
  receivedAt: string;
}

export type IntakeResult = { key: string; outcome: 'accepted' | 'rejected'; problems: number; resubmission?: boolean } | { key: string; outcome: 'ignored'; reason: string };

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

/**
 * An uploaded report file → accepted (obligation closed on time or late, receipt with the values read,
 * ReportAccepted) or rejected (each problem told to the sender, ReportRejected, obligation still open).
 * The original stays in the bucket either way. Safe to repeat: the handler makes it idempotent per object version,
 * and every email carries a key of the object and version.
 */
export async function processUpload(obj: UploadedObject, deps: IntakeDeps): Promise<IntakeResult> {
  const ref = parseReportKey(obj.key);
  if (!ref) throw new PermanentError(`Not a report key: ${obj.key}`);
  const [obligation] = await deps.obligations.getObligations([ref]);
  const directive = await deps.directives.getDirective(ref.directiveId, { consistent: false });
  const unit = (await deps.units.getUnits([ref.unitId])).get(ref.unitId);
  if (!obligation || !directive || !unit) return { key: obj.key, outcome: 'ignored', reason: 'no such obligation, directive or unit' };
  const fileName = obj.key.slice(obj.key.lastIndexOf('/') + 1);
  const villages = await collect(deps.units.childrenOf(unit.id));
  const rows = (villages.length ? villages : [unit]).map((u: Unit) => ({ unitId: u.id, name: u.name }));
  const maxBytes = deps.maxBytes ?? DEFAULT_MAX_REPORT_BYTES;

  let outcome: ParseOutcome;
  if (obligation.status === 'cancelled') {
    outcome = { ok: false, problems: [{ code: 'cancelled', messageVi: `Kỳ báo cáo ${obligation.periodLabel} đã bị hủy (chỉ thị đã thu hồi hoặc điều chỉnh); không cần nộp báo cáo này.` }] };
  } else {
    const stored = await deps.storage.get(obj.key, { ...(obj.versionId ? { versionId: obj.versionId } : {}), maxBytes });
    outcome = stored.tooLarge
      ? { ok: false, problems: [{ code: 'too-large', messageVi: `Tệp quá lớn (${(stored.size / 1048576).toFixed(1)} MB); giới hạn là ${(maxBytes / 1048576).toFixed(0)} MB.` }] }
      : await parseReportWithinBudget({ bytes: stored.bytes, fileName }, { directive, unitId: unit.id, unitName: unit.name, periodId: ref.periodId, rows }, { maxUploadBytes: maxBytes });
  }

  const version = obj.versionId ?? 'null';
  const base = { directiveId: ref.directiveId, periodId: ref.periodId, unitId: ref.unitId, reportKey: obj.key, receivedAt: obj.receivedAt };
  const mail = (kind: string, rendered: { subject: string; html: string; text: string }): MailMessage => ({
    key: `${kind}:${obj.key}:${version}`,
    to: unit.emails.length ? unit.emails : unit.leaderEmails,
    cc: [],
    ...rendered,
    kind: `report-${kind}`,
    directiveId: ref.directiveId,
    unitId: unit.id,
  });
  const recipients = unit.emails.length + unit.leaderEmails.length > 0;

  if (outcome.ok) {
    const submission = await recordSubmission(ref, new Date(obj.receivedAt), deps);
    // A resubmission is a later file, not this one processed again after an interrupted attempt. Timeliness stays
    // that of the first accepted report, as DHIS2 counts it.
    const resubmission = (await deps.reports.reportsOf(ref)).some((r) => r.status === 'accepted' && r.reportKey !== obj.key);
    const onTime = submission.obligation.onTime ?? false;
    await deps.reports.putReport({ ...base, versionId: version, status: 'accepted', format: outcome.format, rows: outcome.rows, notes: outcome.notes, onTime, resubmission });
    await deps.events.publish('ReportAccepted', { ...base, onTime, resubmission });
    const targets = (await deps.assignments.getAssignments(ref.directiveId, [unit.id])).get(unit.id)?.targets ?? {};
    if (recipients) {
      await deps.mail.sendAll([
        mail('receipt', renderReceipt({ directive, unitName: unit.name, obligation: submission.obligation, receivedAt: obj.receivedAt, onTime, resubmission, rows: outcome.rows, notes: outcome.notes, fileName, targets })),
      ]);
    }
    return { key: obj.key, outcome: 'accepted', problems: 0, resubmission };
  }
  const problems: ReportProblem[] = outcome.problems;
  await deps.reports.putReport({ ...base, versionId: version, status: 'rejected', ...(outcome.format ? { format: outcome.format } : {}), problems });
  await deps.events.publish('ReportRejected', { ...base, problems: problems.length, codes: [...new Set(problems.map((p) => p.code))] });
  if (recipients) {
    await deps.mail.sendAll([mail('rejection', renderRejection({ directive, unitName: unit.name, obligation, receivedAt: obj.receivedAt, problems, fileName }))]);
  }
  return { key: obj.key, outcome: 'rejected', problems: problems.length };
}
