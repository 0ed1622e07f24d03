import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { Directive } from '../../domain/directive.ts';
import type { Assignment, Obligation, ObligationStatus } from '../../domain/assignment.ts';
import { Unit, type UnitLevel } from '../../domain/units.ts';
import { CalendarAdjustmentsFile, toCalendarOptions, type CalendarOptions } from '../../domain/calendar/index.ts';
import type { MailMessage } from '../../../events/schemas.ts';
import type {
  AssignmentStore,
  CalendarSource,
  DirectiveStatusReader,
  DirectiveStore,
  MailClaim,
  MailClaimRequest,
  MailLog,
  ObligationChange,
  ObligationIndex,
  PutVersionResult,
  ReportLog,
  RecordOutcome,
  RejectionMailGate,
  ReportRecord,
  UnitDirectory,
  UploadOutcome,
  RateCounter,
  PeopleDirectory,
  AuditLog,
  AuditEntry,
  ApprovalStore,
  VillageTargets,
  VillageTargetStore,
} from '../../app/ports.ts';
import type { Person, Role } from '../../domain/access.ts';
import { shardOf } from '../../domain/assignment.ts';
import { batchDelete, batchGet, batchInsert, batchPut, keyOf } from './batch.ts';
import { DUE_SHARDS, keys, MAIL_SHARDS, META, UPLOAD_SHARDS } from './keys.ts';
import { itemOf } from './items.ts';
import { TTL_ATTRIBUTE } from './table-definition.ts';
import { backoffMs, chunk, mapLimit, sleep } from '../../retry.ts';

type Item = Record<string, unknown>;

const strip = <T>(item: Item): T => {
  const { PK: _pk, SK: _sk, GSI1PK: _a, GSI1SK: _b, GSI2PK: _c, GSI2SK: _d, type: _t, ...rest } = item;
  return rest as T;
};

const isConditionFailure = (e: unknown) =>
  e instanceof ConditionalCheckFailedException || (e as { name?: string })?.name === 'ConditionalCheckFailedException';

/** The single-table adapter. It knows keys and conditions; the rules live in shared/app and shared/domain. */
export class DynamoRepository implements UnitDirectory, DirectiveStore, AssignmentStore, ObligationIndex, DirectiveStatusReader, MailLog, CalendarSource, ReportLog, RateCounter, RejectionMailGate, PeopleDirectory, AuditLog, ApprovalStore, VillageTargetStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  // ---- units

  async getUnits(ids: readonly string[]): Promise<Map<string, Unit>> {
    const found = await batchGet(this.doc, this.tableName, ids.map(keys.unit));
    const out = new Map<string, Unit>();
    for (const item of found.values()) {
      const unit = Unit.parse(strip(item));
      out.set(unit.id, unit);
    }
    return out;
  }

  async *descendantsAt(ancestor: Unit, level: UnitLevel): AsyncIterable<Unit[]> {
    const rootId = ancestor.path[0] as string;
    yield* this.pages(
      {
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)',
        ExpressionAttributeValues: { ':pk': `TREE#${rootId}`, ':prefix': keys.unitTreePrefix(level, ancestor.path) },
      },
      (item) => Unit.parse(strip(item)),
    );
  }

  async countDescendantsAt(ancestor: Unit, level: UnitLevel): Promise<number> {
    return this.count({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)',
      ExpressionAttributeValues: { ':pk': `TREE#${ancestor.path[0] as string}`, ':prefix': keys.unitTreePrefix(level, ancestor.path) },
    });
  }

  async countChildren(parentId: string): Promise<number> {
    return this.count({ IndexName: 'GSI2', KeyConditionExpression: 'GSI2PK = :pk', ExpressionAttributeValues: { ':pk': `PARENT#${parentId}` } });
  }

  async *childrenOf(parentId: string): AsyncIterable<Unit[]> {
    yield* this.pages(
      {
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': `PARENT#${parentId}` },
      },
      (item) => Unit.parse(strip(item)),
    );
  }

  async putUnits(units: readonly Unit[]): Promise<void> {
    await batchPut(
      this.doc,
      this.tableName,
      units.map(itemOf.unit),
    );
  }

  // ---- directives

  async getDirective(id: string, opts: { consistent?: boolean } = {}): Promise<Directive | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.directive(id), ConsistentRead: opts.consistent ?? true }));
    return out.Item ? Directive.parse(strip(out.Item)) : undefined;
  }

  async putDirectiveVersion(next: Directive, expectedVersion: number): Promise<PutVersionResult> {
    try {
      // The current version and an immutable copy of it, together: history never lags the head.
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: itemOf.directive(next),
                ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(PK)' : 'version = :expected',
                ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':expected': expectedVersion } }),
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: itemOf.directiveVersion(next),
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
          ],
        }),
      );
      return { outcome: 'written' };
    } catch (e) {
      if ((e as { name?: string }).name !== 'TransactionCanceledException') throw e;
      const current = await this.getDirective(next.id, { consistent: true });
      if (current && current.contentHash === next.contentHash && current.status === next.status) return { outcome: 'unchanged', current };
      return { outcome: 'conflict', current };
    }
  }

  async directivesOfYear(year: number): Promise<Directive[]> {
    const out: Directive[] = [];
    for await (const page of this.pages(
      { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': `DIRECTIVES#${year}` } },
      (item) => Directive.parse(strip(item)),
    ))
      out.push(...page);
    return out;
  }

  // ---- assignments and obligations

  async getAssignments(directiveId: string, unitIds: readonly string[]): Promise<Map<string, Assignment>> {
    const found = await batchGet(this.doc, this.tableName, unitIds.map((u) => keys.assignment(u, directiveId)), { consistent: true });
    const out = new Map<string, Assignment>();
    for (const item of found.values()) {
      const a = strip<Assignment>(item);
      out.set(a.unitId, a);
    }
    return out;
  }

  async putAssignmentIfNewer(a: Assignment): Promise<boolean> {
    return this.conditionally(
      new PutCommand({
        TableName: this.tableName,
        Item: itemOf.assignment(a),
        ConditionExpression: 'attribute_not_exists(PK) OR version < :v',
        ExpressionAttributeValues: { ':v': a.version },
      }),
    );
  }

  /** One conditional write: whether its condition held (and it was written). */
  private async conditionally(command: PutCommand | UpdateCommand | DeleteCommand): Promise<boolean> {
    try {
      await this.doc.send(command as PutCommand);
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }


  /**
   * Writes each assignment unless a newer (or the same) version is stored. The units read as having none (`absent`,
   * a fresh fan-out's every unit) go as PartiQL INSERTs, 25 to a request and billed as plain Puts; one that appeared
   * meanwhile (another delivery) joins the rest: conditional Puts, 100 to a TransactWriteItems, whose cancellation
   * names the items whose condition failed so the others are written again without them.
   */
  async putAssignmentsIfNewer(assignments: readonly Assignment[], absent: ReadonlySet<string> = new Set()): Promise<Set<string>> {
    const written = new Set<string>();
    const inserts = assignments.filter((a) => absent.has(a.unitId));
    const existed = await batchInsert(this.doc, this.tableName, inserts.map((a) => itemOf.assignment(a)));
    const appeared = (a: Assignment) => existed.has(keyOf(keys.assignment(a.unitId, a.directiveId)));
    for (const a of inserts) if (!appeared(a)) written.add(a.unitId);
    let pending = assignments.filter((a) => !absent.has(a.unitId) || appeared(a));
    for (let round = 0; pending.length > 0; round++) {
      if (round >= 8) throw new Error(`Could not write ${pending.length} assignments after ${round} rounds of conflicts`);
      if (round > 0) await sleep(backoffMs(round, 50, 2_000));
      const next: Assignment[] = [];
      for (const group of chunk(pending, 100)) {
        const answer = await this.transact(
          group.map((a) => ({
            Put: { TableName: this.tableName, Item: itemOf.assignment(a), ConditionExpression: 'attribute_not_exists(PK) OR version < :v', ExpressionAttributeValues: { ':v': a.version } },
          })),
        );
        if (answer === 'ok') for (const a of group) written.add(a.unitId);
        else if (answer === 'busy') next.push(...group);
        else group.forEach((a, i) => !answer[i] && next.push(a));
      }
      pending = next;
    }
    return written;
  }

  async putNewObligations(obligations: readonly Obligation[]): Promise<void> {
    if (obligations.length === 0) return;
    // Which already exist: a duplicate delivery must never reopen a report that came in.
    const existing = await batchGet(
      this.doc,
      this.tableName,
      obligations.map((o) => keys.obligation(o.unitId, o.directiveId, o.periodId)),
      { consistent: true },
    );
    const fresh = obligations.filter((o) => !existing.has(keyOf(keys.obligation(o.unitId, o.directiveId, o.periodId))));
    await batchPut(this.doc, this.tableName, fresh.map((o) => itemOf.obligation(o)));
  }

  /** Obligations of units that had no assignment: none can exist (they are written after it), so no check. */
  async putObligationsOfNewUnits(obligations: readonly Obligation[]): Promise<void> {
    await batchPut(this.doc, this.tableName, obligations.map((o) => itemOf.obligation(o)));
  }

  async obligationsOf(directiveId: string, unitId: string): Promise<Obligation[]> {
    const out: Obligation[] = [];
    for await (const page of this.pages(
      {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': `UNIT#${unitId}`, ':prefix': keys.obligationsOfUnitPrefix(directiveId) },
        ConsistentRead: true,
      },
      (item) => strip<Obligation>(item),
    ))
      out.push(...page);
    return out;
  }

  async updateObligation(
    o: Obligation,
    change: ObligationChange,
    from: readonly ObligationStatus[],
  ): Promise<boolean> {
    const next: Obligation = { ...o, ...change };
    const values: Item = { ':v': change.version };
    from.forEach((s, i) => (values[`:from${i}`] = s));
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: itemOf.obligation(next),
          ConditionExpression: `version <= :v AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async getObligations(refs: readonly { directiveId: string; unitId: string; periodId: string }[], opts: { consistent?: boolean } = {}): Promise<Obligation[]> {
    const found = await batchGet(this.doc, this.tableName, refs.map((r) => keys.obligation(r.unitId, r.directiveId, r.periodId)), { consistent: opts.consistent ?? true });
    return [...found.values()].map((item) => strip<Obligation>(item));
  }

  /** Open obligations due on `dueDate`, from the sparse due-date index: what is in is never read. */
  async openObligationsDue(dueDate: string): Promise<Obligation[]> {
    const shards = Array.from({ length: DUE_SHARDS }, (_, i) => i);
    const pages = await mapLimit(shards, 8, async (s) => {
      const out: Obligation[] = [];
      for await (const page of this.pages(
        { IndexName: 'GSI2', KeyConditionExpression: 'GSI2PK = :pk', ExpressionAttributeValues: { ':pk': keys.openByDueDateShard(dueDate, s) } },
        (item) => strip<Obligation>(item),
      ))
        out.push(...page);
      return out;
    });
    return pages.flat();
  }

  async obligationsOfPeriod(directive: Pick<Directive, 'id' | 'shardCount'>, periodId: string): Promise<Obligation[]> {
    const shards = Array.from({ length: directive.shardCount }, (_, i) => i);
    const pages = await mapLimit(shards, 8, async (s) => {
      const out: Obligation[] = [];
      for await (const page of this.pages(
        { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': keys.obligationsOfDirective(directive.id, periodId, s) } },
        (item) => strip<Obligation>(item),
      ))
        out.push(...page);
      return out;
    });
    return pages.flat();
  }

  async openObligationsOfPeriod(directive: Pick<Directive, 'id' | 'shardCount'>, periodId: string): Promise<Obligation[]> {
    const shards = Array.from({ length: directive.shardCount }, (_, i) => i);
    const pages = await mapLimit(shards, 8, async (s) => {
      const out: Obligation[] = [];
      for await (const page of this.pages(
        {
          IndexName: 'GSI1',
          KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :open)',
          ExpressionAttributeValues: { ':pk': keys.obligationsOfDirective(directive.id, periodId, s), ':open': 'open#' },
        },
        (item) => strip<Obligation>(item),
      ))
        out.push(...page);
      return out;
    });
    return pages.flat();
  }

  async withdrawAssignment(directiveId: string, unitId: string, version: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.assignment(unitId, directiveId),
          UpdateExpression: 'SET #status = :withdrawn, version = :v, GSI1SK = :gsk',
          ConditionExpression: 'attribute_exists(PK) AND version <= :v AND #status <> :withdrawn',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':withdrawn': 'withdrawn', ':v': version, ':gsk': `withdrawn#${unitId}` },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async *assignmentsOfDirective(directive: Pick<Directive, 'id' | 'shardCount'>): AsyncIterable<Assignment[]> {
    for (let shard = 0; shard < directive.shardCount; shard++) {
      yield* this.pages(
        {
          IndexName: 'GSI1',
          KeyConditionExpression: 'GSI1PK = :pk',
          ExpressionAttributeValues: { ':pk': keys.assignmentsOfDirective(directive.id, shard) },
        },
        (item) => strip<Assignment>(item),
      );
    }
  }

  // ---- status

  private async count(input: Omit<QueryCommandInput, 'TableName'>): Promise<number> {
    let total = 0;
    let ExclusiveStartKey: Item | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ TableName: this.tableName, ...input, Select: 'COUNT', ExclusiveStartKey }));
      total += out.Count ?? 0;
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return total;
  }

  private async countByPrefix(pk: string, prefix: string): Promise<number> {
    return this.count({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
    });
  }

  async countAssignments(directive: Pick<Directive, 'id' | 'shardCount'>) {
    const shards = Array.from({ length: directive.shardCount }, (_, i) => i);
    const counts = await mapLimit(shards, 8, async (s) => ({
      active: await this.countByPrefix(keys.assignmentsOfDirective(directive.id, s), 'active#'),
      withdrawn: await this.countByPrefix(keys.assignmentsOfDirective(directive.id, s), 'withdrawn#'),
    }));
    return counts.reduce((a, b) => ({ active: a.active + b.active, withdrawn: a.withdrawn + b.withdrawn }), { active: 0, withdrawn: 0 });
  }

  async countObligations(directive: Pick<Directive, 'id' | 'shardCount'>, periodId: string) {
    const result: Record<ObligationStatus, number> = { open: 0, submitted: 0, cancelled: 0 };
    const shards = Array.from({ length: directive.shardCount }, (_, i) => i);
    const perShard = await mapLimit(shards, 8, async (s) => {
      const counts = { ...result };
      for (const status of Object.keys(counts) as ObligationStatus[]) {
        counts[status] = await this.countByPrefix(keys.obligationsOfDirective(directive.id, periodId, s), `${status}#`);
      }
      return counts;
    });
    // Summed after the shards answer: adding into one total from concurrent callbacks would lose counts.
    for (const counts of perShard) for (const status of Object.keys(result) as ObligationStatus[]) result[status] += counts[status];
    return result;
  }

  async countMailSent(directiveId: string): Promise<number> {
    const shards = Array.from({ length: MAIL_SHARDS }, (_, i) => i);
    const counts = await mapLimit(shards, 8, (s) =>
      this.count({ IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': keys.mailLogOfDirective(directiveId, s) } }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  // ---- mail log

  /**
   * Claims the free keys as PartiQL INSERTs, 25 to a BatchExecuteStatement: each fails alone if the key is taken, and
   * is billed as a plain Put (a transaction bills two). The keys found taken are read (one consistent BatchGetItem) to
   * say what holds them; a released one is claimed again. A stale claim an operator's redrive takes over is a
   * conditional Put on the dead sender's attempt, in a transaction of up to 100 (rare: only after a DLQ report).
   */
  async claimMails(mailKeys: readonly string[], request: MailClaimRequest): Promise<Map<string, MailClaim>> {
    const out = new Map<string, MailClaim>();
    let pending: { key: string; takeOver?: string }[] = [...new Set(mailKeys)].map((key) => ({ key }));
    for (let round = 0; pending.length > 0; round++) {
      if (round >= 8) throw new Error(`Could not claim ${pending.length} mail keys after ${round} rounds of conflicts`);
      if (round > 0) await sleep(backoffMs(round, 50, 2_000));
      const next: typeof pending = [];
      const contested: string[] = [];
      const fresh = pending.filter((p) => p.takeOver === undefined).map((p) => p.key);
      const taken = await batchInsert(this.doc, this.tableName, fresh.map((key) => this.mailClaim(key, request)));
      for (const key of fresh) {
        if (taken.has(keyOf(keys.mailLog(key)))) contested.push(key);
        else out.set(key, { state: 'claimed' });
      }
      for (const group of chunk(pending.filter((p) => p.takeOver !== undefined), 100)) {
        const answer = await this.transact(group.map((g) => ({ Put: this.mailTakeOver(g.key, request, g.takeOver as string) })));
        if (answer === 'ok') for (const g of group) out.set(g.key, { state: 'claimed' });
        else if (answer === 'busy') next.push(...group);
        else group.forEach((g, i) => (answer[i] ? contested.push(g.key) : next.push(g)));
      }
      next.push(...(await this.whatHolds(contested, request, out)));
      pending = next;
    }
    return out;
  }

  private mailClaim(key: string, request: MailClaimRequest) {
    return {
      ...keys.mailLog(key),
      type: 'mail-claim',
      key,
      status: 'sending',
      attempt: request.attempt,
      claimedAt: request.at.toISOString(),
      leaseUntil: request.leaseUntil.toISOString(),
    };
  }

  /** A stale claim is taken over only from the dead sender that left it: two redrives cannot both win. */
  private mailTakeOver(key: string, request: MailClaimRequest, deadAttempt: string) {
    return {
      TableName: this.tableName,
      Item: this.mailClaim(key, request),
      ConditionExpression: '#status IN (:sending, :parked) AND attempt = :was',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':sending': 'sending', ':parked': 'parked', ':was': deadAttempt },
    };
  }

  /** Reads the keys another writer holds; settles what it can into `out` and returns those to claim again. */
  private async whatHolds(contested: readonly string[], request: MailClaimRequest, out: Map<string, MailClaim>): Promise<{ key: string; takeOver?: string }[]> {
    if (contested.length === 0) return [];
    const found = await batchGet(this.doc, this.tableName, contested.map(keys.mailLog), { consistent: true });
    const again: { key: string; takeOver?: string }[] = [];
    for (const key of contested) {
      const item = found.get(keyOf(keys.mailLog(key)));
      if (!item) again.push({ key }); // released in the meantime
      else if (item.status === undefined || item.status === 'sent') out.set(key, { state: 'sent', messageId: String(item.messageId ?? '') });
      else if (request.takeOverStale && (item.status === 'parked' || String(item.leaseUntil) <= request.at.toISOString())) again.push({ key, takeOver: String(item.attempt) });
      else if (item.status === 'parked') out.set(key, { state: 'parked', claimedAt: String(item.claimedAt) });
      else if (String(item.leaseUntil) > request.at.toISOString()) out.set(key, { state: 'held', leaseUntil: String(item.leaseUntil) });
      else out.set(key, { state: 'stale', claimedAt: String(item.claimedAt), attempt: String(item.attempt) });
    }
    return again;
  }

  /** The claims become the mail log's records (what `thidua status` counts), 25 to a BatchWriteItem. */
  async recordSentMany(sent: readonly { message: MailMessage; messageId: string }[], at: Date): Promise<void> {
    await batchPut(this.doc, this.tableName, sent.map(({ message, messageId }) => this.mailRecord(message, messageId, at)));
  }

  private mailRecord(message: MailMessage, messageId: string, at: Date): Item {
    return {
      ...keys.mailLog(message.key),
      ...(message.directiveId
        ? { GSI1PK: keys.mailLogOfDirective(message.directiveId, shardOf(message.unitId ?? message.key, MAIL_SHARDS)), GSI1SK: message.key }
        : {}),
      type: 'mail',
      key: message.key,
      status: 'sent',
      kind: message.kind,
      to: message.to,
      subject: message.subject,
      messageId,
      sentAt: at.toISOString(),
      directiveId: message.directiveId,
      unitId: message.unitId,
    };
  }

  /** Only this attempt's claim is given back: a record or another sender's claim stays. */
  async releaseClaims(mailKeys: readonly string[], attempt: string): Promise<void> {
    await mapLimit(mailKeys, 8, (key) => this.deleteIf(keys.mailLog(key), '#status = :sending AND attempt = :a', { ':sending': 'sending', ':a': attempt }));
  }

  async parkClaims(claims: readonly { key: string; attempt: string }[]): Promise<void> {
    await mapLimit(claims, 8, ({ key, attempt }) =>
      this.conditionally(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.mailLog(key),
          UpdateExpression: 'SET #status = :parked',
          ConditionExpression: '#status = :sending AND attempt = :a',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':parked': 'parked', ':sending': 'sending', ':a': attempt },
        }),
      ),
    );
  }

  private async deleteIf(Key: { PK: string; SK: string }, condition: string, values: Record<string, unknown>): Promise<void> {
    await this.conditionally(new DeleteCommand({ TableName: this.tableName, Key, ConditionExpression: condition, ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: values }));
  }

  async sentMessageId(key: string): Promise<string | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.mailLog(key), ConsistentRead: true, ProjectionExpression: 'messageId, #status', ExpressionAttributeNames: { '#status': 'status' } }),
    );
    // A claim is not a sent mail; records written before claims existed have no status.
    if (!out.Item || (out.Item.status !== undefined && out.Item.status !== 'sent')) return undefined;
    return String(out.Item.messageId ?? '');
  }

  // ---- rate counters

  /** One conditional UpdateItem: ADD 1 unless the window's count has reached `max`. The item expires (TTL) after the window. */
  async takeSlot(scope: string, now: Date, windowSeconds: number, max: number): Promise<{ ok: true; used: number } | { ok: false; retryAt: Date }> {
    const windowMs = windowSeconds * 1000;
    const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
    const retryAt = new Date(windowStart.getTime() + windowMs);
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.rate(scope, windowStart.toISOString()),
          UpdateExpression: 'ADD used :one SET #ttl = if_not_exists(#ttl, :ttl)',
          ConditionExpression: 'attribute_not_exists(used) OR used < :max',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':one': 1, ':max': max, ':ttl': Math.floor(retryAt.getTime() / 1000) + 3600 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return { ok: true, used: Number(out.Attributes?.used ?? 1) };
    } catch (e) {
      if (isConditionFailure(e)) return { ok: false, retryAt };
      throw e;
    }
  }

  // ---- people

  async getPerson(email: string): Promise<Person | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.person(email.toLowerCase()), ConsistentRead: true }));
    return out.Item ? strip<Person>(out.Item) : undefined;
  }

  /** Each person whole, then the per-unit index items of their grants; index items of grants they lost are deleted. */
  async putPeople(people: readonly Person[]): Promise<void> {
    const before = await batchGet(this.doc, this.tableName, people.map((p) => keys.person(p.email)), { consistent: true });
    const stale: { PK: string; SK: string }[] = [];
    for (const p of people) {
      const old = before.get(keyOf(keys.person(p.email)))?.grants as Person['grants'] | undefined;
      for (const g of old ?? []) {
        if (!p.grants.some((n) => n.role === g.role && n.unitId === g.unitId)) stale.push(keys.personOfUnit(g.unitId, p.email, g.role));
      }
    }
    await batchPut(this.doc, this.tableName, [
      ...people.map((p) => ({ ...keys.person(p.email), type: 'person', ...p })),
      ...people.flatMap((p) => p.grants.map((g) => ({ ...keys.personOfUnit(g.unitId, p.email, g.role), type: 'person-of-unit', email: p.email, name: p.name, role: g.role }))),
    ]);
    await batchDelete(this.doc, this.tableName, stale);
  }

  async peopleOfUnit(unitId: string): Promise<{ email: string; name: string; role: Role }[]> {
    const out: { email: string; name: string; role: Role }[] = [];
    for await (const page of this.pages(
      { KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)', ExpressionAttributeValues: { ':pk': `UNIT#${unitId}`, ':p': keys.personOfUnitPrefix } },
      (item) => ({ email: String(item.email), name: String(item.name), role: item.role as Role }),
    ))
      out.push(...page);
    return out;
  }

  // ---- audit trail

  async record(entry: AuditEntry): Promise<void> {
    const root = entry.unitPath[0] ?? entry.unitId;
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.audit(root, entry.at.slice(0, 7), entry.at, entry.requestId), type: 'audit', ...entry } }));
  }

  async entriesUnder(unit: { id: string; path: readonly string[] }, month: string): Promise<AuditEntry[]> {
    const root = unit.path[0] ?? unit.id;
    const out: AuditEntry[] = [];
    for await (const page of this.pages(
      { KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.auditMonth(root, month) }, ScanIndexForward: false },
      (item) => strip<AuditEntry>(item),
    ))
      out.push(...page.filter((e) => e.unitPath.includes(unit.id)));
    return out;
  }

  // ---- reports

  async putReport(r: ReportRecord): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: itemOf.report(r) }));
  }

  async uploadOutcome(ref: { directiveId: string; periodId: string; reportKey: string }): Promise<UploadOutcome | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.uploadOutcome(ref), ConsistentRead: true }));
    return out.Item ? strip<UploadOutcome>(out.Item) : undefined;
  }

  async recordAccepted(record: ReportRecord, obligation: Obligation, closed: Obligation): Promise<RecordOutcome> {
    const seen = obligation.acceptedReports;
    const values: Item = { ':open': 'open', ':submitted': 'submitted', ':version': obligation.version, ':due': obligation.dueDate, ':status': obligation.status, ':approved': 'approved' };
    if (seen !== undefined) values[':seen'] = seen;
    const outcome = await this.transact([
      { Put: { TableName: this.tableName, Item: itemOf.uploadOutcome(record), ConditionExpression: 'attribute_not_exists(PK)' } },
      { Put: { TableName: this.tableName, Item: itemOf.report(record) } },
      {
        Put: {
          TableName: this.tableName,
          Item: itemOf.obligation(closed),
          // Exactly the obligation that was read: same status, version, deadline and count of accepted reports.
          // …and not approved meanwhile by the level above (approved locks it).
          ConditionExpression: `#status = :status AND #status IN (:open, :submitted) AND version = :version AND dueDate = :due AND ${seen !== undefined ? 'acceptedReports = :seen' : 'attribute_not_exists(acceptedReports)'} AND (attribute_not_exists(approval) OR approval.#state <> :approved)`,
          ExpressionAttributeNames: { '#status': 'status', '#state': 'state' },
          ExpressionAttributeValues: values,
        },
      },
    ]);
    if (outcome === 'ok') return 'recorded';
    if (outcome === 'busy') return 'conflict';
    return outcome[0] ? 'already' : 'conflict';
  }

  // ---- approvals

  async putDecision(read: Obligation, decided: Obligation): Promise<'recorded' | 'conflict'> {
    const values: Item = { ':status': read.status, ':version': read.version, ':due': read.dueDate };
    const conditions = ['#status = :status', 'version = :version', 'dueDate = :due'];
    if (read.acceptedReports !== undefined) {
      values[':seen'] = read.acceptedReports;
      conditions.push('acceptedReports = :seen');
    } else conditions.push('attribute_not_exists(acceptedReports)');
    if (read.approval) {
      Object.assign(values, { ':state': read.approval.state, ':at': read.approval.at });
      conditions.push('approval.#state = :state AND approval.#at = :at');
    } else conditions.push('attribute_not_exists(approval)');
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: itemOf.obligation(decided),
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: { '#status': 'status', ...(read.approval ? { '#state': 'state', '#at': 'at' } : {}) },
          ExpressionAttributeValues: values,
        }),
      );
      return 'recorded';
    } catch (e) {
      if (isConditionFailure(e)) return 'conflict';
      throw e;
    }
  }

  async recordRejected(record: ReportRecord): Promise<'recorded' | 'already'> {
    const outcome = await this.transact([
      { Put: { TableName: this.tableName, Item: itemOf.uploadOutcome(record), ConditionExpression: 'attribute_not_exists(PK)' } },
      { Put: { TableName: this.tableName, Item: itemOf.report(record) } },
    ]);
    if (outcome === 'busy') throw new Error(`The verdict of ${record.reportKey} met another transaction; retried by the queue`);
    return outcome === 'ok' ? 'recorded' : 'already';
  }

  async fileVerdict(record: ReportRecord): Promise<void> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: itemOf.uploadOutcome(record), ConditionExpression: 'attribute_not_exists(PK)' }));
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }

  async uploadOutcomesOf(files: readonly { directiveId: string; periodId: string; reportKey: string }[]): Promise<UploadOutcome[]> {
    const found = await batchGet(this.doc, this.tableName, files.map((f) => keys.uploadOutcome(f)), { consistent: true });
    return [...found.values()].map((item) => strip<UploadOutcome>(item));
  }

  async latestReportOf(ref: { directiveId: string; periodId: string; unitId: string }): Promise<Pick<ReportRecord, 'status' | 'receivedAt'> | undefined> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': `UNIT#${ref.unitId}`, ':prefix': keys.reportsPrefix(ref.directiveId, ref.periodId) },
        ExpressionAttributeNames: { '#status': 'status' },
        ProjectionExpression: '#status, receivedAt',
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const item = out.Items?.[0];
    return item ? { status: item.status as ReportRecord['status'], receivedAt: String(item.receivedAt) } : undefined;
  }

  async uploadOutcomesOfPeriod(directiveId: string, periodId: string): Promise<UploadOutcome[]> {
    const shards = Array.from({ length: UPLOAD_SHARDS }, (_, i) => i);
    const pages = await mapLimit(shards, 8, async (s) => {
      const out: UploadOutcome[] = [];
      for await (const page of this.pages(
        {
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': keys.uploadOutcomeShard(directiveId, periodId, s) },
          ProjectionExpression: 'reportKey, versionId, unitId, #status, receivedAt',
          ExpressionAttributeNames: { '#status': 'status' },
        },
        (item) => strip<UploadOutcome>(item),
      ))
        out.push(...page);
      return out;
    });
    return pages.flat();
  }

  /**
   * TransactWriteItems. 'ok'; 'busy' when another transaction held the same items; or which items' conditions
   * failed (by position). Any other cancellation (throttling, a validation error) is thrown and retried by the SDK
   * or the queue.
   */
  private async transact(items: NonNullable<TransactWriteCommandInput['TransactItems']>): Promise<'ok' | 'busy' | boolean[]> {
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return 'ok';
    } catch (e) {
      const reasons = (e as { name?: string; CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      if ((e as { name?: string }).name !== 'TransactionCanceledException' || !reasons) throw e;
      // Another transaction on the same items at the same moment (two files of one unit): the caller reads again.
      if (reasons.some((r) => r.Code === 'TransactionConflict')) return 'busy';
      const failed = reasons.map((r) => r.Code === 'ConditionalCheckFailed');
      if (!failed.some(Boolean) || reasons.some((r) => r.Code && r.Code !== 'None' && r.Code !== 'ConditionalCheckFailed')) throw e;
      return failed;
    }
  }

  // ---- rejection emails

  async noteRejection(
    ref: { directiveId: string; periodId: string; unitId: string },
    upload: { reportKey: string; versionId: string; at: Date },
    windowSeconds: number,
  ): Promise<{ send: 'now' } | { send: 'later'; windowEnd: string; scheduleFlush: boolean }> {
    const now = upload.at.toISOString();
    const Key = keys.rejectionMail(ref);
    const ttl = Math.floor(upload.at.getTime() / 1000) + 30 * 86_400;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        // No window open: this verdict is told now, and a window starts.
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key,
            UpdateExpression: 'SET windowEnd = :end, flushScheduled = :no, toldKey = :key, #ttl = :ttl REMOVE pendingKey, pendingVersion, pendingAt, waiting',
            ConditionExpression: '(attribute_not_exists(windowEnd) OR windowEnd <= :now) AND (attribute_not_exists(toldKey) OR toldKey <> :key)',
            ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':end': new Date(upload.at.getTime() + windowSeconds * 1000).toISOString(), ':no': false, ':now': now, ':key': upload.reportKey, ':ttl': ttl },
          }),
        );
        return { send: 'now' };
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
      try {
        // A window is open: this verdict waits for its end (each file counted once); the first to wait schedules the end.
        const out = await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key,
            UpdateExpression: 'ADD waiting :keys SET flushScheduled = :yes',
            ConditionExpression: 'windowEnd > :now AND toldKey <> :key AND NOT contains(waiting, :key)',
            ExpressionAttributeValues: { ':keys': new Set([upload.reportKey]), ':key': upload.reportKey, ':yes': true, ':now': now },
            ReturnValues: 'ALL_OLD',
          }),
        );
        const windowEnd = String(out.Attributes?.windowEnd);
        await this.keepLatestWaiting(Key, windowEnd, upload);
        return { send: 'later', windowEnd, scheduleFlush: out.Attributes?.flushScheduled !== true };
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
      // Neither: this very file was already noted (a retry), or the window closed between the two calls.
      const current = await this.doc.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }));
      if (current.Item?.toldKey === upload.reportKey) return { send: 'now' };
      const waiting = current.Item?.waiting as Set<string> | undefined;
      if (waiting?.has(upload.reportKey)) {
        // A retry of a file already counted: the attempt before may have died before scheduling the window's end,
        // so it is scheduled again (a second message for the same window is the same idempotency key: harmless).
        await this.keepLatestWaiting(Key, String(current.Item!.windowEnd), upload);
        return { send: 'later', windowEnd: String(current.Item!.windowEnd), scheduleFlush: true };
      }
    }
    throw new Error(`Could not note the rejection of ${upload.reportKey}`);
  }

  /** The verdict told at the window's end is the latest file to arrive, whatever order they were processed in. */
  private async keepLatestWaiting(Key: { PK: string; SK: string }, windowEnd: string, upload: { reportKey: string; versionId: string; at: Date }): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'SET pendingKey = :key, pendingVersion = :version, pendingAt = :at',
          ConditionExpression: 'windowEnd = :w AND (attribute_not_exists(pendingAt) OR pendingAt < :at)',
          ExpressionAttributeValues: { ':key': upload.reportKey, ':version': upload.versionId, ':at': upload.at.toISOString(), ':w': windowEnd },
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }

  async pendingRejection(ref: { directiveId: string; periodId: string; unitId: string }, windowEnd: string): Promise<{ reportKey: string; versionId: string; attempts: number } | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.rejectionMail(ref), ConsistentRead: true }));
    const item = out.Item;
    if (!item || item.windowEnd !== windowEnd || typeof item.pendingKey !== 'string') return undefined;
    return { reportKey: item.pendingKey, versionId: String(item.pendingVersion ?? 'null'), attempts: (item.waiting as Set<string> | undefined)?.size ?? 1 };
  }

  async closeRejectionWindow(
    ref: { directiveId: string; periodId: string; unitId: string },
    windowEnd: string,
    told: string,
    now: Date,
    windowSeconds: number,
  ): Promise<'closed' | 'moved-on' | 'newer-waiting'> {
    const Key = keys.rejectionMail(ref);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'SET windowEnd = :end, flushScheduled = :no, toldKey = pendingKey REMOVE pendingKey, pendingVersion, pendingAt, waiting',
          // Only if the file told is still the latest waiting: one judged meanwhile is told next.
          ConditionExpression: 'windowEnd = :old AND pendingKey = :told',
          ExpressionAttributeValues: { ':end': new Date(now.getTime() + windowSeconds * 1000).toISOString(), ':no': false, ':old': windowEnd, ':told': told },
        }),
      );
      return 'closed';
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
    const current = await this.doc.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }));
    return current.Item?.windowEnd === windowEnd && typeof current.Item.pendingKey === 'string' && current.Item.pendingKey !== told ? 'newer-waiting' : 'moved-on';
  }

  async reportsOf(ref: { directiveId: string; periodId: string; unitId: string }): Promise<ReportRecord[]> {
    const out: ReportRecord[] = [];
    for await (const page of this.pages(
      {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': `UNIT#${ref.unitId}`, ':prefix': keys.reportsPrefix(ref.directiveId, ref.periodId) },
        ConsistentRead: true,
      },
      (item) => strip<ReportRecord>(item),
    ))
      out.push(...page);
    return out;
  }

  // ---- results index

  async resultsComputedAt(directiveId: string, periodId: string): Promise<string | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.results(directiveId, periodId), ConsistentRead: true }));
    return out.Item ? String(out.Item.computedAt) : undefined;
  }

  async markResults(directiveId: string, periodId: string, computedAt: string): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: itemOf.resultsIndex(directiveId, periodId, computedAt) }));
  }

  // ---- calendar

  async calendarFor(years: readonly number[]): Promise<CalendarOptions> {
    const found = await batchGet(this.doc, this.tableName, years.map(keys.calendar));
    return toCalendarOptions([...found.values()].map((item) => CalendarAdjustmentsFile.parse(strip(item))));
  }

  async putCalendarAdjustments(file: CalendarAdjustmentsFile): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.calendar(file.year), type: 'calendar', ...file } }));
  }

  // ---- an officer's obligations, a commune's village targets

  async obligationsOfUnit(unitId: string): Promise<Obligation[]> {
    const out: Obligation[] = [];
    for await (const page of this.pages(
      {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': `UNIT#${unitId}`, ':prefix': keys.obligationsOfAnyDirectivePrefix },
      },
      (item) => strip<Obligation>(item),
    ))
      out.push(...page);
    return out;
  }

  async getVillageTargets(directiveId: string, communeIds: readonly string[]): Promise<Map<string, VillageTargets>> {
    const found = await batchGet(this.doc, this.tableName, communeIds.map((c) => keys.villageTargets(c, directiveId)), { consistent: true });
    const out = new Map<string, VillageTargets>();
    for (const item of found.values()) {
      const split = strip<VillageTargets>(item);
      out.set(split.communeId, split);
    }
    return out;
  }

  async putVillageTargets(split: VillageTargets): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.villageTargets(split.communeId, split.directiveId), type: 'village-targets', ...split } }));
  }

  // ---- paging

  private async *pages<T>(input: Omit<QueryCommandInput, 'TableName'>, map: (item: Item) => T): AsyncIterable<T[]> {
    let ExclusiveStartKey: Item | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ TableName: this.tableName, ...input, ExclusiveStartKey }));
      const items = (out.Items ?? []).map(map);
      if (items.length > 0) yield items;
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
}

export { META };
