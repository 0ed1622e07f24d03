import type { Context, EventBridgeEvent } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parseEvent } from '../../events/schemas.ts';
import { closePeriod } from '../../shared/app/reminders.ts';
import { eventPublisher, repository } from '../../shared/adapters/wiring.ts';
import { powertools, wrap } from '../../shared/lambda/powertools.ts';

const pt = powertools('period-close');
const repo = repository();
const events = eventPublisher();

/** PeriodClosed (the scheduler, the day after a cut-off window) → one ReportRequested per unit that owes reports. */
export const handler = wrap(async (event: EventBridgeEvent<string, unknown>, _context: Context) => {
  const { detail } = parseEvent(event, ['PeriodClosed']);
  const result = await closePeriod(detail, { directives: repo, obligations: repo, events });
  pt.metrics.addMetric('ReportsRequested', MetricUnit.Count, result.requests);
  pt.logger.info('Period closed', { ...result });
  return result;
}, pt);
