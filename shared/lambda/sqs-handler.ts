import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { powertools, wrap, type Powertools } from './powertools.ts';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { z } from 'zod';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { aws, requireEnv } from '../adapters/aws.ts';
import { shardOf } from '../domain/assignment.ts';
import { sendToDeadLetter } from '../adapters/sqs.ts';
import { PermanentError } from '../domain/errors.ts';
import { ENV, type QueueId } from '../contract/catalog.ts';

const IDEMPOTENCY_DEFAULT_TTL_SECONDS = 7 * 24 * 3600;
const IDEMPOTENCY_SHARDS = 32;

/**
 * Powertools' idempotency records in the single table. Its composite-key mode puts every record of a function
 * under one partition key; a morning's 100,000 reminders would write there faster than a partition takes.
 * The records are spread over 32 keys by a hash of the idempotency key instead.
 */
class ShardedIdempotencyLayer extends DynamoDBPersistenceLayer {
  constructor(
    private readonly functionName: string,
    config: ConstructorParameters<typeof DynamoDBPersistenceLayer>[0],
  ) {
    super(config);
  }

  protected override getKey(idempotencyKey: string): Record<string, AttributeValue> {
    return marshall({ PK: `IDEMPOTENCY#${this.functionName}#${shardOf(idempotencyKey, IDEMPOTENCY_SHARDS)}`, SK: idempotencyKey });
  }
}

/**
 * An SQS consumer: each record parsed by its schema, processed once per producer-chosen `key`
 * (Powertools idempotency in the single table), failures reported per record so only they come back.
 * A record no retry can fix goes straight to the dead-letter queue with its reason.
 */
export function sqsConsumer<S extends z.ZodType<{ key: string }>>(opts: {
  name: string;
  queue: QueueId;
  schema: S;
  process: (payload: z.output<S>, pt: Powertools) => Promise<unknown>;
}) {
  const pt = powertools(opts.name);
  const { logger, metrics } = pt;
  const persistenceStore = new ShardedIdempotencyLayer(opts.name, {
    tableName: requireEnv(ENV.table),
    keyAttr: 'PK',
    sortKeyAttr: 'SK',
    awsSdkV3Client: aws().dynamo,
  });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: Number(process.env[ENV.idempotencyTtlSeconds] ?? IDEMPOTENCY_DEFAULT_TTL_SECONDS),
  });
  const processOnce = makeIdempotent(async (payload: z.output<S>) => opts.process(payload, pt), { persistenceStore, config });
  const processor = new BatchProcessor(EventType.SQS);
  const dlqUrl = requireEnv(ENV.dlqUrl(opts.queue));

  const deadLetter = async (record: SQSRecord, error: string) => {
    logger.error('Message cannot be processed; sent to the dead-letter queue', { messageId: record.messageId, reason: error });
    metrics.addMetric('DeadLettered', MetricUnit.Count, 1);
    await sendToDeadLetter(aws().sqs, dlqUrl, record.body, { error, source: opts.queue, messageId: record.messageId });
  };

  const recordHandler = async (record: SQSRecord) => {
    let payload: z.output<S>;
    try {
      payload = opts.schema.parse(JSON.parse(record.body));
    } catch (e) {
      return deadLetter(record, `invalid message: ${(e as Error).message}`);
    }
    try {
      const result = await processOnce(payload);
      metrics.addMetric('RecordsProcessed', MetricUnit.Count, 1);
      return result;
    } catch (e) {
      if (e instanceof PermanentError || (e as Error).cause instanceof PermanentError) return deadLetter(record, (e as Error).message);
      logger.warn('Record failed; it will be retried', {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        error: (e as Error).message,
      });
      throw e;
    }
  };

  const lambdaHandler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    config.registerLambdaContext(context);
    return processPartialResponse(event, recordHandler, processor, { context });
  };
  return wrap(lambdaHandler, pt);
}

/** A record of an SQS batch, parsed: its message id (what a partial failure names) and its payload. */
export interface ParsedRecord<T> {
  messageId: string;
  payload: T;
}

/**
 * An SQS consumer that handles the records of an invocation together (the mail sender claims and sends the mails
 * of all its records at once). It keeps no idempotency record of its own: `process` must be idempotent by the
 * payloads' own keys. A record that does not parse goes to the dead-letter queue with its reason; `process` names
 * the records to retry, and what it cannot process it puts on the dead-letter queue itself (`deadLetter`).
 */
export function sqsBatchConsumer<T>(opts: {
  name: string;
  queue: QueueId;
  schema: { parse(body: unknown): T };
  process: (
    records: ParsedRecord<T>[],
    pt: Powertools & { deadLetter: (body: unknown, reason: string) => Promise<void>; remainingMs: () => number },
  ) => Promise<{ retry: readonly string[] }>;
}) {
  const pt = powertools(opts.name);
  const { logger, metrics } = pt;
  const dlqUrl = requireEnv(ENV.dlqUrl(opts.queue));
  const toDeadLetter = async (body: string, reason: string, messageId: string) => {
    logger.error('Cannot be processed; sent to the dead-letter queue', { messageId, reason });
    metrics.addMetric('DeadLettered', MetricUnit.Count, 1);
    await sendToDeadLetter(aws().sqs, dlqUrl, body, { error: reason, source: opts.queue, messageId });
  };

  const lambdaHandler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const records: ParsedRecord<T>[] = [];
    for (const record of event.Records) {
      try {
        records.push({ messageId: record.messageId, payload: opts.schema.parse(JSON.parse(record.body)) });
      } catch (e) {
        await toDeadLetter(record.body, `invalid message: ${(e as Error).message}`, record.messageId);
      }
    }
    if (records.length === 0) return { batchItemFailures: [] };
    try {
      const { retry } = await opts.process(records, {
        ...pt,
        deadLetter: (body, reason) => toDeadLetter(JSON.stringify(body), reason, 'part of a batch'),
        remainingMs: () => context.getRemainingTimeInMillis(),
      });
      metrics.addMetric('RecordsProcessed', MetricUnit.Count, records.length - retry.length);
      return { batchItemFailures: retry.map((itemIdentifier) => ({ itemIdentifier })) };
    } catch (e) {
      logger.warn('Batch failed; every record will be retried', { records: records.length, error: (e as Error).message });
      return { batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) };
    }
  };
  return wrap(lambdaHandler, pt);
}
