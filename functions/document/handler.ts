import { z } from 'zod';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { decodeS3Key, S3Notification } from '../../events/schemas.ts';
import { processDocumentUpload } from '../../shared/app/documents.ts';
import { draftStore, eventPublisher, mailQueue, maxDocumentBytes, reportStorage, repository } from '../../shared/adapters/wiring.ts';
import { sqsConsumer } from '../../shared/lambda/sqs-handler.ts';
import { DOCUMENTS_PREFIX } from '../../shared/adapters/s3.ts';

const units = repository();
const drafts = draftStore();
const storage = reportStorage();
const events = eventPublisher();
const mail = mailQueue();

/** S3 ObjectCreated under documents/ → the objects it names (keys URL-decoded); one S3 object version is read once. */
const Upload = S3Notification.transform((n) => {
  const objects = n.Records.filter((r) => r.eventName.startsWith('ObjectCreated') && decodeS3Key(r.s3.object.key).startsWith(DOCUMENTS_PREFIX)).map((r) => ({
    key: decodeS3Key(r.s3.object.key),
    ...(r.s3.object.versionId ? { versionId: r.s3.object.versionId } : {}),
    receivedAt: r.eventTime ?? new Date().toISOString(),
    tag: r.s3.object.versionId ?? r.s3.object.eTag ?? r.s3.object.sequencer ?? '',
  }));
  return { key: objects.length ? objects.map((o) => `${o.key}@${o.tag}`).join('|') : `no-document:${n.Event ?? 'empty'}`, objects };
});

const METRIC = { drafted: 'DocumentsDrafted', duplicate: 'DocumentsRecognised', rejected: 'DocumentsUnreadable', ignored: 'DocumentsIgnored' } as const;

export const handler = sqsConsumer({
  name: 'document',
  queue: 'documents',
  schema: Upload as z.ZodType<z.output<typeof Upload>>,
  process: async ({ objects }, { metrics, logger }) => {
    const results = [];
    for (const { tag: _tag, ...obj } of objects) {
      const result = await processDocumentUpload(obj, { storage, drafts, units, events, mail, maxBytes: maxDocumentBytes() });
      metrics.addMetric(METRIC[result.outcome], MetricUnit.Count, 1);
      logger.info('Document processed', { ...result });
      results.push(result);
    }
    return results;
  },
});
