import type { EventType } from './schemas.ts';
import type { FunctionId, QueueId } from '../shared/contract/catalog.ts';
import { DOCUMENTS_PREFIX, REPORTS_PREFIX } from '../shared/contract/bucket.ts';

/**
 * A consumer of an event: a function invoked once per event, or a queue that batches many events for the
 * function that polls it (for events that come by the thousand, like one reminder per unit).
 */
export type Consumer = { function: FunctionId } | { queue: QueueId };

/**
 * The one route table: which consumers receive each event type.
 * infra/ builds one EventBridge rule per event type from it; the local bus routes by it.
 */
export const routes: Record<EventType, readonly Consumer[]> = {
  DirectiveIssued: [{ function: 'fan-out' }],
  DirectiveAmended: [{ function: 'fan-out' }],
  DirectiveWithdrawn: [{ function: 'fan-out' }],
  PeriodClosed: [{ function: 'period-close' }],
  DailySweepDue: [{ function: 'sweep' }],
  ReportRequested: [{ queue: 'notify' }],
  DeadlineApproaching: [{ queue: 'notify' }],
  ReportOverdue: [{ queue: 'notify' }],
  // A report accepted after the deadline changes the period's results: they are computed again.
  ReportAccepted: [{ queue: 'results' }],
  ReportRejected: [],
  ResultsDue: [{ queue: 'results' }],
  StatusDigestDue: [{ function: 'sweep' }],
  StatusDigest: [{ queue: 'notify' }],
  // The uploader is emailed by the document function itself; the event is for whatever watches drafts next.
  DirectiveDrafted: [],
  UploadsReconcileDue: [{ function: 'reconcile' }],
  // A decision of the level above changes what results count (directives with approval): they are computed again.
  ReportApproved: [{ queue: 'results' }],
  ReportReturned: [{ queue: 'results' }],
};

/**
 * Files that start work when they land in the bucket: S3 announces each new object under the prefix on the queue.
 * infra/ configures the bucket's notifications from it; the local stack plays them from fauxqs's upload spy.
 */
export const bucketNotifications: readonly { prefix: string; queue: QueueId }[] = [
  { prefix: REPORTS_PREFIX, queue: 'intake' },
  { prefix: DOCUMENTS_PREFIX, queue: 'documents' },
];
