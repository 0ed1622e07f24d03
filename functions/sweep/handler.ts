import type { Context, EventBridgeEvent } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parseEvent } from '../../events/schemas.ts';
import { dailySweep, reminderPolicyFromEnv } from '../../shared/app/reminders.ts';
import { eventPublisher, repository } from '../../shared/adapters/wiring.ts';
import { powertools, wrap } from '../../shared/lambda/sqs-handler.ts';

const pt = powertools('sweep');
const repo = repository();
const events = eventPublisher();
const policy = reminderPolicyFromEnv();

/** DailySweepDue (the scheduler, 07:00 Vietnam time) → DeadlineApproaching and ReportOverdue, one per unit and step. */
export const handler = wrap(async (event: EventBridgeEvent<string, unknown>, _context: Context) => {
  const { detail } = parseEvent(event, ['DailySweepDue']);
  const result = await dailySweep(detail.scheduledTime, { obligations: repo, events, calendar: repo, directives: repo }, policy);
  pt.metrics.addMetric('RemindersAnnounced', MetricUnit.Count, result.reminders);
  pt.metrics.addMetric('OverdueAnnounced', MetricUnit.Count, result.overdue + result.escalations);
  pt.logger.info('Daily sweep done', { ...result });
  return result;
}, pt);
