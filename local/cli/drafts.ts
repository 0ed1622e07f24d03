/** `thidua directive draft upload|list|show|confirm`: from a directive document to an issued directive. */
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { aws, requireEnv } from '../../shared/adapters/aws.ts';
import { ENV } from '../../shared/contract/catalog.ts';
import { documentKey, safeFileName } from '../../shared/contract/bucket.ts';
import { draftStore, repository } from '../../shared/adapters/wiring.ts';
import { InputError } from '../../shared/domain/errors.ts';
import type { DocumentUploadOutcome } from '../../shared/app/ports.ts';
import type { DirectiveDraft } from '../../shared/domain/document/index.ts';
import { currentDirective, describeDraft } from '../../shared/mail/document-email.ts';
import { textTable } from '../../shared/mail/html.ts';
import type { Session } from './connect.ts';

const CONTENT_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  txt: 'text/plain; charset=utf-8',
};

export type DocumentUploadResult = { key: string } & (DocumentUploadOutcome | { outcome: 'pending' });

/** Puts the document under documents/<unit>/ and waits for the document function's verdict. */
export async function uploadDocument(file: { path: string; bytes: Uint8Array }, unitId: string, session: Session, onWait?: () => void): Promise<DocumentUploadResult> {
  const unit = (await repository().getUnits([unitId])).get(unitId);
  if (!unit) throw new InputError(`Không tìm thấy đơn vị "${unitId}"`, ['--unit: mã đơn vị tải văn bản lên (đơn vị ban hành hoặc chuyển tiếp chỉ thị)']);
  const fileName = safeFileName(basename(file.path));
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const key = documentKey({ uploaderId: unit.id, uploadId: `${stamp}-${randomUUID().slice(0, 8)}`, fileName });
  const ext = fileName.split('.').pop()?.toLowerCase() ?? '';
  await aws().s3.send(
    new PutObjectCommand({ Bucket: requireEnv(ENV.reportsBucket), Key: key, Body: file.bytes, ContentType: CONTENT_TYPES[ext] ?? 'application/octet-stream' }),
  );
  onWait?.();
  const drafts = draftStore();
  if (session.embedded) await session.settle();
  // On AWS the notification and the function take a few seconds; poll for the verdict with a deadline.
  const deadline = Date.now() + (session.embedded ? 0 : 90_000);
  for (;;) {
    const outcome = await drafts.documentUpload(key);
    if (outcome) return { key, ...outcome };
    if (Date.now() >= deadline) return { key, outcome: 'pending' };
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

export function describeUploadResult(r: DocumentUploadResult, draft?: DirectiveDraft): string {
  switch (r.outcome) {
    case 'drafted':
      return [`Đã đọc văn bản và lập bản nháp ${r.draftId}.`, ...(draft ? ['', describeDraftText(draft)] : [])].join('\n');
    case 'duplicate': {
      const how = r.sameAs === 'bytes' ? 'tệp giống hệt' : r.sameAs === 'identity' ? 'cùng số, ký hiệu và ngày ban hành' : 'nội dung trùng khớp';
      return `Văn bản này đã được tải lên trước đó (${how}): không lập bản nháp mới. Bản nháp: ${r.draftId}\n  Xem: thidua directive draft show ${r.draftId}`;
    }
    case 'rejected':
      return `Không đọc được văn bản: ${r.messageVi}`;
    case 'pending':
      return `Đã tải lên (${r.key}); hệ thống đang đọc văn bản, kết quả sẽ gửi qua email.`;
  }
}

export function describeDraftText(draft: DirectiveDraft, unitNames?: ReadonlyMap<string, string>): string {
  const view = describeDraft(draft, unitNames);
  const width = Math.max(...view.rows.map(([label]) => label.length));
  const lines = view.rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
  const sources = draft.sources.map((s) => `  - ${s.fileName} (${s.format}${s.sameAs ? `, nhận ra là cùng văn bản: ${s.sameAs === 'text' ? `nội dung trùng ${Math.round((s.similarity ?? 0) * 100)}%` : s.sameAs === 'bytes' ? 'tệp giống hệt' : 'cùng số và ngày'}` : ''})`);
  const named = draft.proposal.units.filter((u) => u.unitId);
  return [
    ...lines,
    '',
    `Tệp nguồn (${draft.sources.length}):`,
    ...sources,
    ...(named.length ? ['', 'Đơn vị được nêu trong văn bản:', ...named.map((u) => `  - “${u.mention}” → ${u.unitName} (${u.unitId})`)] : []),
    ...(view.indicators.length ? ['', 'Chỉ tiêu đề xuất:', textTable(['Nhóm', 'Chỉ tiêu', 'Cách đo', 'Mục tiêu', 'Mã'], view.indicators)] : []),
    '',
    ...(view.missing.length ? [`Cần bổ sung (${view.missing.length}):`, ...view.missing.map((m) => `  - ${m}`)] : draft.status === 'confirmed' ? [] : ['Đủ thông tin để xác nhận.']),
    ...(view.review.length ? ['', 'Cần kiểm tra lại:', ...view.review.map((m) => `  - ${m}`)] : []),
    '',
    draft.status === 'confirmed'
      ? `Đã xác nhận: thidua directive show ${draft.directiveId}`
      : `Bổ sung vào một tệp JSON (ví dụ {"number": "…", "indicators": [{"id": "ho-ngheo", "target": 3}]}) rồi: thidua directive draft confirm ${draft.draftId} --file bo-sung.json`,
  ].join('\n');
}

export function describeDraftList(drafts: readonly DirectiveDraft[]): string {
  if (!drafts.length) return 'Chưa có bản nháp nào.';
  return textTable(
    ['Bản nháp', 'Văn bản', 'Trạng thái', 'Còn thiếu', 'Tệp'],
    drafts.map((d) => [
      d.draftId,
      `${currentDirective(d).kind}${currentDirective(d).number ? ` số ${currentDirective(d).number}` : ''}`,
      d.status === 'confirmed' ? `đã xác nhận (${d.directiveId})` : 'chờ xác nhận',
      d.status === 'confirmed' ? '0' : String(d.proposal.missing.length),
      d.sources.map((s) => s.fileName).join(', '),
    ]),
  );
}
