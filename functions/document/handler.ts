import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { objectsCreatedUnder } from '../../events/schemas.ts';
import { processDocumentUpload } from '../../shared/app/documents.ts';
import { draftStore, eventPublisher, mailQueue, maxDocumentBytes, reportStorage, repository } from '../../shared/adapters/wiring.ts';
import { sqsConsumer } from '../../shared/lambda/sqs-handler.ts';
import { DOCUMENTS_PREFIX } from '../../shared/contract/bucket.ts';
import { readDocumentWithinBudget } from '../../shared/runtime/parse-budget.ts';

const units = repository();
const drafts = draftStore();
const storage = reportStorage();
const events = eventPublisher();
const mail = mailQueue();

const Upload = objectsCreatedUnder(DOCUMENTS_PREFIX, 'no-document');

const METRIC = { drafted: 'DocumentsDrafted', duplicate: 'DocumentsRecognised', rejected: 'DocumentsUnreadable', ignored: 'DocumentsIgnored' } as const;

export const handler = sqsConsumer({
  name: 'document',
  queue: 'documents',
  schema: Upload,
  process: async ({ objects }, { metrics, logger }) => {
    const results = [];
    for (const { tag: _tag, ...obj } of objects) {
      const result = await processDocumentUpload(obj, { storage, drafts, units, events, mail, maxBytes: maxDocumentBytes(), read: readDocumentWithinBudget });
      metrics.addMetric(METRIC[result.outcome], MetricUnit.Count, 1);
      logger.info('Document processed', { ...result });
      results.push(result);
    }
    return results;
  },
});
