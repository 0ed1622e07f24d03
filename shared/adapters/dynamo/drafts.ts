import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import type { DirectiveDraft, DraftSource } from '../../domain/document/draft.ts';
import type { DocumentUploadOutcome, DraftStore } from '../../app/ports.ts';
import { mapLimit } from '../../retry.ts';
import { batchPut } from './batch.ts';
import { keys } from './keys.ts';

type Item = Record<string, unknown>;

const isConditionFailure = (e: unknown) =>
  e instanceof ConditionalCheckFailedException || (e as { name?: string })?.name === 'ConditionalCheckFailedException';

/** Sources are a map keyed by a hash of the S3 key, so adding the same file twice is one idempotent SET. */
const sourceId = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 16);

function toDraft(item: Item): DirectiveDraft {
  const { PK: _pk, SK: _sk, GSI1PK: _a, GSI1SK: _b, type: _t, sources, ...rest } = item;
  const list = Object.values((sources ?? {}) as Record<string, DraftSource>).sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.key.localeCompare(b.key));
  return { ...(rest as Omit<DirectiveDraft, 'sources'>), sources: list };
}

/** Drafts and document signs in the single table. Knows keys and conditions only. */
export class DynamoDraftStore implements DraftStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async getDraft(draftId: string): Promise<DirectiveDraft | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.draft(draftId), ConsistentRead: true }));
    return out.Item ? toDraft(out.Item) : undefined;
  }

  async putDraft(draft: DirectiveDraft): Promise<'written' | 'exists'> {
    const { sources, ...rest } = draft;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.draft(draft.draftId),
            ...keys.draftsOfUnit(draft.uploaderId, draft.createdAt, draft.draftId),
            type: 'draft',
            ...rest,
            sources: Object.fromEntries(sources.map((s) => [sourceId(s.key), s])),
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return 'written';
    } catch (e) {
      if (isConditionFailure(e)) return 'exists';
      throw e;
    }
  }

  async addDraftSource(draftId: string, source: DraftSource): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.draft(draftId),
        UpdateExpression: 'SET sources.#s = if_not_exists(sources.#s, :source)',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#s': sourceId(source.key) },
        ExpressionAttributeValues: { ':source': source },
      }),
    );
  }

  private async pointer(key: { PK: string; SK: string }): Promise<string | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true, ProjectionExpression: 'draftId' }));
    return out.Item ? String(out.Item.draftId) : undefined;
  }

  draftByBytes(uploaderId: string, sha256: string) {
    return this.pointer(keys.documentBytes(uploaderId, sha256));
  }

  draftByIdentity(uploaderId: string, identity: string) {
    return this.pointer(keys.documentIdentity(uploaderId, identity));
  }

  async draftsSharingBands(uploaderId: string, bands: readonly string[]): Promise<{ draftId: string; minhash: number[]; identity: string | null }[]> {
    const pages = await mapLimit([...bands], 8, async (band) => {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': keys.documentBand(uploaderId, band, '').PK },
          // Attribute names, not words: some (IDENTITY) are reserved in expressions.
          ProjectionExpression: '#d, #m, #i',
          ExpressionAttributeNames: { '#d': 'draftId', '#m': 'minhash', '#i': 'identity' },
          // A band value shared by many documents says little; the first few candidates are enough.
          Limit: 25,
        }),
      );
      return (out.Items ?? []).map((i) => ({ draftId: String(i.draftId), minhash: i.minhash as number[], identity: (i.identity as string | undefined) ?? null }));
    });
    const byId = new Map(pages.flat().map((c) => [c.draftId, c]));
    return [...byId.values()];
  }

  async indexDraft(draft: DirectiveDraft, signs: { bytesSha256: string; bands: readonly string[] }): Promise<void> {
    const pointer = { type: 'document-sign', draftId: draft.draftId };
    await batchPut(this.doc, this.tableName, [
      { ...keys.documentBytes(draft.uploaderId, signs.bytesSha256), ...pointer },
      ...(draft.identity ? [{ ...keys.documentIdentity(draft.uploaderId, draft.identity), ...pointer }] : []),
      ...signs.bands.map((band) => ({ ...keys.documentBand(draft.uploaderId, band, draft.draftId), ...pointer, minhash: draft.minhash, identity: draft.identity })),
    ]);
  }

  async markConfirmed(draftId: string, confirmed: { directiveId: string; at: string; input: Record<string, unknown> }): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.draft(draftId),
        UpdateExpression: 'SET #status = :confirmed, directiveId = :directiveId, confirmedAt = if_not_exists(confirmedAt, :at), confirmedInput = :input',
        // A draft becomes one directive: a second confirmation may only repeat the first.
        ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(directiveId) OR directiveId = :directiveId)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':confirmed': 'confirmed', ':directiveId': confirmed.directiveId, ':at': confirmed.at, ':input': confirmed.input },
      }),
    );
  }

  async draftsOf(uploaderId: string): Promise<DirectiveDraft[]> {
    const drafts: DirectiveDraft[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'GSI1',
          KeyConditionExpression: 'GSI1PK = :pk',
          ExpressionAttributeValues: { ':pk': keys.draftsOfUnit(uploaderId, '', '').GSI1PK },
          ExclusiveStartKey,
        }),
      );
      drafts.push(...(out.Items ?? []).map(toDraft));
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return drafts;
  }

  async recordDocumentUpload(key: string, outcome: DocumentUploadOutcome): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.documentUpload(key), type: 'document-upload', key, ...outcome } }));
  }

  async documentUpload(key: string): Promise<DocumentUploadOutcome | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.documentUpload(key), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { PK: _pk, SK: _sk, type: _t, key: _k, ...outcome } = out.Item;
    return outcome as DocumentUploadOutcome;
  }
}
