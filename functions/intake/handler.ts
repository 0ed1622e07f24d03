import { z } from 'zod';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { decodeS3Key, S3Notification } from '../../events/schemas.ts';
import { processUpload } from '../../shared/app/intake.ts';
import { eventPublisher, mailQueue, maxReportBytes, reportStorage, repository } from '../../shared/adapters/wiring.ts';
import { sqsConsumer } from '../../shared/lambda/sqs-handler.ts';
import { REPORTS_PREFIX } from '../../shared/adapters/s3.ts';

const repo = repository();
const storage = reportStorage();
const events = eventPublisher();
const mail = mailQueue();

/** S3 ObjectCreated → the objects it names (keys URL-decoded); one S3 object version is processed once. */
const Upload = S3Notification.transform((n) => {
  const objects = n.Records.filter((r) => r.eventName.startsWith('ObjectCreated') && decodeS3Key(r.s3.object.key).startsWith(REPORTS_PREFIX)).map((r) => ({
    key: decodeS3Key(r.s3.object.key),
    ...(r.s3.object.versionId ? { versionId: r.s3.object.versionId } : {}),
    receivedAt: r.eventTime ?? new Date().toISOString(),
    tag: r.s3.object.versionId ?? r.s3.object.eTag ?? r.s3.object.sequencer ?? '',
  }));
  return { key: objects.length ? objects.map((o) => `${o.key}@${o.tag}`).join('|') : `no-report:${n.Event ?? 'empty'}`, objects };
});

export const handler = sqsConsumer({
  name: 'intake',
  queue: 'intake',
  schema: Upload as z.ZodType<z.output<typeof Upload>>,
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
