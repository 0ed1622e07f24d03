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

/** One schema per event type: the detail of the EventBridge event. Parsed at every boundary. */
export const eventSchemas = {
  DirectiveIssued,
  DirectiveAmended,
  DirectiveWithdrawn,
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

export function parseEvent(raw: unknown): { [T in EventType]: { type: T; id: string; detail: EventDetail<T> } }[EventType] {
  const envelope = EventEnvelope.parse(raw);
  const type = envelope['detail-type'];
  const detail = eventSchemas[type].parse(envelope.detail);
  return { type, id: envelope.id, detail } as never;
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
  to: z.array(z.email()),
  cc: z.array(z.email()).default([]),
  subject: z.string().min(1),
  html: z.string().min(1),
  text: z.string().min(1),
  kind: z.string().min(1),
  directiveId: z.string().optional(),
  unitId: z.string().optional(),
});
export type MailMessage = z.input<typeof MailMessage>;
