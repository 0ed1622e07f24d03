import type { EventDetail, MailMessage, NotificationEventType } from '../../events/schemas.ts';
import type { Obligation } from '../domain/assignment.ts';
import type { Directive } from '../domain/directive.ts';
import type { Unit } from '../domain/units.ts';
import { renderReportMail, type ReportNotice } from '../mail/report-email.ts';
import type { AssignmentStore, DirectiveStore, MailQueue, ObligationIndex, ReportStorage, UnitDirectory, VillageTargetStore } from './ports.ts';
import { storeTemplate, uploadLink, XLSX_CONTENT_TYPE } from './uploads.ts';

export interface NotifyDeps {
  obligations: ObligationIndex;
  units: UnitDirectory;
  directives: DirectiveStore;
  mail: MailQueue;
  /** Where units upload: with it, emails carry each report's signed link and requests its blank template. */
  uploads?: { baseUrl: string; secret: string; storage: ReportStorage; assignments: AssignmentStore; villageTargets?: VillageTargetStore };
}

export type NotifyResult = { key: string; sent: false; reason: string } | { key: string; sent: true; items: number; to: string[] };

export type NotificationEvent = { [T in NotificationEventType]: { type: T; detail: EventDetail<T> } }[NotificationEventType];

function noticeOf(e: NotificationEvent): ReportNotice {
  switch (e.type) {
    case 'ReportRequested':
      return { kind: 'request' };
    case 'DeadlineApproaching':
      return { kind: 'reminder', workingDaysBefore: e.detail.workingDaysBefore };
    case 'StatusDigest':
      return { kind: 'status' };
    case 'ReportOverdue':
      return e.detail.audience === 'parent'
        ? { kind: 'escalation', workingDaysLate: e.detail.workingDaysLate }
        : { kind: 'overdue', workingDaysLate: e.detail.workingDaysLate, escalated: e.detail.escalated };
  }
}

/**
 * One announcement → at most one email. What was submitted, cancelled or given a new deadline since the
 * announcement is dropped first: a unit that has reported hears nothing more.
 */
export async function notifyUnit(e: NotificationEvent, deps: NotifyDeps): Promise<NotifyResult> {
  const { detail } = e;
  const current = await deps.obligations.getObligations(detail.items);
  const byKey = new Map(current.map((o) => [`${o.directiveId}|${o.unitId}|${o.periodId}`, o]));
  const live: Obligation[] = detail.items.flatMap((item) => {
    const o = byKey.get(`${item.directiveId}|${item.unitId}|${item.periodId}`);
    // A request stands while the report is open; a reminder or notice only for the deadline it was computed from.
    return o && o.status === 'open' && (e.type === 'ReportRequested' || e.type === 'StatusDigest' || o.dueDate === item.dueDate) ? [o] : [];
  });
  if (live.length === 0) return { key: detail.key, sent: false, reason: 'every report was submitted, cancelled or rescheduled' };

  const unitIds = [...new Set([detail.recipientUnitId, ...live.map((o) => o.unitId)])];
  const units = await deps.units.getUnits(unitIds);
  const recipient = units.get(detail.recipientUnitId);
  if (!recipient) return { key: detail.key, sent: false, reason: `unit ${detail.recipientUnitId} is not in the hierarchy` };
  const directives = new Map<string, Directive>();
  for (const id of new Set(live.map((o) => o.directiveId))) {
    const d = await deps.directives.getDirective(id, { consistent: false });
    if (d) directives.set(id, d);
  }
  const notice = noticeOf(e);
  const escalated = notice.kind === 'overdue' && notice.escalated;
  // The weekly status is the leader's own; everything else goes to the office.
  const to = notice.kind === 'status' && recipient.leaderEmails.length ? recipient.leaderEmails : recipient.emails.length ? recipient.emails : recipient.leaderEmails;
  if (to.length === 0) return { key: detail.key, sent: false, reason: `unit ${recipient.id} has no email address` };
  const cc = escalated || notice.kind === 'escalation' ? recipient.leaderEmails.filter((a) => !to.includes(a)) : [];
  const lateUnits = new Map<string, Unit>([...units].filter(([id]) => id !== recipient.id));
  const links = new Map<string, string>();
  const attachments: NonNullable<MailMessage['attachments']> = [];
  if (deps.uploads && notice.kind !== 'escalation' && notice.kind !== 'status') {
    for (const o of live) {
      const directive = directives.get(o.directiveId);
      if (!directive) continue;
      links.set(`${o.directiveId}|${o.periodId}`, uploadLink(o, deps.uploads.baseUrl, deps.uploads.secret));
      if (notice.kind === 'request') {
        const s3Key = await storeTemplate({ obligation: o, directive, unit: recipient }, { units: deps.units, ...deps.uploads });
        attachments.push({ fileName: `bao-cao-${o.periodId}-${recipient.id}.xlsx`, contentType: XLSX_CONTENT_TYPE, s3Key });
      }
    }
  }
  const rendered = renderReportMail(notice, recipient, live, directives, lateUnits, links);
  const message: MailMessage = {
    key: detail.key,
    to,
    cc,
    ...rendered,
    kind: `report-${notice.kind}`,
    ...(live.length && new Set(live.map((o) => o.directiveId)).size === 1 ? { directiveId: live[0]!.directiveId } : {}),
    unitId: recipient.id,
    attachments,
  };
  await deps.mail.sendAll([message]);
  return { key: detail.key, sent: true, items: live.length, to: [...to, ...cc] };
}
