import { z } from 'zod';

/** Every domain event thidua puts on its bus carries this source. */
export const EVENT_SOURCE = 'thidua';

const directiveRef = {
  directiveId: z.string().min(1),
  version: z.number().int().min(1),
};

/** A directive was issued for the first time: its targets go out to the units. */
export const DirectiveIssued = z.object({ ...directiveRef, issuerId: z.string().min(1) });
/** A new version of an issued directive: changed targets, cadence or units. Assignments follow it. */
export const DirectiveAmended = z.object({ ...directiveRef, issuerId: z.string().min(1) });
/** The directive no longer applies: assignments are withdrawn and open obligations cancelled. */
export const DirectiveWithdrawn = z.object({ ...directiveRef, reason: z.string().min(1) });

const isoDate = z.iso.date();
const instant = z.iso.datetime({ offset: true });

/** A data cut-off window ended (fired by the scheduler the day after, at 00:00 Vietnam time): reports are requested. */
export const PeriodClosed = z.object({ cutoff: z.enum(['decree09', 'calendar']), scheduledTime: instant });
/** Morning in Vietnam: time to look for reports due soon or overdue. */
export const DailySweepDue = z.object({ scheduledTime: instant });

const ObligationRef = z.object({ directiveId: z.string(), periodId: z.string(), unitId: z.string(), dueDate: isoDate });

/** Notifications about reports: each event is one email to one recipient unit, its key chosen by the sweep. */
const notification = {
  /** Producer-chosen: the same unit, step and due date give the same key however often the sweep runs. */
  key: z.string().min(1),
  /** The unit whose office receives the email. */
  recipientUnitId: z.string().min(1),
  /** Vietnam date the notification is about (the sweep's day). */
  asOf: isoDate,
  items: z.array(ObligationRef).min(1),
};
/** A period closed: the unit is asked for its reports, with their due dates. */
export const ReportRequested = z.object({ ...notification });
/** Reports due in `workingDaysBefore` working days. */
export const DeadlineApproaching = z.object({ ...notification, workingDaysBefore: z.number().int().min(1) });
/** Reports `workingDaysLate` working days late: to the unit (its leader too once escalated) or, grouped, to the office above. */
export const ReportOverdue = z.object({ ...notification, workingDaysLate: z.number().int().min(1), audience: z.enum(['unit', 'parent']), escalated: z.boolean() });

const reportRef = { directiveId: z.string().min(1), periodId: z.string().min(1), unitId: z.string().min(1), reportKey: z.string().min(1), receivedAt: instant };
/** A report was read and accepted: the obligation is closed (on time or late); results can count it. */
export const ReportAccepted = z.object({ ...reportRef, onTime: z.boolean(), resubmission: z.boolean() });
/** A report was refused: the sender was told each problem; the obligation stays open. */
export const ReportRejected = z.object({ ...reportRef, problems: z.number().int().min(1), codes: z.array(z.string()) });

const decisionRef = { directiveId: z.string().min(1), periodId: z.string().min(1), unitId: z.string().min(1), by: z.email(), at: instant };
/** The level above approved a unit's report: it is locked, and results of a directive with approval count it. */
export const ReportApproved = z.object({ ...decisionRef });
/** The level above returned a unit's report with a reason: the obligation is open again and the unit was told why. */
export const ReportReturned = z.object({ ...decisionRef, reasonVi: z.string().min(1) });

/** Monday morning: leaders who asked for it get one list of who has not reported yet, instead of many messages. */
export const StatusDigestDue = z.object({ scheduledTime: instant });
/** One leader's weekly list of the reports still missing under them, during a reporting window. */
export const StatusDigest = z.object({ ...notification });

/** Night in Vietnam: every report file that landed in the bucket should have a verdict by now; those without go back through intake. */
export const UploadsReconcileDue = z.object({ scheduledTime: instant });

/** A period's deadline has passed (the day after, announced by the morning sweep): results and digests are due. */
export const ResultsDue = z.object({ directiveId: z.string().min(1), periodId: z.string().min(1), scheduledTime: instant });

/** An uploaded directive document was read into a draft; the officer completes and confirms it (then DirectiveIssued). */
export const DirectiveDrafted = z.object({ draftId: z.string().min(1), uploaderId: z.string().min(1), documentKey: z.string().min(1), missing: z.number().int().min(0) });

/** One schema per event type: the detail of the EventBridge event. Parsed at every boundary. */
export const eventSchemas = {
  DirectiveIssued,
  DirectiveAmended,
  DirectiveWithdrawn,
  PeriodClosed,
  DailySweepDue,
  ReportRequested,
  DeadlineApproaching,
  ReportOverdue,
  ReportAccepted,
  ReportRejected,
  ResultsDue,
  StatusDigestDue,
  StatusDigest,
  DirectiveDrafted,
  UploadsReconcileDue,
  ReportApproved,
  ReportReturned,
} as const;
export type EventType = keyof typeof eventSchemas;
export type EventDetail<T extends EventType> = z.infer<(typeof eventSchemas)[T]>;
export const EVENT_TYPES = Object.keys(eventSchemas) as EventType[];

/** The EventBridge envelope as Lambda receives it, narrowed to our own events. */
export const EventEnvelope = z.object({
  id: z.string(),
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
  time: z.string(),
  detail: z.unknown(),
});

export type NotificationEventType = 'ReportRequested' | 'DeadlineApproaching' | 'ReportOverdue' | 'StatusDigest';

/** Parses an EventBridge event whose type must be one of `accepted`: envelope, then the detail by its own schema. */
export function parseEvent<T extends EventType>(
  raw: unknown,
  accepted: readonly T[],
): { [K in T]: { type: K; id: string; time: string; detail: EventDetail<K> } }[T] {
  const envelope = EventEnvelope.parse(raw);
  const type = envelope['detail-type'];
  if (!(accepted as readonly EventType[]).includes(type)) throw new Error(`Unexpected event type ${type}; expected ${accepted.join(', ')}`);
  const detail = eventSchemas[type].parse(envelope.detail);
  return { type, id: envelope.id, time: envelope.time, detail } as never;
}

/** Work for the assignment worker: many units per message, so a fan-out to 100,000 units is 200 SendMessageBatch calls. */
export const AssignmentWorkItem = z.object({
  /** Chosen by the producer (directive, version, action, chunk): the idempotency key. */
  key: z.string().min(1),
  directiveId: z.string().min(1),
  version: z.number().int().min(1),
  action: z.enum(['assign', 'withdraw']),
  unitIds: z.array(z.string().min(1)).min(1).max(100),
});
export type AssignmentWorkItem = z.infer<typeof AssignmentWorkItem>;

/** One email, fully rendered, for the generic mail sender. */
export const MailMessage = z.object({
  /** Chosen by the producer (what, directive, version, unit): a redelivered message never sends twice. */
  key: z.string().min(1),
  to: z.array(z.email()).min(1),
  cc: z.array(z.email()).default([]),
  subject: z.string().min(1),
  html: z.string().min(1),
  text: z.string().min(1),
  kind: z.string().min(1),
  directiveId: z.string().optional(),
  unitId: z.string().optional(),
  /** Files in the reports bucket (a report template): too big for a message, attached by the sender. */
  attachments: z.array(z.object({ fileName: z.string().min(1), contentType: z.string().min(1), s3Key: z.string().min(1) })).default([]),
});
export type MailMessage = z.input<typeof MailMessage>;

/** The most mails one batch carries: SES's SendBulkEmail takes 50 destinations a call. */
export const MAIL_BATCH_MAX = 50;

/**
 * What the mail queue carries: up to 50 rendered mails sent together, with one claim of their keys, one bulk send and
 * one record (docs/architecture.md, "The mail path"). The mails travel gzip-compressed (50 assignment letters of
 * ~16 KB are ~40 KB compressed, one SQS message); `events/mail-batch.ts` packs and unpacks them.
 */
export const MailBatch = z.object({
  /** Chosen by the producer from the mails' own keys: the same mails give the same batch key. */
  key: z.string().min(1),
  count: z.number().int().min(1).max(MAIL_BATCH_MAX),
  /** The mails as gzip-compressed JSON, base64: at most SQS's 256 KiB. */
  gz: z.base64().max(256 * 1024),
  /**
   * Set only by an operator redriving a dead letter after checking SES's sending log: the mails whose claim a dead
   * sender left behind (sent or not, nobody knows) are sent again.
   */
  takeOverStale: z.boolean().optional(),
});
export type MailBatch = z.infer<typeof MailBatch>;

/** The mail queue's message: a batch, or a single mail (as every message was before batches; still accepted). */
export const MailQueueMessage = z.union([MailBatch, MailMessage]);

/**
 * On the intake queue beside S3's notifications: the end of a unit's rejection-email window, sent by intake itself
 * with a delay. The latest verdict that waited is told then, with the count of attempts.
 */
export const RejectionMailDue = z.object({
  kind: z.literal('rejection-mail-due'),
  /** `rejection-mail-due:<directive>/<period>/<unit>:<windowEnd>`: one window is closed once. */
  key: z.string().min(1),
  directiveId: z.string().min(1),
  periodId: z.string().min(1),
  unitId: z.string().min(1),
  windowEnd: instant,
});
export type RejectionMailDue = z.infer<typeof RejectionMailDue>;

/** An S3 ObjectCreated notification as SQS delivers it (keys URL-encoded, spaces as '+'). */
export const S3Notification = z.object({
  Records: z
    .array(
      z.object({
        eventName: z.string(),
        eventTime: z.string().optional(),
        s3: z.object({
          bucket: z.object({ name: z.string() }),
          object: z.object({ key: z.string(), size: z.number().optional(), eTag: z.string().optional(), versionId: z.string().optional(), sequencer: z.string().optional() }),
        }),
      }),
    )
    .default([]),
  /** S3 sends this once when the notification is set up; it carries no records. */
  Event: z.string().optional(),
});

export const decodeS3Key = (key: string) => decodeURIComponent(key.replace(/\+/g, ' '));

/**
 * The new objects under `prefix` an S3 notification names (keys URL-decoded), with the idempotency key of the message:
 * one S3 object version is processed once. Records under other prefixes, and S3's test event, yield no objects (and
 * the key `<nothingKey>:<Event>`).
 */
export function objectsCreatedUnder(prefix: string, nothingKey: string) {
  const parsed = S3Notification.transform((n) => {
    const objects = n.Records.filter((r) => r.eventName.startsWith('ObjectCreated') && decodeS3Key(r.s3.object.key).startsWith(prefix)).map((r) => ({
      key: decodeS3Key(r.s3.object.key),
      ...(r.s3.object.versionId ? { versionId: r.s3.object.versionId } : {}),
      receivedAt: r.eventTime ?? new Date().toISOString(),
      tag: r.s3.object.versionId ?? r.s3.object.eTag ?? r.s3.object.sequencer ?? '',
    }));
    return { key: objects.length ? objects.map((o) => `${o.key}@${o.tag}`).join('|') : `${nothingKey}:${n.Event ?? 'empty'}`, objects };
  });
  return parsed as z.ZodType<z.output<typeof parsed>>;
}
