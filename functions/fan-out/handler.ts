import type { Context, EventBridgeEvent } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parseEvent } from '../../events/schemas.ts';
import { fanOutDirective } from '../../shared/app/fan-out.ts';
import { assignmentQueue, repository } from '../../shared/adapters/wiring.ts';
import { powertools, wrap } from '../../shared/lambda/powertools.ts';

const pt = powertools('fan-out');
const repo = repository();
const queue = assignmentQueue();

/** DirectiveIssued | DirectiveAmended | DirectiveWithdrawn → assignment work items. Retried by EventBridge, then its DLQ. */
export const handler = wrap(async (event: EventBridgeEvent<string, unknown>, _context: Context) => {
  const { type, detail } = parseEvent(event, ['DirectiveIssued', 'DirectiveAmended', 'DirectiveWithdrawn']);
  pt.logger.appendKeys({ directiveId: detail.directiveId, version: detail.version, eventType: type });
  const result = await fanOutDirective(detail, { directives: repo, units: repo, assignments: repo, queue });
  pt.metrics.addMetric('UnitsQueued', MetricUnit.Count, result.assign + result.withdraw);
  pt.logger.info('Directive fanned out', { ...result });
  return result;
}, pt);
