/**
 * Directive documents → draft directives. An office uploads a document as it has it; the document is read, and
 * either recognised as one seen before (the same file, its PDF next to its scan) or turned into a draft the officer
 * completes and confirms. Confirming issues the directive (DirectiveIssued), as `thidua directive issue` does.
 */
import { createHash } from 'node:crypto';
import type { MailMessage } from '../../events/schemas.ts';
import { parseDocumentKey } from '../contract/bucket.ts';
import {
  extractDocument,
  fingerprint,
  normalizeDocument,
  proposeDirective,
  proposedDirectiveId,
  readDocumentFile,
  SAME_DOCUMENT_SIMILARITY,
  similarity,
  type DirectiveDraft,
  type DraftSource,
  type ProposedIndicator,
} from '../domain/document/index.ts';
import { UnitLevel, type Unit } from '../domain/units.ts';
import { renderDocumentDuplicate, renderDocumentUnreadable, renderDraftReady } from '../mail/document-email.ts';
import type { RenderedMail } from '../mail/assignment-email.ts';
import { issueDirective, type DirectiveDeps, type IssueOutcome } from './directives.ts';
import { InputError, PermanentError } from '../domain/errors.ts';
import type { Clock, DocumentUploadOutcome, DraftStore, EventPublisher, MailQueue, ReportStorage, UnitDirectory } from './ports.ts';

export const DEFAULT_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;
/** About 30 pages: a directive with its appendices. Longer texts would not fit a draft item (400 KB). */
export const MAX_DOCUMENT_CHARACTERS = 100_000;

const mib = (bytes: number) => (bytes / 1048576).toLocaleString('vi-VN', { maximumFractionDigits: 1 });

export type DocumentReader = typeof readDocumentFile;

export interface DocumentDeps {
  storage: ReportStorage;
  drafts: DraftStore;
  units: UnitDirectory;
  events: EventPublisher;
  mail: MailQueue;
  maxBytes?: number;
  /**
   * Reads the file. The document function passes `readDocumentWithinBudget` (a worker thread stopped at its deadline
   * or heap limit); without it, `readDocumentFile` runs in this process.
   */
  read?: DocumentReader;
}

export interface UploadedDocument {
  key: string;
  versionId?: string;
  receivedAt: string;
}

export type DocumentResult = { key: string } & (DocumentUploadOutcome | { outcome: 'ignored'; reason: string });

const LEVEL_ORDER = UnitLevel.options;

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

/** Where names are looked for: the uploader's ancestors and every unit under it above village level. */
async function unitContext(uploader: Unit, units: UnitDirectory): Promise<{ units: Unit[]; levelsBelow: Set<UnitLevel> }> {
  const ancestors = [...(await units.getUnits(uploader.path)).values()];
  const below = LEVEL_ORDER.slice(LEVEL_ORDER.indexOf(uploader.level) + 1);
  const levelsBelow = new Set<UnitLevel>();
  const found: Unit[] = [...ancestors];
  for (const level of below) {
    if (level === 'village') {
      if ((await units.countDescendantsAt(uploader, level)) > 0) levelsBelow.add(level);
      continue;
    }
    const atLevel = await collect(units.descendantsAt(uploader, level));
    if (atLevel.length) levelsBelow.add(level);
    found.push(...atLevel);
  }
  return { units: found, levelsBelow };
}

/**
 * A document this unit already drafted: by its bytes, its own number and date, or its text (MinHash, then
 * similarity). A text match never overrides a different number and date: a plan re-issued each year with the same
 * wording is a new document.
 */
async function recognise(drafts: DraftStore, uploaderId: string, fp: ReturnType<typeof fingerprint>): Promise<{ draftId: string; sameAs: 'bytes' | 'identity' | 'text'; similarity?: number } | undefined> {
  const byBytes = await drafts.draftByBytes(uploaderId, fp.bytesSha256);
  if (byBytes) return { draftId: byBytes, sameAs: 'bytes' };
  if (fp.identity) {
    const byIdentity = await drafts.draftByIdentity(uploaderId, fp.identity);
    if (byIdentity) return { draftId: byIdentity, sameAs: 'identity' };
  }
  if (!fp.bands.length) return undefined;
  const candidates = (await drafts.draftsSharingBands(uploaderId, fp.bands))
    .filter((c) => !(fp.identity && c.identity && c.identity !== fp.identity))
    .map((c) => ({ draftId: c.draftId, similarity: similarity(fp.minhash, c.minhash) }));
  const best = candidates.sort((a, b) => b.similarity - a.similarity)[0];
  return best && best.similarity >= SAME_DOCUMENT_SIMILARITY ? { draftId: best.draftId, sameAs: 'text', similarity: best.similarity } : undefined;
}

/**
 * One uploaded document file → a new draft, a recognised duplicate, or a rejection telling the office why.
 * Safe to repeat: the draft's id comes from the file's bytes, its signs and sources are idempotent writes, and
 * each email's key names the object version.
 */
export async function processDocumentUpload(obj: UploadedDocument, deps: DocumentDeps): Promise<DocumentResult> {
  const ref = parseDocumentKey(obj.key);
  if (!ref) throw new PermanentError(`Not a document key: ${obj.key}`);
  // Answered on an earlier delivery: the outcome is written last, so everything before it was done.
  const answered = await deps.drafts.documentUpload(obj.key);
  if (answered && answered.versionId === obj.versionId) return { key: obj.key, ...answered };
  const uploader = (await deps.units.getUnits([ref.uploaderId])).get(ref.uploaderId);
  if (!uploader) return { key: obj.key, outcome: 'ignored', reason: `unknown uploading unit ${ref.uploaderId}` };
  const version = obj.versionId ?? 'null';
  const recipients = uploader.emails.length ? uploader.emails : uploader.leaderEmails;
  const mail = async (kind: string, rendered: RenderedMail) => {
    if (!recipients.length) return;
    const message: MailMessage = { key: `document-${kind}:${obj.key}:${version}`, to: recipients, cc: [], ...rendered, kind: `document-${kind}`, unitId: uploader.id };
    await deps.mail.sendAll([message]);
  };

  const maxBytes = deps.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  const stored = await deps.storage.get(obj.key, { ...(obj.versionId ? { versionId: obj.versionId } : {}), maxBytes });
  const read = stored.tooLarge
    ? ({ ok: false, code: 'too-large', messageVi: `Tệp "${ref.fileName}" quá lớn (${mib(stored.size)} MB); giới hạn là ${mib(maxBytes)} MB.`, adviceVi: 'gửi bản PDF hoặc DOCX chỉ gồm văn bản, không kèm ảnh quét' } as const)
    : await (deps.read ?? readDocumentFile)(stored.bytes, { fileName: ref.fileName, maxBytes });
  if (!read.ok) {
    const outcome: DocumentUploadOutcome = { outcome: 'rejected', code: read.code, messageVi: read.messageVi, at: obj.receivedAt };
    await mail('unreadable', renderDocumentUnreadable({ fileName: ref.fileName, uploaderName: uploader.name, messageVi: read.messageVi, ...('adviceVi' in read && read.adviceVi ? { adviceVi: read.adviceVi } : {}) }));
    await deps.drafts.recordDocumentUpload(obj.key, { ...outcome, ...(obj.versionId ? { versionId: obj.versionId } : {}) });
    return { key: obj.key, ...outcome };
  }

  const text = normalizeDocument(read.text).text;
  if (text.length > MAX_DOCUMENT_CHARACTERS) {
    const messageVi = `Văn bản quá dài (${text.length.toLocaleString('vi-VN')} ký tự); hệ thống lập bản nháp cho văn bản chỉ đạo đến khoảng 30 trang (${MAX_DOCUMENT_CHARACTERS.toLocaleString('vi-VN')} ký tự).`;
    const outcome: DocumentUploadOutcome = { outcome: 'rejected', code: 'too-long', messageVi, at: obj.receivedAt };
    await mail('unreadable', renderDocumentUnreadable({ fileName: ref.fileName, uploaderName: uploader.name, messageVi, adviceVi: 'tải lên riêng văn bản chỉ đạo, không kèm phụ lục và tài liệu tham khảo' }));
    await deps.drafts.recordDocumentUpload(obj.key, { ...outcome, ...(obj.versionId ? { versionId: obj.versionId } : {}) });
    return { key: obj.key, ...outcome };
  }
  const document = extractDocument(text);
  const fp = fingerprint(stored.bytes!, text, document);
  const source: DraftSource = { key: obj.key, fileName: ref.fileName, format: read.format, encoding: read.encoding, bytesSha256: fp.bytesSha256, receivedAt: obj.receivedAt };
  // From the bytes and the unit: a redelivery finds its own draft; another unit's copy is that unit's own draft.
  const draftId = `bn-${createHash('sha256').update(`${uploader.id}\n${fp.bytesSha256}`).digest('hex').slice(0, 10)}`;

  /** The file joins the draft it repeats; the office is told which draft that is. */
  const answerDuplicate = async (existing: DirectiveDraft, how: { sameAs: 'bytes' | 'identity' | 'text'; similarity?: number }): Promise<DocumentResult> => {
    await deps.drafts.addDraftSource(existing.draftId, { ...source, ...how });
    const outcome: DocumentUploadOutcome = { outcome: 'duplicate', draftId: existing.draftId, sameAs: how.sameAs, at: obj.receivedAt };
    await mail('duplicate', renderDocumentDuplicate({ draft: existing, fileName: ref.fileName, uploaderName: uploader.name, ...how }));
    await deps.drafts.recordDocumentUpload(obj.key, { ...outcome, ...(obj.versionId ? { versionId: obj.versionId } : {}) });
    return { key: obj.key, ...outcome };
  };
  /** A redelivery finds this file among the draft's sources: as the file it was drafted from, or as a duplicate. */
  const asSource = (d: DirectiveDraft | undefined) => d?.sources.find((s) => s.key === obj.key);
  const howSeen = (s: DraftSource) => ({ sameAs: s.sameAs!, ...(s.similarity !== undefined ? { similarity: s.similarity } : {}) });

  const seen = await recognise(deps.drafts, uploader.id, fp);
  const existing = seen ? await deps.drafts.getDraft(seen.draftId) : undefined;
  const mine = asSource(existing);
  if (seen && existing && !mine) return answerDuplicate(existing, { sameAs: seen.sameAs, ...(seen.similarity !== undefined ? { similarity: seen.similarity } : {}) });
  if (existing && mine?.sameAs) return answerDuplicate(existing, howSeen(mine));
  // Otherwise this file is the one the draft is (being) made from: the work goes on where it stopped.

  const context = await unitContext(uploader, deps.units);
  const proposal = proposeDirective(document, { text, uploader, ...context }, draftId);
  const draft: DirectiveDraft = {
    draftId,
    status: 'draft',
    uploaderId: uploader.id,
    createdAt: obj.receivedAt,
    sources: [source],
    document,
    proposal,
    identity: fp.identity,
    minhash: fp.minhash,
  };
  if ((await deps.drafts.putDraft(draft)) === 'exists') {
    // The same bytes under another key, processed at the same moment: the first upload drafted it.
    const first = await deps.drafts.getDraft(draftId);
    const held = asSource(first);
    if (first && !held) return answerDuplicate(first, { sameAs: 'bytes' });
    if (first && held?.sameAs) return answerDuplicate(first, howSeen(held));
  }
  await deps.drafts.indexDraft(draft, { bytesSha256: fp.bytesSha256, bands: fp.bands });
  await mail('draft', renderDraftReady({ draft, fileName: ref.fileName, uploaderName: uploader.name, receivedAt: obj.receivedAt }));
  await deps.events.publish('DirectiveDrafted', { draftId, uploaderId: uploader.id, documentKey: obj.key, missing: proposal.missing.length });
  const outcome: DocumentUploadOutcome = { outcome: 'drafted', draftId, at: obj.receivedAt };
  await deps.drafts.recordDocumentUpload(obj.key, { ...outcome, ...(obj.versionId ? { versionId: obj.versionId } : {}) });
  return { key: obj.key, ...outcome };
}

// ---- confirming

/** What an officer may change in a draft: any directive field; indicators are merged by id ("remove": true drops one). */
export interface DraftEdits {
  [field: string]: unknown;
  indicators?: (Partial<ProposedIndicator> & { id: string; remove?: boolean })[];
}

function checkEdits(raw: unknown): DraftEdits {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new InputError('Tệp bổ sung phải là một đối tượng JSON, ví dụ {"number": "15-CV/HU"}');
  const edits = raw as DraftEdits;
  if (edits.indicators !== undefined) {
    if (!Array.isArray(edits.indicators)) throw new InputError('"indicators" trong tệp bổ sung phải là một danh sách');
    edits.indicators.forEach((ind, i) => {
      if (!ind || typeof ind !== 'object' || typeof ind.id !== 'string' || !ind.id) throw new InputError(`indicators[${i}] trong tệp bổ sung cần có "id" (mã chỉ tiêu)`);
    });
  }
  return edits;
}

/** The draft's directive with the officer's edits; fields the draft proposes but the directive does not know are dropped. */
export function applyEdits(draft: DirectiveDraft, raw: unknown): Record<string, unknown> {
  const edits = checkEdits(raw);
  const proposed = draft.proposal.directive;
  const byId = new Map<string, Record<string, unknown>>(proposed.indicators.map((ind) => [ind.id, { ...ind }]));
  for (const change of edits.indicators ?? []) {
    if (change.remove) byId.delete(change.id);
    else byId.set(change.id, { ...(byId.get(change.id) ?? {}), ...change });
  }
  const { indicators: _ignored, ...fields } = edits;
  const merged: Record<string, unknown> = { ...proposed, ...fields };
  // The id follows a corrected number, year or kind, unless the officer chose the id too.
  if (fields.id === undefined && (fields.number !== undefined || fields.year !== undefined || fields.kind !== undefined)) {
    const number = typeof merged.number === 'string' ? merged.number : null;
    const year = typeof merged.year === 'number' ? merged.year : null;
    merged.id = proposedDirectiveId(proposed.issuerId, number, String(merged.kind ?? proposed.kind), year, draft.draftId);
  }
  merged.indicators = [...byId.values()].map(({ recognised: _r, remove: _x, ...ind }) => Object.fromEntries(Object.entries(ind).filter(([, v]) => v !== null)));
  for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k];
  return merged;
}

/** What the merged directive still lacks, in the draft's own words where it has them. */
function stillMissing(draft: DirectiveDraft, merged: Record<string, unknown>): string[] {
  const notes = new Map(draft.proposal.missing.map((n) => [n.field, n.vi]));
  const out: string[] = [];
  for (const field of ['number', 'issuedOn', 'year', 'title', 'targetUnits'] as const) {
    if (merged[field] === undefined) out.push(`${field}: ${notes.get(field) ?? 'cần nhập'}`);
  }
  if (!Array.isArray(merged.cadences) || merged.cadences.length === 0) out.push(`cadences: ${notes.get('cadences') ?? 'cần nhập kỳ báo cáo'}`);
  const indicators = merged.indicators as Record<string, unknown>[];
  if (!indicators.length) out.push(`indicators: ${notes.get('indicators') ?? 'cần ít nhất một chỉ tiêu'}`);
  for (const ind of indicators) {
    const lacking = ['measure', 'kind', 'direction', 'aggregation', 'target'].filter((f) => ind[f] === undefined);
    if (lacking.length) out.push(`indicators.${String(ind.id)}: “${String(ind.name ?? ind.id)}” còn thiếu ${lacking.join(', ')}`);
  }
  return out;
}

export type ConfirmOutcome = IssueOutcome & { draftId: string };

/**
 * Confirms a draft with the officer's edits: the merged directive is checked like any directive file and issued
 * (DirectiveIssued fans it out). Confirming again issues nothing new; it re-announces what was issued.
 */
export async function confirmDraft(draftId: string, rawEdits: unknown, deps: DirectiveDeps & { drafts: DraftStore; clock: Clock }): Promise<ConfirmOutcome> {
  const draft = await deps.drafts.getDraft(draftId);
  if (!draft) throw new InputError(`Không tìm thấy bản nháp "${draftId}"`, ['Xem danh sách: thidua directive draft list --unit MÃ_ĐƠN_VỊ']);
  if (draft.status === 'confirmed' && draft.confirmedInput) {
    if (rawEdits !== undefined && rawEdits !== null) {
      throw new InputError(`Bản nháp ${draftId} đã được xác nhận thành chỉ thị ${draft.directiveId}; không sửa bản nháp nữa`, [
        `Để điều chỉnh chỉ thị: thidua directive show ${draft.directiveId} --json > chi-thi.json, sửa tệp, rồi thidua directive amend chi-thi.json`,
      ]);
    }
    const again = await issueDirective(draft.confirmedInput, deps);
    return { ...again, draftId };
  }
  const merged = applyEdits(draft, rawEdits);
  const missing = stillMissing(draft, merged);
  if (missing.length) throw new InputError(`Bản nháp ${draftId} còn thiếu ${missing.length} mục; bổ sung bằng tệp JSON rồi chạy lại: thidua directive draft confirm ${draftId} --file bo-sung.json`, missing);
  const issued = await issueDirective(merged, deps);
  await deps.drafts.markConfirmed(draftId, { directiveId: issued.directive.id, at: deps.clock.now().toISOString(), input: merged });
  return { ...issued, draftId };
}

export async function getDraft(draftId: string, drafts: DraftStore): Promise<DirectiveDraft> {
  const draft = await drafts.getDraft(draftId);
  if (!draft) throw new InputError(`Không tìm thấy bản nháp "${draftId}"`, ['Xem danh sách: thidua directive draft list --unit MÃ_ĐƠN_VỊ']);
  return draft;
}
