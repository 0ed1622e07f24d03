import { z } from 'zod';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parseEvent } from '../../events/schemas.ts';
import { notifyUnit, type NotificationEvent } from '../../shared/app/notify.ts';
import { mailQueue, reportStorage, repository, uploadSecret } from '../../shared/adapters/wiring.ts';
import { ENV } from '../../shared/contract/catalog.ts';
import { sqsConsumer } from '../../shared/lambda/sqs-handler.ts';

const repo = repository();
const mail = mailQueue();

/** The queue carries EventBridge events (an SQS target of the rules); the sweep's key makes each one idempotent. */
const NotificationMessage = z.unknown().transform((raw) => {
  const e = parseEvent(raw, ['ReportRequested', 'DeadlineApproaching', 'ReportOverdue', 'StatusDigest']);
  return { key: e.detail.key, event: { type: e.type, detail: e.detail } as NotificationEvent };
});

export const handler = sqsConsumer({
  name: 'notify',
  queue: 'notify',
  schema: NotificationMessage,
  process: async ({ event }, { metrics, logger }) => {
    const baseUrl = process.env[ENV.uploadBaseUrl];
    const uploads = baseUrl ? { baseUrl, secret: await uploadSecret(), storage: reportStorage(), assignments: repo, villageTargets: repo } : undefined;
    const result = await notifyUnit(event, { obligations: repo, units: repo, directives: repo, mail, ...(uploads ? { uploads } : {}) });
    if (result.sent) metrics.addMetric('NotificationsQueued', MetricUnit.Count, 1);
    else logger.info('Nothing to send', { ...result });
    return result;
  },
});
