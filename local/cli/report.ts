import { ENV } from '../../shared/contract/catalog.ts';
import { repository, uploadSecret } from '../../shared/adapters/wiring.ts';
import { InputError } from '../../shared/domain/errors.ts';
import { currentClock } from '../../shared/adapters/clock.ts';
import { openUpload, reportTemplate, uploadLink } from '../../shared/app/uploads.ts';
import type { Session } from './connect.ts';

interface Ref {
  directiveId: string;
  periodId: string;
  unitId: string;
}

export interface UploadOutcome {
  key: string;
  status: 'accepted' | 'rejected' | 'pending';
  problems: { messageVi: string }[];
  onTime?: boolean;
}

async function link(ref: Ref): Promise<{ base: string; token: string }> {
  const base = process.env[ENV.uploadBaseUrl];
  if (!base) throw new Error('No upload page configured (UPLOAD_BASE_URL)');
  const [obligation] = await repository().getObligations([ref]);
  if (!obligation) throw new InputError(`Không tìm thấy nghĩa vụ báo cáo kỳ ${ref.periodId} của đơn vị "${ref.unitId}" theo chỉ thị "${ref.directiveId}"`);
  const url = new URL(uploadLink(obligation, base, await uploadSecret()));
  return { base: `${url.origin}${url.pathname}`, token: url.searchParams.get('t') ?? '' };
}

/** Uploads as the page does: a presigned URL from the upload function, a PUT to S3, then the processor's verdict. */
export async function uploadReport(ref: Ref, file: { name: string; bytes: Uint8Array }, session: Session): Promise<UploadOutcome> {
  const { base, token } = await link(ref);
  const presign = await fetch(new URL('presign', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ t: token, fileName: file.name, size: file.bytes.length }) });
  const p = (await presign.json()) as { url: string; key: string; headers: Record<string, string>; error?: string; details?: string[] };
  if (!presign.ok) throw new InputError(p.error ?? `Không tải lên được (${presign.status})`, p.details ?? []);
  const put = await fetch(p.url, { method: 'PUT', headers: p.headers, body: file.bytes });
  if (!put.ok) throw new Error(`S3 refused the upload: ${put.status} ${await put.text()}`);
  await session.settle();
  const reports = await repository().reportsOf(ref);
  const mine = reports.filter((r) => r.reportKey === p.key).at(-1);
  if (!mine) return { key: p.key, status: 'pending', problems: [] };
  return { key: p.key, status: mine.status, problems: (mine.problems ?? []) as { messageVi: string }[], ...(mine.onTime !== undefined ? { onTime: mine.onTime } : {}) };
}

export function describeUpload(r: UploadOutcome): string {
  if (r.status === 'accepted') return `Báo cáo đã được chấp nhận${r.onTime === false ? ' (nộp muộn)' : ''}. Biên nhận đã gửi qua email.\n  Tệp lưu tại: ${r.key}`;
  if (r.status === 'pending') return `Đã tải lên (${r.key}); hệ thống đang kiểm tra, kết quả sẽ gửi qua email.`;
  return [`Báo cáo chưa hợp lệ (${r.problems.length} lỗi), đã gửi danh sách lỗi qua email:`, ...r.problems.map((p, i) => `  ${i + 1}. ${p.messageVi}`)].join('\n');
}

export async function templateFor(ref: Ref): Promise<Uint8Array> {
  const { token } = await link(ref);
  const repo = repository();
  const ctx = await openUpload(token, { secret: await uploadSecret(), obligations: repo, directives: repo, units: repo, clock: currentClock() });
  return reportTemplate(ctx, { units: repo, assignments: repo, villageTargets: repo });
}
