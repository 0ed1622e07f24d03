import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws } from '../shared/adapters/aws.ts';
import { mailer, reportStorage, repository, sesRatePerSender } from '../shared/adapters/wiring.ts';
import { sendMailBatch, type SendMailDeps } from '../shared/app/send-mail.ts';
import { packMailBatches, unpackMailMessage } from '../events/mail-batch.ts';
import type { MailMessage } from '../events/schemas.ts';
import { lambdaContext } from '../local/stack/lambda.ts';
import { eventually, mailsAt, startFlow, type Flow } from './support/flow.ts';

// The mail path of issue #15 through the real local parts: DynamoDB Local holds the claims and records, the local
// SES takes the bulk sends. Failures the local services never produce (throttling, a sender dying between SES and
// the record) are injected with SDK middleware on the same clients.
let flow: Flow;

beforeAll(async () => {
  flow = await startFlow();
});

afterAll(async () => {
  await flow?.stack.stop();
});

const mailsTo = (domain: string) => mailsAt(flow, domain);

function letters(domain: string, count: number): MailMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `test-mail:${domain}:${i}`,
    to: [`thon${i}@${domain}`],
    cc: [],
    subject: `Thông báo số ${i} – chỉ tiêu năm 2027`,
    html: `<p>Kính gửi Thôn ${i}: chỉ tiêu thu quỹ 2.340.000 đồng, hạn 21/06/2027. &lt;script&gt; không chạy.</p>`,
    text: `Kính gửi Thôn ${i}: chỉ tiêu thu quỹ 2.340.000 đồng, hạn 21/06/2027.`,
    kind: 'test',
    attachments: [],
  }));
}

/** A clock the test moves: claims' leases run out without waiting. */
function movableClock(start = new Date('2027-01-05T01:00:00Z')) {
  let now = start.getTime();
  return { now: () => new Date(now), advance: (seconds: number) => (now += seconds * 1000) };
}

const deps = (clock: { now: () => Date }): SendMailDeps => ({ mailer: mailer(), log: repository(), clock, leaseSeconds: 180 });

/** Runs `act` with an SDK middleware on `client` that sees each command first; removed afterwards. */
async function withMiddleware<T>(
  client: { middlewareStack: { add: (mw: never, opts: object) => void; remove: (name: string) => boolean } },
  mw: (command: string, args: { input: Record<string, unknown> }, next: (args: unknown) => Promise<{ output: Record<string, unknown> }>) => Promise<unknown>,
  act: () => Promise<T>,
): Promise<T> {
  const name = `test-${randomUUID()}`;
  client.middlewareStack.add(
    ((next: (args: unknown) => Promise<{ output: Record<string, unknown> }>, ctx: { commandName?: string }) => (args: { input: Record<string, unknown> }) =>
      mw(String(ctx.commandName ?? ''), args, next)) as never,
    { step: 'initialize', name },
  );
  try {
    return await act();
  } finally {
    client.middlewareStack.remove(name);
  }
}

describe('the mail path: batches, one claim, one bulk send, one record', () => {
  it('packs 120 mails into 3 messages and sends each once, though every batch is handled twice at the same moment', async () => {
    // Prepare
    const mails = letters('twice.test.vn', 120);
    const batches = packMailBatches(mails);
    const clock = movableClock();
    let bulkCalls = 0;
    let offered = 0;

    // Act: two senders on each batch at once (a duplicated delivery), then a third after both.
    const outcomes = await withMiddleware(
      aws().sesv2 as never,
      async (command, args, next) => {
        if (command === 'SendBulkEmailCommand') {
          bulkCalls++;
          offered += (args.input.BulkEmailEntries as unknown[]).length;
        }
        return next(args);
      },
      async () => {
        const first = await Promise.all(batches.flatMap((b) => [0, 1].map(() => sendMailBatch(unpackMailMessage(b).mails, deps(clock)))));
        const third = await Promise.all(batches.map((b) => sendMailBatch(unpackMailMessage(b).mails, deps(clock))));
        return [...first, ...third];
      },
    );

    // Assess
    expect(batches.map((b) => b.count)).toEqual([50, 50, 20]);
    // Claims are won key by key, so two racing senders may split a batch between them (one bulk call each), but
    // no mail is ever offered to SES twice.
    expect(offered).toBe(120);
    expect(bulkCalls).toBeGreaterThanOrEqual(3);
    expect(bulkCalls).toBeLessThanOrEqual(6);
    const inbox = await mailsTo('twice.test.vn');
    expect(inbox).toHaveLength(120);
    expect(new Set(inbox.map((m) => m.destination.to[0])).size).toBe(120);
    expect(outcomes.reduce((n, o) => n + o.sent.length, 0)).toBe(120);
    // The loser of each race either waits for the holder (retry) or finds it done; the third finds all done.
    expect(outcomes.slice(-3).every((o) => o.already.length > 0 && o.sent.length === 0 && o.retry.length === 0)).toBe(true);
    const one = inbox.find((m) => m.destination.to[0] === 'thon7@twice.test.vn');
    expect(one?.subject).toBe('Thông báo số 7 – chỉ tiêu năm 2027');
    expect(one?.body.html).toContain('&lt;script&gt; không chạy');
    expect(await repository().sentMessageId('test-mail:twice.test.vn:7')).toBe(one?.messageId);
  });

  it('never sends twice when the sender dies between SES taking the mails and the record: they are put before an operator', async () => {
    // Prepare: the record's BatchWriteItem never arrives, as when the process dies right after SES answered.
    const mails = letters('crash.test.vn', 30);
    const clock = movableClock();
    const died = await withMiddleware(
      aws().doc as never,
      async (command, args, next) => {
        // Seen before or after marshalling: the mail log's record has type 'mail'.
        const items = (args.input.RequestItems as Record<string, { PutRequest?: { Item: { type?: unknown } } }[]> | undefined) ?? {};
        const isRecord = (t: unknown) => t === 'mail' || (t as { S?: string } | undefined)?.S === 'mail';
        if (/^BatchWrite/.test(command) && Object.values(items).flat().some((r) => isRecord(r.PutRequest?.Item.type))) throw new Error('process died');
        return next(args);
      },
      () => sendMailBatch(mails, deps(clock)).then(() => 'lived', (e: Error) => e.message),
    );
    expect(died).toBe('process died');
    expect(await mailsTo('crash.test.vn')).toHaveLength(30);

    // Act: the message comes back before the lease ran out, then after.
    const early = await sendMailBatch(mails, deps(clock));
    clock.advance(181);
    const late = await sendMailBatch(mails, deps(clock));

    // Assess: nothing sent again; the early one waits for the holder, the late one reports all 30 as uncertain.
    expect(early.sent).toHaveLength(0);
    expect(early.retry).toHaveLength(30);
    expect(late.sent).toHaveLength(0);
    expect(late.uncertain.map((u) => u.mail.key).sort()).toEqual(mails.map((m) => m.key).sort());
    expect(late.uncertain[0]?.claimedAt).toBe('2027-01-05T01:00:00.000Z');
    expect(await mailsTo('crash.test.vn')).toHaveLength(30);
    expect(await repository().sentMessageId(mails[0]!.key)).toBeUndefined();
  });

  it('leaves uncertain only the 50s in flight when a sender dies mid-batch; the next delivery sends the rest once', async () => {
    // Prepare: 400 mails, eight 50s. The first record write of the batch never arrives (the process died there).
    const mails = letters('midway.test.vn', 400);
    const clock = movableClock();
    let records = 0;
    const died = await withMiddleware(
      aws().doc as never,
      async (command, args, next) => {
        const items = (args.input.RequestItems as Record<string, { PutRequest?: { Item: { type?: unknown } } }[]> | undefined) ?? {};
        const isRecord = (t: unknown) => t === 'mail' || (t as { S?: string } | undefined)?.S === 'mail';
        if (/^BatchWrite/.test(command) && Object.values(items).flat().some((r) => isRecord(r.PutRequest?.Item.type)) && records++ === 0) throw new Error('process died');
        return next(args);
      },
      () => sendMailBatch(mails, deps(clock)).then(() => 'lived', (e: Error) => e.message),
    );
    const sentBeforeDeath = (await mailsTo('midway.test.vn')).length;

    // Act: the message comes back after the dead sender's lease ran out.
    clock.advance(181);
    const next = await sendMailBatch(mails, deps(clock));

    // Assess: no 50 started after the death (three at most were in flight); those SES took but nobody recorded are
    // uncertain, never sent again; the others were recorded before, or go now, once.
    expect(died).toBe('process died');
    expect(sentBeforeDeath).toBeGreaterThanOrEqual(50);
    expect(sentBeforeDeath).toBeLessThanOrEqual(150);
    expect(next.uncertain).toHaveLength(50);
    expect(next.already).toHaveLength(sentBeforeDeath - 50);
    expect(next.sent).toHaveLength(400 - sentBeforeDeath);
    const inbox = await mailsTo('midway.test.vn');
    expect(inbox).toHaveLength(400);
    expect(new Set(inbox.map((m) => m.destination.to.join())).size).toBe(400);
  });

  it('holds at most four mails with attachments at once, however many 50s are in flight', async () => {
    // Prepare: 150 mails that each carry the same small file, so each goes by SendRawEmail after reading it.
    await reportStorage().put('templates/mail-path/mau.csv', Buffer.from('chi_tieu,gia_tri\nquy,2340000\n'), 'text/csv');
    const mails = letters('attached.test.vn', 150).map((m) => ({ ...m, attachments: [{ fileName: 'mẫu.csv', contentType: 'text/csv', s3Key: 'templates/mail-path/mau.csv' }] }));
    let inFlight = 0;
    let most = 0;

    // Act
    const out = await withMiddleware(
      aws().ses as never,
      async (command, args, next) => {
        if (!/^SendRawEmail/.test(command)) return next(args);
        most = Math.max(most, ++inFlight);
        try {
          await new Promise((resolve) => setTimeout(resolve, 10));
          return await next(args);
        } finally {
          inFlight--;
        }
      },
      () => sendMailBatch(mails, deps(movableClock())),
    );

    // Assess: the three 50s in flight share the mailer's four slots.
    expect(out.sent).toHaveLength(150);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(4);
    expect(await mailsTo('attached.test.vn')).toHaveLength(150);
  });

  it('sends once what a sender claimed and died before sending, when an operator redrives it; a parked claim is not reported twice', async () => {
    // Prepare: claims taken by an attempt that died before calling SES.
    const mails = letters('before.test.vn', 12);
    const clock = movableClock();
    await repository().claimMails(
      mails.map((m) => m.key),
      { attempt: 'dead-sender', at: clock.now(), leaseUntil: new Date(clock.now().getTime() + 180_000), takeOverStale: false },
    );
    clock.advance(200);
    const stale = await sendMailBatch(mails, deps(clock));
    await repository().parkClaims(stale.uncertain.map((u) => ({ key: u.mail.key, attempt: u.attempt })));

    // Act
    const again = await sendMailBatch(mails, deps(clock));
    const redriven = await sendMailBatch(mails, deps(clock), { takeOverStale: true });
    const afterwards = await sendMailBatch(mails, deps(clock), { takeOverStale: true });

    // Assess
    expect(stale.uncertain).toHaveLength(12);
    expect(again.already).toHaveLength(12);
    expect(again.uncertain).toHaveLength(0);
    expect(redriven.sent).toHaveLength(12);
    expect(afterwards.already).toHaveLength(12);
    expect(await mailsTo('before.test.vn')).toHaveLength(12);
  });

  it('waits out SES throttling, retries only the mails a bulk call did not take, and sends each once', async () => {
    // Prepare: the first two bulk calls are throttled; the third takes only the first 15 entries and fails the rest.
    const mails = letters('throttle.test.vn', 25);
    const clock = movableClock();
    let calls = 0;

    // Act
    const [first, second] = await withMiddleware(
      aws().sesv2 as never,
      async (command, args, next) => {
        if (command !== 'SendBulkEmailCommand') return next(args);
        calls++;
        if (calls <= 2) throw Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
        if (calls > 3) return next(args);
        const entries = args.input.BulkEmailEntries as unknown[];
        const out = await next({ ...args, input: { ...args.input, BulkEmailEntries: entries.slice(0, 15) } });
        const results = out.output.BulkEmailEntryResults as unknown[];
        out.output.BulkEmailEntryResults = [...results, ...entries.slice(15).map(() => ({ Status: 'TRANSIENT_FAILURE', Error: 'try later' }))];
        return out;
      },
      async () => [await sendMailBatch(mails, deps(clock)), await sendMailBatch(mails, deps(clock))],
    );

    // Assess
    expect(first.sent).toHaveLength(15);
    expect(first.retry).toHaveLength(10);
    expect(second.sent).toHaveLength(10);
    expect(second.already).toHaveLength(15);
    expect(calls).toBe(4);
    const inbox = await mailsTo('throttle.test.vn');
    expect(inbox).toHaveLength(25);
    expect(new Set(inbox.map((m) => m.destination.to[0])).size).toBe(25);
  });

  it('puts a dead sender\'s mails on the dead-letter queue with the reason, through the mail function', async () => {
    // Prepare: claims a sender left hours ago, and the batch's message on the mail queue.
    const mails = letters('dlq.test.vn', 5);
    const hoursAgo = new Date(Date.now() - 3 * 3600_000);
    await repository().claimMails(
      mails.map((m) => m.key),
      { attempt: 'long-dead', at: hoursAgo, leaseUntil: new Date(hoursAgo.getTime() + 180_000), takeOverStale: false },
    );
    const dlqBefore = flow.stack.deadLetters('mail').length;

    // Act
    const [batch] = packMailBatches(mails);
    await aws().sqs.send(new SendMessageCommand({ QueueUrl: flow.stack.queues.byId.mail.url, MessageBody: JSON.stringify(batch) }));
    await flow.stack.settle();

    // Assess
    const letter = await eventually('the dead letter', async () => flow.stack.deadLetters('mail').slice(dlqBefore)[0]);
    expect(letter.attributes.reason).toMatch(/A sender died after claiming these 5 mails .*Check SES's log, then redrive with takeOverStale/);
    expect(unpackMailMessage(JSON.parse(letter.body)).mails.map((m) => m.key)).toEqual(mails.map((m) => m.key));
    expect(await mailsTo('dlq.test.vn')).toHaveLength(0);
    // Delivered again, it is not reported twice.
    await aws().sqs.send(new SendMessageCommand({ QueueUrl: flow.stack.queues.byId.mail.url, MessageBody: JSON.stringify(batch) }));
    await flow.stack.settle();
    expect(flow.stack.deadLetters('mail').length - dlqBefore).toBe(1);
  });

  it('claims only the records it can send before its deadline, and hands the others back unclaimed', async () => {
    // Prepare: ten 50-mail records; 31 s left, of which the sender keeps 30 s for claims and records, so one second
    // of sending at its share of the local SES rate (500/s for two senders: 250 mails, five records).
    const { handler } = await import('../functions/mail/handler.ts');
    expect(sesRatePerSender()).toBe(250);
    const records = packMailBatches(letters('deadline.test.vn', 500)).map((b, i) => ({
      messageId: `deadline-${i}`,
      body: JSON.stringify(b),
      attributes: { ApproximateReceiveCount: '1' },
    }));
    const invoke = (recs: typeof records, remainingMs: number) =>
      handler({ Records: recs } as never, lambdaContext('mail', () => remainingMs)) as Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

    // Act
    const first = await invoke(records, 31_000);
    const handedBack = first.batchItemFailures.map((f) => f.itemIdentifier);
    const afterFirst = (await mailsTo('deadline.test.vn')).length;
    const second = await invoke(records.filter((r) => handedBack.includes(r.messageId)), 120_000);

    // Assess: the second invocation finds the handed-back mails unclaimed (not held) and sends them.
    expect(handedBack).toEqual(records.slice(5).map((r) => r.messageId));
    expect(afterFirst).toBe(250);
    expect(second.batchItemFailures).toEqual([]);
    const inbox = await mailsTo('deadline.test.vn');
    expect(inbox).toHaveLength(500);
    expect(new Set(inbox.map((m) => m.destination.to[0])).size).toBe(500);
  });

  it('refuses a forged batch that unpacks beyond its cap or lies about its count, and takes a single mail as before', () => {
    // Prepare
    const [batch] = packMailBatches(letters('forged.test.vn', 3));
    const single = letters('single.test.vn', 1)[0]!;

    // Act / Assess
    expect(() => unpackMailMessage({ ...batch, count: 4 })).toThrow(/says 4 mails but holds 3/);
    expect(() => unpackMailMessage({ ...batch, gz: Buffer.from('not gzip').toString('base64') })).toThrow();
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)).toString('base64');
    expect(bomb.length).toBeLessThan(256 * 1024);
    expect(() => unpackMailMessage({ ...batch, gz: bomb })).toThrow(/larger than|maxOutputLength|Cannot create a Buffer/i);
    expect(unpackMailMessage(single).mails.map((m) => m.key)).toEqual([single.key]);
  });
});
