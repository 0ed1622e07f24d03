import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { objectsCreatedUnder, RejectionMailDue } from '../../events/schemas.ts';
import { processUpload, tellWaitingRejection, type IntakeDeps } from '../../shared/app/intake.ts';
import { eventPublisher, intakeQueue, mailQueue, maxReportBytes, reportStorage, repository } from '../../shared/adapters/wiring.ts';
import { sqsConsumer } from '../../shared/lambda/sqs-handler.ts';
import { REPORTS_PREFIX } from '../../shared/contract/bucket.ts';
import { parseReportWithinBudget } from '../../shared/runtime/parse-budget.ts';
import { ENV } from '../../shared/contract/catalog.ts';
import { currentClock } from '../../shared/adapters/clock.ts';

const repo = repository();
const storage = reportStorage();
const events = eventPublisher();
const mail = mailQueue();
const later = intakeQueue();

const deps = (): IntakeDeps => ({
  storage,
  obligations: repo,
  assignments: repo,
  directives: repo,
  units: repo,
  reports: repo,
  events,
  mail,
  later,
  rejectionMail: repo,
  maxBytes: maxReportBytes(),
  // Every file is read in a worker thread stopped at its deadline or heap limit: a hostile file ends as a rejection.
  parse: parseReportWithinBudget,
  ...(process.env[ENV.rejectionMailWindowSeconds] ? { rejectionMailWindowSeconds: Number(process.env[ENV.rejectionMailWindowSeconds]) } : {}),
});

/** The intake queue carries S3's notifications of new report files, and intake's own delayed end of a rejection-email window. */
const IntakeMessage = z.union([RejectionMailDue, objectsCreatedUnder(REPORTS_PREFIX, 'no-report')]);

export const handler = sqsConsumer({
  name: 'intake',
  queue: 'intake',
  schema: IntakeMessage,
  process: async (message, { metrics, logger }) => {
    if ('kind' in message) {
      const result = await tellWaitingRejection(message, currentClock().now(), deps());
      logger.info('Rejection window closed', { key: message.key, ...result });
      return result;
    }
    const results = [];
    for (const { tag: _tag, ...obj } of message.objects) {
      const result = await processUpload(obj, deps());
      metrics.addMetric(result.outcome === 'accepted' ? 'ReportsAccepted' : result.outcome === 'rejected' ? 'ReportsRejected' : 'UploadsIgnored', MetricUnit.Count, 1);
      logger.info('Report processed', { ...result });
      results.push(result);
    }
    return results;
  },
});
