/**
 * The emulation year in the single table: a directive's year lives in its partition (`DIR#<d>` / `EMU#<year>#…`),
 * the public posting and its opinions in the posting's own partition (the public page knows only its id), each
 * unit's titles in the unit's partition (a unit's history is one Query), and a decision's number once per issuer.
 * Knows keys and conditions only; what is read is parsed with the domain's schemas, so a damaged item is loud.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import type { EmulationStore } from '../../app/ports.ts';
import { Candidate, Cluster, CouncilSession, Decision, EmulationRules, HistoryEntry, Opinion, Posting, Registration } from '../../domain/emulation/types.ts';
import { mapLimit } from '../../retry.ts';
import { batchPut, keyOf } from './batch.ts';
import { keys } from './keys.ts';

type Item = Record<string, unknown>;

/** TransactWriteItems takes 100 items: the decision and its number leave room for 98 titles. */
export const HISTORY_IN_TRANSACTION = 98;
/** Units whose history is read at once (one Query each). */
const HISTORY_CONCURRENCY = 8;

const isConditionFailure = (e: unknown) =>
  e instanceof ConditionalCheckFailedException || (e as { name?: string })?.name === 'ConditionalCheckFailedException';

const strip = (item: Item): Item => {
  const { PK: _pk, SK: _sk, GSI1PK: _a, GSI1SK: _b, GSI2PK: _c, GSI2SK: _d, type: _t, ...rest } = item;
  return rest;
};

/** A stored item that does not match its schema is a fault to fix, never a record to guess at: the error names its key. */
function parseStored<S extends z.ZodType>(schema: S, what: string, item: Item, value: unknown = strip(item)): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new Error(`Stored ${what} ${String(item.PK)} / ${String(item.SK)} does not match its schema: ${issues}`);
}

/** The items this store writes, one builder per type, as items.ts does for the repository's. */
export const emulationItemOf = {
  rules: (directiveId: string, year: number, rules: EmulationRules) => ({ ...keys.emulationRules(directiveId, year), type: 'emulation-rules', directiveId, year, rules }),
  registration: (r: Registration) => ({ ...keys.registration(r.directiveId, r.year, r.unitId), type: 'registration', ...r }),
  clusters: (directiveId: string, year: number, clusters: readonly Cluster[]) => ({ ...keys.clusters(directiveId, year), type: 'clusters', directiveId, year, clusters }),
  nomination: (directiveId: string, year: number, c: Candidate) => ({ ...keys.nomination(directiveId, year, c.titleId, c.unitId), type: 'nomination', directiveId, year, ...c }),
  session: (s: CouncilSession) => ({ ...keys.councilSession(s.directiveId, s.year, s.id), type: 'council-session', ...s }),
  posting: (p: Posting) => ({ ...keys.posting(p.id), ...keys.postingsOfYear(p.directiveId, p.year, p.id), type: 'posting', ...p }),
  opinion: (o: Opinion) => ({ ...keys.opinion(o.postingId, o.at, o.id), type: 'opinion', ...o }),
  decision: (d: Decision) => ({ ...keys.decision(d.directiveId, d.year, d.id), type: 'decision', ...d }),
  /** Holds the number for the decision that took it. */
  decisionNumber: (d: Decision) => ({
    ...keys.decisionNumber(d.issuerId, d.number),
    type: 'decision-number',
    decisionId: d.id,
    directiveId: d.directiveId,
    year: d.year,
    issuerId: d.issuerId,
    number: d.number,
  }),
  title: (h: HistoryEntry) => ({ ...keys.title(h.unitId, h.year, h.titleId), type: 'title', ...h }),
};

/** One item per unit, year and title (the last given wins): a batch or a transaction may not name an item twice. */
function titleItems(history: readonly HistoryEntry[]): Item[] {
  const byKey = new Map<string, Item>();
  for (const entry of history) {
    const item = emulationItemOf.title(entry);
    byKey.set(keyOf(item), item);
  }
  return [...byKey.values()];
}

export class DynamoEmulationStore implements EmulationStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  // ---- rules

  async getRules(directiveId: string, year: number): Promise<EmulationRules | undefined> {
    const item = await this.get(keys.emulationRules(directiveId, year));
    return item ? parseStored(EmulationRules, 'emulation rules', item, item.rules) : undefined;
  }

  async putRules(directiveId: string, year: number, rules: EmulationRules): Promise<void> {
    await this.put(emulationItemOf.rules(directiveId, year, rules));
  }

  // ---- registrations

  async getRegistration(directiveId: string, year: number, unitId: string): Promise<Registration | undefined> {
    const item = await this.get(keys.registration(directiveId, year, unitId));
    return item ? parseStored(Registration, 'registration', item) : undefined;
  }

  async registrationsOf(directiveId: string, year: number): Promise<Registration[]> {
    return this.listOfYear(directiveId, keys.registrationsPrefix(year), (item) => parseStored(Registration, 'registration', item));
  }

  async putRegistration(next: Registration, expectedVersion: number): Promise<'written' | 'conflict'> {
    const written = await this.putIf(
      emulationItemOf.registration(next),
      expectedVersion === 0 ? { ConditionExpression: 'attribute_not_exists(PK)' } : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } },
    );
    return written ? 'written' : 'conflict';
  }

  // ---- clusters

  async clustersOf(directiveId: string, year: number): Promise<Cluster[]> {
    const item = await this.get(keys.clusters(directiveId, year));
    return item ? parseStored(Cluster.array(), 'clusters', item, item.clusters) : [];
  }

  /** Replaced whole: the office edits the year's clusters as one list (one item, far below 400 KB). */
  async putClusters(directiveId: string, year: number, clusters: readonly Cluster[]): Promise<void> {
    await this.put(emulationItemOf.clusters(directiveId, year, clusters));
  }

  // ---- nominations

  async nominationsOf(directiveId: string, year: number): Promise<Candidate[]> {
    return this.listOfYear(directiveId, keys.nominationsPrefix(year), (item) => parseStored(Candidate, 'nomination', item));
  }

  async putNomination(directiveId: string, year: number, nomination: Candidate): Promise<'written' | 'taken'> {
    const written = await this.putIf(emulationItemOf.nomination(directiveId, year, nomination), {
      ConditionExpression: 'attribute_not_exists(PK) OR nominatedBy = :by',
      ExpressionAttributeValues: { ':by': nomination.nominatedBy },
    });
    return written ? 'written' : 'taken';
  }

  // ---- council sessions

  async sessionsOf(directiveId: string, year: number): Promise<CouncilSession[]> {
    return this.listOfYear(directiveId, keys.councilSessionsPrefix(year), (item) => parseStored(CouncilSession, 'council session', item));
  }

  async putSession(session: CouncilSession): Promise<'written' | 'exists'> {
    return (await this.putIf(emulationItemOf.session(session), { ConditionExpression: 'attribute_not_exists(PK)' })) ? 'written' : 'exists';
  }

  // ---- postings and opinions

  async getPosting(postingId: string): Promise<Posting | undefined> {
    const item = await this.get(keys.posting(postingId));
    return item ? parseStored(Posting, 'posting', item) : undefined;
  }

  async postingsOf(directiveId: string, year: number): Promise<Posting[]> {
    const { GSI1PK } = keys.postingsOfYear(directiveId, year, '');
    return this.query({ IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': GSI1PK } }, (item) =>
      parseStored(Posting, 'posting', item),
    );
  }

  async putPosting(posting: Posting): Promise<'written' | 'exists'> {
    return (await this.putIf(emulationItemOf.posting(posting), { ConditionExpression: 'attribute_not_exists(PK)' })) ? 'written' : 'exists';
  }

  /** Unconditional: an opinion's id is unique, so a retried submit rewrites the same item. */
  async addOpinion(opinion: Opinion): Promise<void> {
    await this.put(emulationItemOf.opinion(opinion));
  }

  /**
   * Newest first, by the sort key's time. Spam is filtered on the server, and a filtered Query may return few items
   * per page: pages are read until `limit` are found or none are left, each page no larger than what is still
   * needed (at least 25 when filtering, so a run of spam does not cost a request per item).
   */
  async opinionsOf(postingId: string, opts: { includeSpam: boolean; limit: number }): Promise<Opinion[]> {
    const out: Opinion[] = [];
    let ExclusiveStartKey: Item | undefined;
    while (out.length < opts.limit) {
      const wanted = opts.limit - out.length;
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ...(opts.includeSpam ? {} : { FilterExpression: 'spam = :no' }),
          ExpressionAttributeValues: { ':pk': keys.posting(postingId).PK, ':prefix': keys.opinionsPrefix, ...(opts.includeSpam ? {} : { ':no': false }) },
          ScanIndexForward: false,
          Limit: opts.includeSpam ? wanted : Math.max(wanted, 25),
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) out.push(parseStored(Opinion, 'opinion', item));
      ExclusiveStartKey = page.LastEvaluatedKey;
      if (!ExclusiveStartKey) break;
    }
    return out.slice(0, opts.limit);
  }

  // ---- decisions

  async decisionsOf(directiveId: string, year: number): Promise<Decision[]> {
    return this.listOfYear(directiveId, keys.decisionsPrefix(year), (item) => parseStored(Decision, 'decision', item));
  }

  /**
   * One TransactWriteItems: the decision (only if new), its number (free, or already this decision's) and the first
   * 98 titles; the titles beyond are written after it (idempotent Puts). If the process stops between the two, the
   * same call again finds the decision, rewrites every title and answers 'exists': the history is then complete.
   */
  async putDecision(decision: Decision, history: readonly HistoryEntry[]): Promise<'written' | 'exists' | 'number-taken' | 'already-awarded'> {
    const titles = titleItems(history);
    const inTransaction = titles.slice(0, HISTORY_IN_TRANSACTION);
    const rest = titles.slice(HISTORY_IN_TRANSACTION);
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: emulationItemOf.decision(decision), ConditionExpression: 'attribute_not_exists(PK)' } },
            {
              Put: {
                TableName: this.tableName,
                Item: emulationItemOf.decisionNumber(decision),
                ConditionExpression: 'attribute_not_exists(PK) OR decisionId = :id',
                ExpressionAttributeValues: { ':id': decision.id },
              },
            },
            // A unit's title of a year is conferred once: by this decision, or over a title only imported.
            ...inTransaction.map((Item) => ({
              Put: {
                TableName: this.tableName,
                Item,
                ConditionExpression: 'attribute_not_exists(PK) OR #source = :imported OR decisionNumber = :number',
                ExpressionAttributeNames: { '#source': 'source' },
                ExpressionAttributeValues: { ':imported': 'import', ':number': decision.number },
              },
            })),
          ],
        }),
      );
    } catch (e) {
      const failed = cancelledConditions(e);
      if (failed[0]) {
        await batchPut(this.doc, this.tableName, titles);
        return 'exists';
      }
      if (failed[1]) return 'number-taken';
      if (failed.slice(2).some(Boolean)) return 'already-awarded';
      throw e;
    }
    await batchPut(this.doc, this.tableName, rest);
    return 'written';
  }

  // ---- history

  /** One Query per unit, a few at a time; every unit asked for has an entry (empty when it holds no title). */
  async historyOf(unitIds: readonly string[]): Promise<Map<string, HistoryEntry[]>> {
    const units = [...new Set(unitIds)];
    const histories = await mapLimit(units, HISTORY_CONCURRENCY, (unitId) =>
      // TITLE#<year>#… with four-digit years: the sort key's order is the years' order, oldest first.
      this.query(
        {
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.unit(unitId).PK, ':prefix': keys.titlesPrefix },
          ConsistentRead: true,
        },
        (item) => parseStored(HistoryEntry, 'title', item),
      ),
    );
    return new Map(units.map((unitId, i) => [unitId, histories[i] ?? []]));
  }

  async putHistory(entries: readonly HistoryEntry[]): Promise<void> {
    await batchPut(this.doc, this.tableName, titleItems(entries));
  }

  // ---- plumbing

  private async get(Key: { PK: string; SK: string }): Promise<Item | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }));
    return out.Item;
  }

  private async put(Item: Item): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item }));
  }

  /** A conditional PutItem: false when the condition failed. */
  private async putIf(Item: Item, condition: { ConditionExpression: string; ExpressionAttributeValues?: Record<string, unknown> }): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item, ...condition }));
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  /** The items of one kind in a directive's year, all pages. Consistent: a record just written is listed. */
  private listOfYear<T>(directiveId: string, prefix: string, map: (item: Item) => T): Promise<T[]> {
    return this.query(
      {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.directive(directiveId).PK, ':prefix': prefix },
        ConsistentRead: true,
      },
      map,
    );
  }

  private async query<T>(input: Omit<QueryCommandInput, 'TableName'>, map: (item: Item) => T): Promise<T[]> {
    const out: T[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await this.doc.send(new QueryCommand({ TableName: this.tableName, ...input, ExclusiveStartKey }));
      for (const item of page.Items ?? []) out.push(map(item));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return out;
  }
}

/**
 * Which items' conditions cancelled a transaction, by position. Anything else (a conflict with another
 * transaction, a validation error, no reasons given) is rethrown: the caller's retry decides.
 */
function cancelledConditions(e: unknown): boolean[] {
  const err = e as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (err.name !== 'TransactionCanceledException' || !err.CancellationReasons) throw e;
  const reasons = err.CancellationReasons;
  if (reasons.some((r) => r.Code && r.Code !== 'None' && r.Code !== 'ConditionalCheckFailed')) throw e;
  return reasons.map((r) => r.Code === 'ConditionalCheckFailed');
}
