import { randomUUID } from 'node:crypto';
import type { Obligation } from '../domain/assignment.ts';
import { addDays, formatDateVi, vietnamDate } from '../domain/calendar/index.ts';
import type { Directive } from '../domain/directive.ts';
import type { Unit } from '../domain/units.ts';
import { signUploadGrant, verifyUploadGrant, type UploadGrant } from '../domain/upload-token.ts';
import { buildReportTemplate } from '../domain/report/index.ts';
import { parseReportKey, reportKey, templateKey } from '../contract/bucket.ts';
import { InputError } from '../domain/errors.ts';
import { isApproved, lockedNoticeVi } from '../domain/approval.ts';
import type { AssignmentStore, Clock, DirectiveStore, ObligationIndex, ReportLog, ReportStorage, UnitDirectory, RateCounter, VillageTargetStore } from './ports.ts';

/** A link stays valid until 60 days after the deadline: late reports and corrections still have a way in. */
const LINK_VALID_AFTER_DUE_DAYS = 60;
const PRESIGNED_URL_SECONDS = 15 * 60;

const CONTENT_TYPES: Record<string, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv',
  json: 'application/json',
};

export interface UploadDeps {
  secret: string;
  obligations: ObligationIndex;
  directives: DirectiveStore;
  units: UnitDirectory;
  assignments: AssignmentStore;
  storage: ReportStorage;
  clock: Clock;
  maxBytes: number;
  /** Presigned uploads per report and clock hour; one link must not flood a unit's inbox or the SES quota. */
  quota: RateCounter;
  maxUploadsPerHour: number;
  /** Villages' targets split by their communes, shown in the template's village rows. */
  villageTargets?: VillageTargetStore;
}

/** Which report: a unit's, for one period of one directive. */
export interface ReportRef {
  directiveId: string;
  periodId: string;
  unitId: string;
}

export interface UploadContext {
  grant: UploadGrant;
  /** The link's token in its one canonical form: the only form a page may echo. */
  token: string;
  obligation: Obligation;
  directive: Directive;
  unit: Unit;
}

/** Why a link opens nothing: the upload page answers each with its own status and a Vietnamese page. */
export type LinkRefusal = 'invalid' | 'expired' | 'not-found' | 'withdrawn' | 'cancelled';

export class LinkRefused extends InputError {
  constructor(
    readonly reason: LinkRefusal,
    messageVi: string,
    details: string[] = [],
  ) {
    super(messageVi, details);
    this.name = 'LinkRefused';
  }
}

/** Too many uploads for one report this hour: `retryAt` is when the next hour starts. */
export class UploadQuotaExceeded extends InputError {
  constructor(
    readonly retryAt: Date,
    messageVi: string,
    details: string[] = [],
  ) {
    super(messageVi, details);
    this.name = 'UploadQuotaExceeded';
  }
}

/** The level above approved the report: no new file until it returns it (the upload answers 409). */
export class ReportLocked extends InputError {
  constructor(messageVi: string, details: string[] = []) {
    super(messageVi, details);
    this.name = 'ReportLocked';
  }
}

/** Default presigned uploads per report and clock hour: an officer correcting a file a few times never meets it. */
export const DEFAULT_MAX_UPLOADS_PER_HOUR = 10;

export function uploadLink(obligation: Pick<Obligation, 'directiveId' | 'periodId' | 'unitId' | 'dueDate'>, baseUrl: string, secret: string): string {
  const exp = Math.floor(new Date(`${addDays(obligation.dueDate, LINK_VALID_AFTER_DUE_DAYS)}T23:59:59+07:00`).getTime() / 1000);
  const token = signUploadGrant({ directiveId: obligation.directiveId, periodId: obligation.periodId, unitId: obligation.unitId, exp }, secret);
  return `${baseUrl.replace(/\/?$/, '/')}?t=${encodeURIComponent(token)}`;
}

/** "Chỉ thị số 23-CT/TU đã được thu hồi ngày 02/04/2027 (lý do: …)": what a withdrawn directive's link and upload say. */
export function withdrawnNoticeVi(directive: Pick<Directive, 'kind' | 'number' | 'updatedAt' | 'withdrawnReason'>): string {
  const reason = directive.withdrawnReason ? ` (lý do: ${directive.withdrawnReason})` : '';
  const kind = directive.kind ? directive.kind.charAt(0).toUpperCase() + directive.kind.slice(1) : 'Chỉ thị';
  return `${kind} số ${directive.number} đã được thu hồi ngày ${formatDateVi(vietnamDate(new Date(directive.updatedAt)))}${reason}; không cần nộp báo cáo theo văn bản này nữa.`;
}

/**
 * What a link grants, checked against what is stored: a link for a withdrawn directive, a cancelled report or an
 * unknown one opens nothing.
 */
export async function openUpload(token: string, deps: Pick<UploadDeps, 'secret' | 'obligations' | 'directives' | 'units' | 'clock'>): Promise<UploadContext> {
  const verified = verifyUploadGrant(token, deps.secret, deps.clock.now());
  if (!verified.ok) {
    throw new LinkRefused(
      verified.reason === 'expired' ? 'expired' : 'invalid',
      verified.reason === 'expired' ? 'Đường dẫn nộp báo cáo đã hết hạn' : 'Đường dẫn nộp báo cáo không hợp lệ',
      ['Hãy dùng đường dẫn trong thư đề nghị hoặc nhắc nộp báo cáo mới nhất của đơn vị.'],
    );
  }
  return { ...(await openReport(verified.grant, deps)), grant: verified.grant, token: verified.token };
}

/** One unit's report of a directive's period, as stored; refused like a link when it is unknown or no longer wanted. */
export async function openReport(ref: ReportRef, deps: Pick<UploadDeps, 'obligations' | 'directives' | 'units'>): Promise<Omit<UploadContext, 'grant' | 'token'>> {
  const [obligation] = await deps.obligations.getObligations([ref]);
  const directive = await deps.directives.getDirective(ref.directiveId, { consistent: false });
  const unit = (await deps.units.getUnits([ref.unitId])).get(ref.unitId);
  if (!obligation || !directive || !unit) throw new LinkRefused('not-found', 'Không tìm thấy kỳ báo cáo này');
  if (directive.status === 'withdrawn') throw new LinkRefused('withdrawn', withdrawnNoticeVi(directive));
  if (obligation.status === 'cancelled') throw new LinkRefused('cancelled', `Kỳ báo cáo ${obligation.periodLabel} đã bị hủy; không cần nộp báo cáo.`);
  return { obligation, directive, unit };
}

/** "15:00 ngày 16/03/2027" in Vietnam's time. */
function timeOfDayVi(at: Date): string {
  const hm = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  return `${hm} ngày ${formatDateVi(vietnamDate(at))}`;
}

/**
 * A presigned PUT for exactly this unit, directive and period: the key comes from the signed grant, never from the
 * request, so a link for unit A can only ever write under unit A. Each upload gets a fresh key, and the URL may
 * create it once (`If-None-Match: *`): nothing is overwritten, and one URL is one upload. At most
 * `maxUploadsPerHour` uploads per report and clock hour (counted before presigning).
 */
export async function presignUpload(token: string, file: { name: string; size: number }, deps: UploadDeps): Promise<PresignedUpload> {
  const ctx = await openUpload(token, deps);
  refuseIfLocked(ctx.obligation);
  return presignReportFile(ctx.grant, file, deps);
}

/** An approved report is locked: a new file needs the level above to return it first (the link and the console alike). */
export function refuseIfLocked(obligation: Obligation): void {
  if (isApproved(obligation)) throw new ReportLocked(lockedNoticeVi(obligation), [`Người duyệt: ${obligation.approval?.by ?? ''}.`]);
}

export interface PresignedUpload {
  method: 'PUT';
  url: string;
  key: string;
  headers: Record<string, string>;
}

/**
 * The presigned PUT of one file for a report already opened (by a signed link, or by a signed-in officer the console
 * authorized): the file checked, the report's hourly quota taken, a fresh key under the report's own prefix.
 */
export async function presignReportFile(ref: ReportRef, file: { name: string; size: number }, deps: Pick<UploadDeps, 'storage' | 'clock' | 'maxBytes' | 'quota' | 'maxUploadsPerHour'>): Promise<PresignedUpload> {
  const ext = /\.([a-z0-9]{1,5})$/i.exec(file.name)?.[1]?.toLowerCase() ?? '';
  if (!CONTENT_TYPES[ext]) throw new InputError(`Tệp "${file.name}" không đúng loại`, ['Nộp tệp .xlsx (mẫu báo cáo), .csv hoặc .json']);
  if (!Number.isInteger(file.size) || file.size <= 0) throw new InputError('Tệp rỗng', ['Chọn tệp báo cáo đã điền số liệu']);
  if (file.size > deps.maxBytes) throw new InputError(`Tệp quá lớn (${(file.size / 1048576).toFixed(1)} MB)`, [`Giới hạn là ${(deps.maxBytes / 1048576).toFixed(0)} MB cho mỗi báo cáo`]);
  const now = deps.clock.now();
  const slot = await deps.quota.takeSlot(`upload#${ref.directiveId}#${ref.periodId}#${ref.unitId}`, now, 3600, deps.maxUploadsPerHour);
  if (!slot.ok) {
    throw new UploadQuotaExceeded(slot.retryAt, `Báo cáo này đã có ${deps.maxUploadsPerHour} lần tải lên trong giờ này, mức tối đa cho mỗi giờ`, [
      `Vui lòng thử lại sau ${timeOfDayVi(slot.retryAt)} (giờ Việt Nam). Kết quả kiểm tra các tệp đã tải lên được gửi qua email.`,
    ]);
  }
  const uploadId = `${now.toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomUUID().slice(0, 8)}`;
  const key = reportKey({ directiveId: ref.directiveId, periodId: ref.periodId, unitId: ref.unitId, uploadId, ext });
  const contentType = CONTENT_TYPES[ext] as string;
  const url = await deps.storage.presignPut(key, { contentType, contentLength: file.size, expiresInSeconds: PRESIGNED_URL_SECONDS, createOnly: true });
  return { method: 'PUT', url, key, headers: { 'content-type': contentType, 'if-none-match': '*' } };
}

/** What became of one upload, for the page that made it: still being read, accepted, or rejected with each problem. */
export type UploadVerdict =
  | { state: 'processing' }
  | { state: 'accepted'; onTime: boolean; resubmission: boolean; rows: number; notes: string[] }
  | { state: 'rejected'; problems: string[] };

/** The verdict on an upload of this link (a key under the link's own report only). */
export async function uploadVerdict(ctx: { grant: ReportRef }, key: string, deps: { reports: ReportLog }): Promise<UploadVerdict> {
  const ref = parseReportKey(key);
  const g = ctx.grant;
  if (!ref || ref.directiveId !== g.directiveId || ref.periodId !== g.periodId || ref.unitId !== g.unitId) {
    throw new InputError('Tệp này không thuộc báo cáo của đường dẫn', ['Hãy mở lại đường dẫn trong thư và tải tệp lên từ trang đó.']);
  }
  const record = (await deps.reports.reportsOf(g)).filter((r) => r.reportKey === key).at(-1);
  if (!record) return { state: 'processing' };
  if (record.status === 'accepted') {
    return { state: 'accepted', onTime: record.onTime ?? false, resubmission: record.resubmission ?? false, rows: record.rows?.length ?? 0, notes: record.notes ?? [] };
  }
  return { state: 'rejected', problems: ((record.problems ?? []) as { messageVi?: string }[]).map((p) => String(p.messageVi ?? '')) };
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

/**
 * The unit's blank report for the period: one row per village (or the unit itself), targets pre-filled: the unit's,
 * and each village's when the commune split them (`villageTargets`; without the store, none).
 */
export async function reportTemplate(
  ctx: Pick<UploadContext, 'obligation' | 'directive' | 'unit'>,
  deps: Pick<UploadDeps, 'units' | 'assignments'> & { villageTargets?: VillageTargetStore },
): Promise<Uint8Array> {
  const villages = await collect(deps.units.childrenOf(ctx.unit.id));
  const targets = (await deps.assignments.getAssignments(ctx.directive.id, [ctx.unit.id])).get(ctx.unit.id)?.targets ?? {};
  const split = (await deps.villageTargets?.getVillageTargets(ctx.directive.id, [ctx.unit.id]))?.get(ctx.unit.id)?.targets ?? {};
  const o = ctx.obligation;
  return buildReportTemplate({
    directive: ctx.directive,
    unit: { id: ctx.unit.id, name: ctx.unit.name },
    period: { id: o.periodId, label: o.periodLabel, start: o.periodStart, end: o.periodEnd, due: o.dueDate },
    rows: (villages.length ? villages : [ctx.unit]).map((u) => ({ unitId: u.id, name: u.name, ...(split[u.id] ? { targets: split[u.id] } : {}) })),
    targets,
  });
}

/** The template stored where the mail sender can attach it (a message cannot carry it). */
export async function storeTemplate(ctx: Pick<UploadContext, 'obligation' | 'directive' | 'unit'>, deps: Pick<UploadDeps, 'units' | 'assignments' | 'storage'> & { villageTargets?: VillageTargetStore }): Promise<string> {
  const key = templateKey(ctx.directive.id, ctx.obligation.periodId, ctx.unit.id);
  await deps.storage.put(key, await reportTemplate(ctx, deps), CONTENT_TYPES.xlsx as string);
  return key;
}

export const XLSX_CONTENT_TYPE = CONTENT_TYPES.xlsx as string;
