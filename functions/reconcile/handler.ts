import type { Context, EventBridgeEvent } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parseEvent } from '../../events/schemas.ts';
import { reconcileUploads, type ReplayedNotification } from '../../shared/app/reconcile.ts';
import { aws, requireEnv } from '../../shared/adapters/aws.ts';
import { reportStorage, repository } from '../../shared/adapters/wiring.ts';
import { SqsWorkQueue } from '../../shared/adapters/sqs.ts';
import { powertools, wrap } from '../../shared/lambda/powertools.ts';
import { ENV } from '../../shared/contract/catalog.ts';

const pt = powertools('reconcile');
const repo = repository();
const storage = reportStorage();
const intake = new SqsWorkQueue<ReplayedNotification>(aws().sqs, requireEnv(ENV.queueUrl('intake')));

/** UploadsReconcileDue (02:30 Vietnam time) → every report file without a verdict goes back through the intake. */
export const handler = wrap(async (event: EventBridgeEvent<string, unknown>, _context: Context) => {
  const { detail } = parseEvent(event, ['UploadsReconcileDue']);
  const result = await reconcileUploads(new Date(detail.scheduledTime), { directives: repo, reports: repo, storage, intake, calendar: repo });
  pt.metrics.addMetric('UploadsWithoutVerdict', MetricUnit.Count, result.withoutVerdict.length);
  if (result.withoutVerdict.length) pt.logger.warn('Report files without a verdict sent back through intake', { ...result });
  else pt.logger.info('Every report file has a verdict', { date: result.date, periods: result.periods, files: result.files });
  return { ...result, withoutVerdict: result.withoutVerdict.length };
}, pt);
