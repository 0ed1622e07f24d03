import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError } from '../../shared/domain/errors.ts';
import { formatDateVi } from '../../shared/domain/calendar/index.ts';
import { CADENCE_VI } from '../../shared/domain/directive.ts';
import { extractDocument, readDocumentFile, type ExtractedDocument } from '../../shared/domain/document/index.ts';
import { EXIT, UsageError, type Out } from './output.ts';

const FORMAT_VI = { pdf: 'PDF', docx: 'Word (.docx)', text: 'văn bản thuần' } as const;
const ENCODING_VI: Record<string, string> = { tcvn3: 'bảng mã TCVN3 (ABC), đã chuyển sang Unicode', vni: 'bảng mã VNI, đã chuyển sang Unicode', 'windows-1258': 'bảng mã Windows-1258' };
const UNREAD = '(không đọc được)';

const shorten = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`);
const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The document as an officer reads it: what was found, and plainly where nothing could be read. */
export function describeExtracted(d: ExtractedDocument, source: string): string {
  const heading = [d.kind ? capitalised(d.kind) : 'Văn bản (không rõ loại)', d.number ? `số ${d.number}` : 'không rõ số'].join(' ');
  const issued = [d.issuedOn ? `ngày ${formatDateVi(d.issuedOn)}` : 'không rõ ngày', d.place].filter(Boolean).join(', ');
  const lines = [
    `${heading} – ${issued}`,
    `  Cơ quan ban hành: ${d.issuer ?? UNREAD}`,
    `  Trích yếu: ${d.subject ? shorten(d.subject, 200) : UNREAD}`,
    `  Nơi nhận: ${d.recipients.length ? d.recipients.join('; ') : UNREAD}`,
    `  Người ký: ${[d.signer.name, d.signer.title && `(${d.signer.title})`].filter(Boolean).join(' ') || UNREAD}`,
    `  Văn bản được dẫn (${d.references.length}):`,
    ...d.references.map((r) => `    ${[r.kind ? capitalised(r.kind) : null, r.number, r.date ? `ngày ${formatDateVi(r.date)}` : null].filter(Boolean).join(' ')}`),
    `  Nhiệm vụ (${d.items.length}):`,
    ...d.items.map((i) => `    ${i.label}. ${shorten(i.text, 110)}`),
    `  Chế độ báo cáo: ${
      d.reporting
        ? `${d.reporting.cadences.length ? d.reporting.cadences.map((c) => CADENCE_VI[c]).join(', ') : 'định kỳ (không rõ kỳ)'}${d.reporting.to ? `; gửi ${d.reporting.to}` : ''}`
        : 'không thấy quy định'
    }`,
  ];
  if (d.targets.length) lines.push(`  Nhóm chỉ tiêu (${d.targets.length}):`, ...d.targets.map((t) => `    ${t.label} ${shorten(t.text, 110)}`));
  lines.push(`Đọc từ: ${source}`);
  return lines.join('\n');
}

/** `thidua extract FILE [--json]`: reads an official document and prints what it says. Pure: no stack, no AWS. */
export async function runExtract(path: string | undefined, out: Out): Promise<number> {
  if (!path) throw new UsageError('Thiếu tệp văn bản: thidua extract TỆP [--json]');
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`Không tìm thấy tệp "${path}"`);
    throw new InputError(`Không đọc được tệp "${path}"`, [code === 'EISDIR' ? 'đây là thư mục, không phải tệp' : (e as Error).message]);
  }
  const read = await readDocumentFile(bytes, { fileName: basename(path) });
  if (!read.ok) throw new InputError(read.messageVi, read.adviceVi ? [read.adviceVi] : []);
  const doc = extractDocument(read.text);
  const source = [
    `${basename(path)} (${FORMAT_VI[read.format]}`,
    read.pages !== undefined ? `, ${read.pages} trang` : '',
    ENCODING_VI[read.encoding] ? `, ${ENCODING_VI[read.encoding]}` : '',
    ')',
  ].join('');
  out.result(doc, () => describeExtracted(doc, source));
  return EXIT.ok;
}
