import { randomUUID } from 'node:crypto';
import type { Obligation } from '../domain/assignment.ts';
import { addDays } from '../domain/calendar/index.ts';
import type { Directive } from '../domain/directive.ts';
import type { Unit } from '../domain/units.ts';
import { signUploadGrant, verifyUploadGrant, type UploadGrant } from '../domain/upload-token.ts';
import { buildReportTemplate } from '../domain/report/index.ts';
import { reportKey, templateKey } from '../adapters/s3.ts';
import { InputError } from './errors.ts';
import type { AssignmentStore, Clock, DirectiveStore, ObligationIndex, ReportStorage, UnitDirectory } from './ports.ts';

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
}

export interface UploadContext {
  grant: UploadGrant;
  obligation: Obligation;
  directive: Directive;
  unit: Unit;
}

export function uploadLink(obligation: Pick<Obligation, 'directiveId' | 'periodId' | 'unitId' | 'dueDate'>, baseUrl: string, secret: string): string {
  const exp = Math.floor(new Date(`${addDays(obligation.dueDate, LINK_VALID_AFTER_DUE_DAYS)}T23:59:59+07:00`).getTime() / 1000);
  const token = signUploadGrant({ directiveId: obligation.directiveId, periodId: obligation.periodId, unitId: obligation.unitId, exp }, secret);
  return `${baseUrl.replace(/\/?$/, '/')}?t=${encodeURIComponent(token)}`;
}

/** What a link grants, checked against what is stored: a link for a withdrawn or unknown report opens nothing. */
export async function openUpload(token: string, deps: Pick<UploadDeps, 'secret' | 'obligations' | 'directives' | 'units' | 'clock'>): Promise<UploadContext> {
  const verified = verifyUploadGrant(token, deps.secret, deps.clock.now());
  if (!verified.ok) {
    throw new InputError(
      verified.reason === 'expired' ? 'Đường dẫn nộp báo cáo đã hết hạn' : 'Đường dẫn nộp báo cáo không hợp lệ',
      ['Hãy dùng đường dẫn trong thư đề nghị hoặc nhắc nộp báo cáo mới nhất của đơn vị.'],
    );
  }
  const { grant } = verified;
  const [obligation] = await deps.obligations.getObligations([grant]);
  const directive = await deps.directives.getDirective(grant.directiveId, { consistent: false });
  const unit = (await deps.units.getUnits([grant.unitId])).get(grant.unitId);
  if (!obligation || !directive || !unit) throw new InputError('Không tìm thấy kỳ báo cáo của đường dẫn này');
  if (obligation.status === 'cancelled') throw new InputError(`Kỳ báo cáo ${obligation.periodLabel} đã bị hủy; không cần nộp báo cáo.`);
  return { grant, obligation, directive, unit };
}

/**
 * A presigned PUT for exactly this unit, directive and period: the key comes from the signed grant, never from the
 * request, so a link for unit A can only ever write under unit A. Each upload gets a fresh key: nothing is overwritten.
 */
export async function presignUpload(token: string, file: { name: string; size: number }, deps: UploadDeps): Promise<{ method: 'PUT'; url: string; key: string; headers: Record<string, string> }> {
  const ctx = await openUpload(token, deps);
  const ext = /\.([a-z0-9]{1,5})$/i.exec(file.name)?.[1]?.toLowerCase() ?? '';
  if (!CONTENT_TYPES[ext]) throw new InputError(`Tệp "${file.name}" không đúng loại`, ['Nộp tệp .xlsx (mẫu báo cáo), .csv hoặc .json']);
  if (!Number.isInteger(file.size) || file.size <= 0) throw new InputError('Tệp rỗng', ['Chọn tệp báo cáo đã điền số liệu']);
  if (file.size > deps.maxBytes) throw new InputError(`Tệp quá lớn (${(file.size / 1048576).toFixed(1)} MB)`, [`Giới hạn là ${(deps.maxBytes / 1048576).toFixed(0)} MB cho mỗi báo cáo`]);
  const uploadId = `${deps.clock.now().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomUUID().slice(0, 8)}`;
  const key = reportKey({ ...ctx.grant, uploadId, ext });
  const contentType = CONTENT_TYPES[ext] as string;
  const url = await deps.storage.presignPut(key, { contentType, contentLength: file.size, expiresInSeconds: PRESIGNED_URL_SECONDS });
  return { method: 'PUT', url, key, headers: { 'content-type': contentType } };
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

/** The unit's blank report for the period: one row per village (or the unit itself), targets pre-filled. */
export async function reportTemplate(ctx: Pick<UploadContext, 'obligation' | 'directive' | 'unit'>, deps: Pick<UploadDeps, 'units' | 'assignments'>): Promise<Uint8Array> {
  const villages = await collect(deps.units.childrenOf(ctx.unit.id));
  const targets = (await deps.assignments.getAssignments(ctx.directive.id, [ctx.unit.id])).get(ctx.unit.id)?.targets ?? {};
  const o = ctx.obligation;
  return buildReportTemplate({
    directive: ctx.directive,
    unit: { id: ctx.unit.id, name: ctx.unit.name },
    period: { id: o.periodId, label: o.periodLabel, start: o.periodStart, end: o.periodEnd, due: o.dueDate },
    rows: (villages.length ? villages : [ctx.unit]).map((u) => ({ unitId: u.id, name: u.name })),
    targets,
  });
}

/** The template stored where the mail sender can attach it (a message cannot carry it). */
export async function storeTemplate(ctx: Pick<UploadContext, 'obligation' | 'directive' | 'unit'>, deps: Pick<UploadDeps, 'units' | 'assignments' | 'storage'>): Promise<string> {
  const key = templateKey(ctx.directive.id, ctx.obligation.periodId, ctx.unit.id);
  await deps.storage.put(key, await reportTemplate(ctx, deps), CONTENT_TYPES.xlsx as string);
  return key;
}

export const XLSX_CONTENT_TYPE = CONTENT_TYPES.xlsx as string;
