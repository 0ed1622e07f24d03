/**
 * The issuing office's work in the console: its directives and drafts, what needs it now (drafts to complete, units
 * overdue), a directive document uploaded from the browser, the form that completes a draft or a new directive, and
 * per-unit targets as a workbook. Issuing, amending, withdrawing and extending go through the same use cases the
 * CLI calls (documents.ts confirmDraft, directives.ts, reports.ts extendDeadline).
 */
import { randomUUID } from 'node:crypto';
import { documentKey, parseDocumentKey, safeFileName } from '../contract/bucket.ts';
import { vietnamDate } from '../domain/calendar/index.ts';
import type { Directive, TargetUnits } from '../domain/directive.ts';
import { directiveInputOf, draftEditsOf, type DirectiveFormState } from '../domain/directive-form.ts';
import type { DirectiveDraft } from '../domain/document/index.ts';
import { InputError } from '../domain/errors.ts';
import { buildTargetsWorkbook, type TargetsIndicator, type TargetsReadResult } from '../domain/targets-workbook.ts';
import type { Unit } from '../domain/units.ts';
import { amendDirective, issueDirective, withdrawDirective, type DirectiveDeps, type IssueOutcome } from './directives.ts';
import { confirmDraft, type ConfirmOutcome } from './documents.ts';
import type { AssignmentStore, CalendarSource, Clock, DirectiveStatusReader, DirectiveStore, DocumentUploadOutcome, DraftStore, ObligationIndex, RateCounter, ReportStorage, UnitDirectory } from './ports.ts';
import { extendDeadline } from './reports.ts';
import { directiveStatus } from './status.ts';

/** Document uploads an office may start per hour: enough for a morning's letters, not for a flood. */
export const DOCUMENT_UPLOADS_PER_HOUR = 30;
/** A presigned document URL is used at once by the page that asked for it. */
const PRESIGNED_URL_SECONDS = 300;

export const DOCUMENT_CONTENT_TYPES: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  txt: 'text/plain; charset=utf-8',
};

async function collect<T>(pages: AsyncIterable<T[]>, max = Infinity): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) {
    all.push(...page);
    if (all.length >= max) break;
  }
  return all;
}

/** The key a new document of `uploader` goes to, checked for its type and size first. */
function newDocumentKey(uploader: Unit, file: { name: string; size: number }, maxBytes: number, now: Date): { key: string; contentType: string } {
  const fileName = safeFileName(file.name);
  const ext = /\.([a-z0-9]{1,5})$/i.exec(fileName)?.[1]?.toLowerCase() ?? '';
  const contentType = DOCUMENT_CONTENT_TYPES[ext];
  if (!contentType) throw new InputError(`Tệp "${fileName}" không đúng loại`, ['Tải lên văn bản dạng PDF (.pdf), Word (.docx) hoặc văn bản thuần (.txt)']);
  if (!Number.isInteger(file.size) || file.size <= 0) throw new InputError('Tệp rỗng', ['Chọn tệp văn bản chỉ đạo rồi bấm Tải lên']);
  if (file.size > maxBytes) throw new InputError(`Tệp quá lớn (${(file.size / 1048576).toFixed(1)} MB)`, [`Giới hạn là ${(maxBytes / 1048576).toFixed(0)} MB cho một văn bản`]);
  const uploadId = `${now.toISOString().replace(/\D/g, '').slice(0, 14)}-${randomUUID().slice(0, 8)}`;
  return { key: documentKey({ uploaderId: uploader.id, uploadId, fileName }), contentType };
}

async function takeUploadSlot(uploader: Unit, deps: { rates: RateCounter }, now: Date): Promise<void> {
  const slot = await deps.rates.takeSlot(`document#${uploader.id}`, now, 3600, DOCUMENT_UPLOADS_PER_HOUR);
  if (!slot.ok) throw new InputError(`Đơn vị đã tải lên ${DOCUMENT_UPLOADS_PER_HOUR} văn bản trong giờ này, mức tối đa cho mỗi giờ`, ['Vui lòng thử lại sau ít phút.']);
}

/**
 * A presigned PUT for one directive document of `uploader`, under documents/<unit>/…: the document function reads
 * it into a draft as it reads the CLI's uploads. The URL may create that key once (`If-None-Match: *`).
 */
export async function presignDocumentUpload(
  uploader: Unit,
  file: { name: string; size: number },
  deps: { storage: ReportStorage; rates: RateCounter; clock: Clock; maxDocumentBytes: number },
): Promise<{ method: 'PUT'; url: string; key: string; headers: Record<string, string> }> {
  const now = deps.clock.now();
  const { key, contentType } = newDocumentKey(uploader, file, deps.maxDocumentBytes, now);
  await takeUploadSlot(uploader, deps, now);
  const url = await deps.storage.presignPut(key, { contentType, contentLength: file.size, expiresInSeconds: PRESIGNED_URL_SECONDS, createOnly: true });
  return { method: 'PUT', url, key, headers: { 'content-type': contentType, 'if-none-match': '*' } };
}

/** The same upload without a script in the browser: the file came with the form and is stored from here. */
export async function storeDocumentUpload(
  uploader: Unit,
  file: { name: string; bytes: Uint8Array },
  deps: { storage: ReportStorage; rates: RateCounter; clock: Clock; maxDocumentBytes: number },
): Promise<{ key: string }> {
  const now = deps.clock.now();
  const { key, contentType } = newDocumentKey(uploader, { name: file.name, size: file.bytes.byteLength }, deps.maxDocumentBytes, now);
  await takeUploadSlot(uploader, deps, now);
  await deps.storage.put(key, file.bytes, contentType);
  return { key };
}

/** Which unit uploaded a document key (whose office may follow it), or an error for anything that is not one. */
export function documentUploader(key: string): string {
  const ref = parseDocumentKey(key);
  if (!ref) throw new InputError('Đường dẫn theo dõi văn bản không hợp lệ', ['Hãy tải văn bản lên lại từ trang Chỉ thị.']);
  return ref.uploaderId;
}

/** What became of an uploaded document: still being read, or the document function's outcome. */
export async function documentUploadState(key: string, deps: { drafts: DraftStore }): Promise<{ state: 'processing' } | ({ state: 'done' } & DocumentUploadOutcome)> {
  const outcome = await deps.drafts.documentUpload(key);
  return outcome ? { state: 'done', ...outcome } : { state: 'processing' };
}

export interface OfficeDirective {
  directive: Directive;
  issuer: Unit;
}

/** Directives of the year whose issuer the person may see (`visible`: the authorization policy), newest first. */
export async function directivesVisible(year: number, visible: (issuer: Unit) => boolean, deps: { directives: DirectiveStore; units: UnitDirectory }): Promise<OfficeDirective[]> {
  const directives = await deps.directives.directivesOfYear(year);
  const issuers = await deps.units.getUnits([...new Set(directives.map((d) => d.issuerId))]);
  return directives
    .flatMap((directive) => {
      const issuer = issuers.get(directive.issuerId);
      return issuer && visible(issuer) ? [{ directive, issuer }] : [];
    })
    .sort((a, b) => (b.directive.issuedOn ?? '').localeCompare(a.directive.issuedOn ?? '') || a.directive.id.localeCompare(b.directive.id));
}

/** The office's drafts still to complete, newest first. */
export async function openDrafts(unitId: string, deps: { drafts: DraftStore }): Promise<DirectiveDraft[]> {
  return (await deps.drafts.draftsOf(unitId)).filter((d) => d.status === 'draft').sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export interface OverdueUnits {
  directive: Directive;
  periodId: string;
  periodLabel: string;
  units: { unitId: string; dueDate: string; daysOverdue: number }[];
}

/**
 * Units still owing a report after their own due date (an extension moves it), per directive the unit issued and
 * period: the status counts first, so only periods with open obligations past their deadline are read unit by unit.
 */
export async function overdueUnits(
  issuerId: string,
  years: readonly number[],
  deps: { directives: DirectiveStore; status: DirectiveStatusReader; obligations: ObligationIndex; calendar: CalendarSource; clock: Clock },
): Promise<OverdueUnits[]> {
  const today = vietnamDate(deps.clock.now());
  const out: OverdueUnits[] = [];
  for (const year of years) {
    for (const directive of await deps.directives.directivesOfYear(year)) {
      if (directive.issuerId !== issuerId || directive.status !== 'issued') continue;
      const status = await directiveStatus(directive.id, deps);
      for (const period of status.periods) {
        if (period.due >= today || !period.obligations.open) continue;
        const open = await deps.obligations.openObligationsOfPeriod(directive, period.id);
        const late = open.filter((o) => o.dueDate < today).map((o) => ({ unitId: o.unitId, dueDate: o.dueDate, daysOverdue: Math.round((Date.parse(today) - Date.parse(o.dueDate)) / 86_400_000) }));
        if (late.length) out.push({ directive, periodId: period.id, periodLabel: period.label, units: late });
      }
    }
  }
  return out;
}

/** Grids larger than this are filled through the workbook only (a page of 300 rows is already long on a phone). */
export const MAX_GRID_UNITS = 300;

/** The units a directive's scope names under its issuer, in the directory's order (at most `max`). */
export async function unitsInScope(issuer: Unit, scope: TargetUnits | null, deps: { units: UnitDirectory }, max = 5_000): Promise<Unit[]> {
  if (!scope) return [];
  if (scope.scope === 'children') return collect(deps.units.childrenOf(issuer.id), max);
  if (scope.scope === 'level') return collect(deps.units.descendantsAt(issuer, scope.level), max);
  const found = await deps.units.getUnits(scope.unitIds.slice(0, max));
  return scope.unitIds.flatMap((id) => {
    const u = found.get(id);
    return u && u.path.includes(issuer.id) && u.id !== issuer.id ? [u] : [];
  });
}

const targetsIndicators = (state: DirectiveFormState): TargetsIndicator[] =>
  state.indicators.map((i) => ({ id: i.id, name: i.name ?? i.id, measure: i.measure, kind: i.kind, target: i.target }));

/** The workbook of per-unit targets for the form as it stands: its target units × its indicators. */
export async function targetsWorkbookFor(issuer: Unit, state: DirectiveFormState, deps: { units: UnitDirectory }): Promise<Uint8Array> {
  if (!state.indicators.length) throw new InputError('Chưa có chỉ tiêu nào để giao mục tiêu riêng', ['Nhập ít nhất một chỉ tiêu vào biểu mẫu trước.']);
  const units = await unitsInScope(issuer, state.targetUnits, deps);
  if (!units.length) throw new InputError('Chưa xác định đơn vị nhận chỉ tiêu', ['Chọn phạm vi giao chỉ tiêu trong biểu mẫu trước.']);
  return buildTargetsWorkbook({ title: state.title ?? state.number ?? 'chỉ thị', indicators: targetsIndicators(state), units, unitTargets: state.unitTargets });
}

export type TargetsReader = (bytes: Uint8Array, expected: { indicators: TargetsIndicator[]; units: { id: string; name: string }[] }) => Promise<TargetsReadResult>;

/**
 * A filled targets workbook → the form's per-unit targets, replaced whole. Any problem and nothing is taken: the
 * error lists every cell. Nothing is stored: the office confirms the form as usual.
 */
export async function importTargetsWorkbook(issuer: Unit, state: DirectiveFormState, bytes: Uint8Array, deps: { units: UnitDirectory; read: TargetsReader }): Promise<DirectiveFormState> {
  const units = await unitsInScope(issuer, state.targetUnits, deps);
  if (!units.length) throw new InputError('Chưa xác định đơn vị nhận chỉ tiêu', ['Chọn phạm vi giao chỉ tiêu trong biểu mẫu trước khi nhập tệp mục tiêu.']);
  const read = await deps.read(bytes, { indicators: targetsIndicators(state), units: units.map((u) => ({ id: u.id, name: u.name })) });
  if (!read.ok) throw new InputError(`Tệp mục tiêu có ${read.problems.length} lỗi; chưa nhập gì, hãy sửa rồi tải lên lại`, read.problems);
  return { ...state, unitTargets: read.unitTargets };
}

/** Confirms a draft from the form: the CLI's `thidua directive draft confirm`, with the form's fields as its edits. */
export async function confirmDraftForm(draft: DirectiveDraft, state: DirectiveFormState, deps: DirectiveDeps & { drafts: DraftStore; clock: Clock }): Promise<ConfirmOutcome> {
  const proposal = draft.proposal.directive;
  return confirmDraft(draft.draftId, draftEditsOf(state, { id: proposal.id, indicatorIds: proposal.indicators.map((i) => i.id) }), deps);
}

/** Issues a directive written from an empty form: `thidua directive issue` with the form as its file. */
export async function issueFromForm(issuer: Unit, state: DirectiveFormState, deps: DirectiveDeps): Promise<IssueOutcome> {
  return issueDirective(directiveInputOf(state, issuer), deps);
}

/** A new version of an issued directive from its form, with the reason the office gave (kept in the audit trail). */
export async function amendFromForm(current: Directive, state: DirectiveFormState, reason: string, deps: DirectiveDeps): Promise<IssueOutcome> {
  requireReason(reason, 'điều chỉnh');
  const input = directiveInputOf({ ...state, id: current.id }, { id: current.issuerId, name: current.issuerName });
  return amendDirective(input, deps);
}

export async function withdrawWithReason(directiveId: string, reason: string, deps: DirectiveDeps): Promise<IssueOutcome> {
  requireReason(reason, 'thu hồi');
  return withdrawDirective(directiveId, reason, deps);
}

/** Gia hạn for one unit or every unit still owing the period's report, with the office's reason. */
export async function extendWithReason(
  args: { directiveId: string; periodId: string; unitId?: string; until: string; reason: string },
  deps: { obligations: ObligationIndex; assignments: AssignmentStore; directives: DirectiveStore; calendar: CalendarSource },
): Promise<{ extended: number; until: string }> {
  requireReason(args.reason, 'gia hạn');
  if (!args.periodId) throw new InputError('Chưa chọn kỳ báo cáo cần gia hạn');
  return extendDeadline({ directiveId: args.directiveId, periodId: args.periodId, until: args.until, ...(args.unitId ? { unitId: args.unitId } : {}) }, deps);
}

function requireReason(reason: string, what: string): void {
  if (!reason.trim()) throw new InputError(`Cần ghi lý do ${what}`, [`Nhập lý do vào ô “Lý do” rồi bấm lại.`]);
}
