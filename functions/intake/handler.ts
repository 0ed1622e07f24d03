import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { objectsCreatedUnder } from '../../events/schemas.ts';
import { processUpload } from '../../shared/app/intake.ts';
import { eventPublisher, mailQueue, maxReportBytes, reportStorage, repository } from '../../shared/adapters/wiring.ts';
import { sqsConsumer } from '../../shared/lambda/sqs-handler.ts';
import { REPORTS_PREFIX } from '../../shared/adapters/s3.ts';

const repo = repository();
const storage = reportStorage();
const events = eventPublisher();
const mail = mailQueue();

const Upload = objectsCreatedUnder(REPORTS_PREFIX, 'no-report');

export const handler = sqsConsumer({
  name: 'intake',
  queue: 'intake',
  schema: Upload,
  process: async ({ objects }, { metrics, logger }) => {
    const results = [];
    for (const { tag: _tag, ...obj } of objects) {
      const result = await processUpload(obj, { storage, obligations: repo, assignments: repo, directives: repo, units: repo, reports: repo, events, mail, maxBytes: maxReportBytes() });
      metrics.addMetric(result.outcome === 'accepted' ? 'ReportsAccepted' : result.outcome === 'rejected' ? 'ReportsRejected' : 'UploadsIgnored', MetricUnit.Count, 1);
      logger.info('Report processed', { ...result });
      results.push(result);
    }
    return results;
  },
});
