import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { SESClient } from '@aws-sdk/client-ses';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws } from '../shared/adapters/aws.ts';
import { batchPut } from '../shared/adapters/dynamo/batch.ts';
import { RateLimiter, SesMailer } from '../shared/adapters/ses.ts';
import { SqsWorkQueue } from '../shared/adapters/sqs.ts';
import { startStack, TABLE_NAME, type LocalStack } from '../local/stack/stack.ts';

// Faults the local services never produce (throttling, partial batch failures) are injected with SDK middleware;
// the calls themselves still go to the real local services.
let stack: LocalStack;

beforeAll(async () => {
  stack = await startStack({ logLevel: 'SILENT', runFunctions: false, console: false, log: () => undefined });
});

afterAll(async () => {
  await stack?.stop();
});

describe('retries with backoff where AWS pushes back', () => {
  it('writes every item when BatchWriteItem leaves some unprocessed', async () => {
    // Prepare: the first request only writes half and reports the rest unprocessed, as a throttled table does.
    const doc = aws().doc;
    let calls = 0;
    const name = 'unprocessed-once';
    doc.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { RequestItems?: Record<string, { PutRequest: unknown }[]> };
        if (!input.RequestItems || calls++ > 0) return next(args);
        const requests = input.RequestItems[TABLE_NAME]!;
        const kept = requests.slice(0, Math.ceil(requests.length / 2));
        const dropped = requests.slice(kept.length);
        const out = await next({ ...args, input: { ...input, RequestItems: { [TABLE_NAME]: kept } } });
        (out.output as { UnprocessedItems?: unknown }).UnprocessedItems = { [TABLE_NAME]: dropped };
        return out;
      },
      { step: 'initialize', name },
    );
    const items = Array.from({ length: 20 }, (_, i) => ({ PK: `TEST#${i}`, SK: 'x', n: i }));

    // Act
    try {
      await batchPut(doc, TABLE_NAME, items);
    } finally {
      doc.middlewareStack.remove(name);
    }

    // Assess
    expect(calls).toBe(2);
    for (const item of items) {
      const got = await doc.send(new GetCommand({ TableName: TABLE_NAME, Key: { PK: item.PK, SK: 'x' } }));
      expect(got.Item?.n).toBe(item.n);
    }
  });

  it('sends an email once when SES throttles the first attempts', async () => {
    // Prepare
    const ses = new SESClient({ region: 'ap-southeast-1', endpoint: stack.sesEndpoint, maxAttempts: 1, requestHandler: { requestTimeout: 5_000 } });
    let attempts = 0;
    ses.middlewareStack.add(
      (next) => async (args) => {
        if (attempts++ < 2) throw Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
        return next(args);
      },
      { step: 'finalizeRequest', name: 'throttle-twice' },
    );
    const mailer = new SesMailer(ses, 'thidua@thidua.local', new RateLimiter(50));
    const before = (await stack.inbox()).length;

    // Act
    const { messageId } = await mailer.send({ key: 'k1', to: ['vp@throttle.test.vn'], subject: 'Thử gửi lại', html: '<p>Nội dung</p>', text: 'Nội dung', kind: 'test' });

    // Assess
    expect(attempts).toBe(3);
    expect(messageId).not.toBe('');
    const inbox = await stack.inbox();
    expect(inbox.length - before).toBe(1);
    expect(inbox.at(-1)?.subject).toBe('Thử gửi lại');
  });

  it('gives up on SES errors that are not throttling, so the message is retried by the queue', async () => {
    const ses = new SESClient({ region: 'ap-southeast-1', endpoint: stack.sesEndpoint, maxAttempts: 1 });
    ses.middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' });
      },
      { step: 'finalizeRequest', name: 'reject' },
    );
    const mailer = new SesMailer(ses, 'thidua@thidua.local', new RateLimiter(0));
    await expect(mailer.send({ key: 'k2', to: ['a@b.vn'], subject: 's', html: 'h', text: 't', kind: 'test' })).rejects.toThrow('not verified');
  });

  it('resends only the entries SendMessageBatch failed', async () => {
    // Prepare
    const sqs = new SQSClient({ region: 'ap-southeast-1', endpoint: stack.queues.endpoint });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'partial-batch' }));
    let calls = 0;
    sqs.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as SendMessageBatchCommandInput;
        if (!input.Entries || calls++ > 0) return next(args);
        // Send the first 7 for real and report the last 3 as failed on the service's side.
        const out = await next({ ...args, input: { ...input, Entries: input.Entries.slice(0, 7) } });
        (out.output as { Failed?: unknown[] }).Failed = input.Entries.slice(7).map((e) => ({ Id: e.Id, SenderFault: false, Code: 'InternalError' }));
        return out;
      },
      { step: 'initialize', name: 'fail-three' },
    );
    const queue = new SqsWorkQueue<{ key: string }>(sqs, QueueUrl!);

    // Act
    await queue.sendAll(Array.from({ length: 10 }, (_, i) => ({ key: `m${i}` })));

    // Assess
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(calls).toBe(2);
    expect(attrs.Attributes?.ApproximateNumberOfMessages).toBe('10');
  });
});
