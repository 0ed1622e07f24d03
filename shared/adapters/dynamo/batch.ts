import { BatchExecuteStatementCommand, BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { backoffMs, chunk, mapLimit, sleep } from '../../retry.ts';

type Item = Record<string, unknown>;
type Key = { PK: string; SK: string };

const MAX_ATTEMPTS = 10;

/** BatchWriteItem in requests of 25, retrying UnprocessedItems with backoff until all are written. */
export async function batchPut(doc: DynamoDBDocumentClient, table: string, items: readonly Item[]): Promise<void> {
  for (const group of chunk(items, 25)) {
    let pending = group.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`BatchWriteItem left ${pending.length} items unprocessed after ${MAX_ATTEMPTS} attempts`);
      if (attempt > 0) await sleep(backoffMs(attempt));
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
    }
  }
}

/** Requests of 25 in flight at once: the two that claim a bulk send's 50 mails go together, not one after the other. */
const INSERTS_IN_FLIGHT = 4;

/** A statement's error worth another try: capacity, a moment's conflict with a transaction, a server fault. */
const RETRYABLE_STATEMENT_ERRORS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded', 'TransactionConflict', 'InternalServerError']);

/**
 * Puts items that must not exist yet, 25 to a BatchExecuteStatement of PartiQL INSERTs, and returns the keys (PK|SK)
 * that already existed. An INSERT is the one conditional write DynamoDB batches outside a transaction: each is
 * billed as a plain Put (a transaction bills two), and each succeeds or fails alone. Throttled statements are sent
 * again with backoff; any other error is thrown.
 */
export async function batchInsert(doc: DynamoDBDocumentClient, table: string, items: readonly (Item & Key)[]): Promise<Set<string>> {
  const existed = new Set<string>();
  await mapLimit(chunk(items, 25), INSERTS_IN_FLIGHT, async (group) => {
    let pending = group;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`BatchExecuteStatement left ${pending.length} inserts throttled after ${MAX_ATTEMPTS} attempts`);
      if (attempt > 0) await sleep(backoffMs(attempt));
      const out = await doc.send(new BatchExecuteStatementCommand({ Statements: pending.map((item) => insertStatement(table, item)) }));
      const again: (Item & Key)[] = [];
      for (const [i, item] of pending.entries()) {
        const error = out.Responses?.[i]?.Error;
        if (!error?.Code) continue;
        if (error.Code === 'DuplicateItem') existed.add(keyOf(item));
        else if (RETRYABLE_STATEMENT_ERRORS.has(error.Code)) again.push(item);
        else throw new Error(`INSERT of ${keyOf(item)} failed: ${error.Code} ${error.Message ?? ''}`);
      }
      pending = again;
    }
  });
  return existed;
}

/** `INSERT INTO "t" VALUE {'PK': ?, …}`: the names are ours (item builders), the values all go as parameters. */
function insertStatement(table: string, item: Item): { Statement: string; Parameters: unknown[] } {
  const entries = Object.entries(item).filter(([, v]) => v !== undefined);
  const tuple = entries.map(([name]) => `'${name.replaceAll("'", "''")}': ?`).join(', ');
  return { Statement: `INSERT INTO "${table}" VALUE {${tuple}}`, Parameters: entries.map(([, v]) => v) };
}

/** BatchWriteItem deletes in requests of 25, retrying UnprocessedItems with backoff. */
export async function batchDelete(doc: DynamoDBDocumentClient, table: string, keys: readonly Key[]): Promise<void> {
  for (const group of chunk(keys, 25)) {
    let pending = group.map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`BatchWriteItem left ${pending.length} deletes unprocessed after ${MAX_ATTEMPTS} attempts`);
      if (attempt > 0) await sleep(backoffMs(attempt));
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
    }
  }
}

/** BatchGetItem in requests of 100, retrying UnprocessedKeys with backoff. Returns the items found, keyed by PK|SK. */
export async function batchGet(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly Key[],
  opts: { consistent?: boolean } = {},
): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  const unique = [...new Map(keys.map((k) => [`${k.PK}|${k.SK}`, { PK: k.PK, SK: k.SK }])).values()];
  for (const group of chunk(unique, 100)) {
    let pending: Key[] = group;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed after ${MAX_ATTEMPTS} attempts`);
      if (attempt > 0) await sleep(backoffMs(attempt));
      const out = await doc.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: opts.consistent ?? false } } }),
      );
      for (const item of out.Responses?.[table] ?? []) found.set(`${item.PK}|${item.SK}`, item);
      pending = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
    }
  }
  return found;
}

export const keyOf = (k: Key) => `${k.PK}|${k.SK}`;
