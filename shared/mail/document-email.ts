import { CADENCE_VI } from '../domain/directive.ts';
import { formatDateVi } from '../domain/calendar/index.ts';
import { LEVEL_NAME_VI } from '../domain/units.ts';
import type { DirectiveDraft, ProposedIndicator } from '../domain/document/draft.ts';
import { esc, layout, table, textTable } from './html.ts';
import type { RenderedMail } from './assignment-email.ts';

const timeVi = (iso: string) =>
  new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date(iso));

const KIND_VI: Record<string, string> = { percent: 'tỷ lệ', number: 'số', count: 'số lượng', 'yes-no': 'có/không' };

function targetText(ind: ProposedIndicator): string {
  if (ind.target === null) return 'cần nhập';
  if (typeof ind.target === 'boolean') return ind.target ? 'Có' : 'Không';
  return `${new Intl.NumberFormat('vi-VN').format(ind.target)} ${ind.measure ?? ''}`.trim();
}

/** What the draft says, as label/value rows: the same words in the email and in `thidua directive draft show`. */
export function describeDraft(draft: DirectiveDraft, unitNames: ReadonlyMap<string, string> = new Map()): { rows: [string, string][]; indicators: string[][]; missing: string[]; review: string[] } {
  // Once confirmed, what was issued; before, what the document gave.
  const d = currentDirective(draft);
  const scope = d.targetUnits;
  const units =
    scope === null
      ? 'chưa xác định'
      : scope.scope === 'children'
        ? `các đơn vị trực thuộc ${d.issuerName}`
        : scope.scope === 'level'
          ? `mọi đơn vị cấp ${LEVEL_NAME_VI[scope.level]} thuộc ${d.issuerName}`
          : scope.unitIds.map((id) => unitNames.get(id) ?? id).join(', ');
  const deadline = d.deadline.kind === 'dayOfMonth' ? `ngày ${d.deadline.day} của tháng hạn nộp` : `${d.deadline.days} ngày làm việc sau ngày chốt số liệu`;
  const rows: [string, string][] = [
    ['Bản nháp', `${draft.draftId}${draft.status === 'confirmed' ? ` (đã xác nhận thành chỉ thị ${draft.directiveId})` : ''}`],
    ['Loại văn bản', d.kind],
    ['Số, ký hiệu', d.number ?? 'chưa đọc được'],
    ['Ngày ban hành', d.issuedOn ? formatDateVi(d.issuedOn) : 'chưa đọc được'],
    ['Đơn vị ban hành', `${d.issuerName} (mã ${d.issuerId})`],
    ['Trích yếu', d.title ?? 'chưa có'],
    ['Năm thực hiện', d.year ? String(d.year) : 'chưa xác định'],
    ['Đơn vị nhận chỉ tiêu', units],
    ['Kỳ báo cáo', d.cadences.length ? d.cadences.map((c) => CADENCE_VI[c]).join(', ') : 'chưa xác định'],
    ['Hạn nộp', deadline],
    ...(d.reportTo ? ([['Báo cáo gửi', d.reportTo]] as [string, string][]) : []),
    ['Mã chỉ thị đề xuất', d.id],
  ];
  const indicators = d.indicators.map((i) => [i.group ?? '', i.name, i.kind ? `${KIND_VI[i.kind]}${i.measure ? ` (${i.measure})` : ''}` : 'cần nhập', targetText(i), i.id]);
  const confirmed = draft.status === 'confirmed';
  return { rows, indicators, missing: confirmed ? [] : draft.proposal.missing.map((n) => n.vi), review: confirmed ? [] : draft.proposal.review.map((n) => n.vi) };
}

/** The draft's directive as it stands: the confirmed input over the proposal once the officer confirmed it. */
export function currentDirective(draft: DirectiveDraft): DirectiveDraft['proposal']['directive'] {
  if (draft.status !== 'confirmed' || !draft.confirmedInput) return draft.proposal.directive;
  const input = draft.confirmedInput as Partial<DirectiveDraft['proposal']['directive']>;
  const indicators = (input.indicators ?? []).map((i) => ({ ...i, target: i.target ?? null, recognised: true }));
  return { ...draft.proposal.directive, ...input, indicators } as DirectiveDraft['proposal']['directive'];
}

const INDICATOR_HEADERS = ['Nhóm', 'Chỉ tiêu', 'Cách đo', 'Mục tiêu', 'Mã'];

/** A draft is ready: what was read, what the officer must complete, and how to confirm it. */
export function renderDraftReady(args: { draft: DirectiveDraft; fileName: string; uploaderName: string; receivedAt: string }): RenderedMail {
  const { draft } = args;
  const view = describeDraft(draft);
  const subject = `[thidua] Đã đọc văn bản “${args.fileName}”: bản nháp chỉ thị ${draft.draftId} chờ xác nhận`;
  const intro = `Hệ thống đã đọc văn bản “${args.fileName}” do ${args.uploaderName} tải lên lúc ${timeVi(args.receivedAt)} và lập bản nháp chỉ thị ${draft.draftId}. Chỉ thị chỉ được giao cho các đơn vị sau khi cán bộ kiểm tra và xác nhận.`;
  const missing = view.missing.length ? [`Cần bổ sung trước khi xác nhận (${view.missing.length} mục):`, ...view.missing.map((m) => `- ${m}`)] : ['Bản nháp đã đủ thông tin để xác nhận.'];
  const review = view.review.length ? ['Cần kiểm tra lại:', ...view.review.map((m) => `- ${m}`)] : [];
  const how = `Xem: thidua directive draft show ${draft.draftId} · Bổ sung và xác nhận: thidua directive draft confirm ${draft.draftId} --file bo-sung.json`;
  const list = (lines: string[]) => (lines.length ? `<p>${esc(lines[0])}</p><ul>${lines.slice(1).map((l) => `<li>${esc(l.slice(2))}</li>`).join('')}</ul>` : '');
  return {
    subject,
    html: layout(
      subject,
      [
        `<p>Kính gửi: ${esc(args.uploaderName)}</p>`,
        `<p>${esc(intro)}</p>`,
        table(['Mục', 'Nội dung đọc được'], view.rows),
        view.indicators.length ? `<h3 style="font-size:15px;">Chỉ tiêu đề xuất</h3>${table(INDICATOR_HEADERS, view.indicators)}` : '',
        missing.length > 1 ? list(missing) : `<p>${esc(missing[0])}</p>`,
        list(review),
        `<p style="font-size:13px;color:#52606d;">${esc(how)}</p>`,
      ].join('\n'),
    ),
    text: [
      `Kính gửi: ${args.uploaderName}`,
      '',
      intro,
      '',
      textTable(['Mục', 'Nội dung đọc được'], view.rows),
      '',
      ...(view.indicators.length ? ['Chỉ tiêu đề xuất:', textTable(INDICATOR_HEADERS, view.indicators), ''] : []),
      ...missing,
      '',
      ...review,
      '',
      how,
    ].join('\n'),
  };
}

/** The same document again (the same file, or its scan next to its PDF): no second draft. */
export function renderDocumentDuplicate(args: { draft: DirectiveDraft; fileName: string; uploaderName: string; sameAs: 'bytes' | 'identity' | 'text'; similarity?: number }): RenderedMail {
  const first = args.draft.sources[0];
  const how =
    args.sameAs === 'bytes'
      ? 'tệp giống hệt tệp đã tải lên'
      : args.sameAs === 'identity'
        ? `cùng số, ký hiệu và ngày ban hành (${args.draft.proposal.directive.number})`
        : `nội dung trùng khớp khoảng ${Math.round((args.similarity ?? 0) * 100)}% với văn bản đã tải lên`;
  const subject = `[thidua] Văn bản “${args.fileName}” đã có bản nháp ${args.draft.draftId}`;
  const lines = [
    `Văn bản “${args.fileName}” là văn bản đã được tải lên trước đó (${how})${first ? `: tệp “${first.fileName}” lúc ${timeVi(first.receivedAt)}` : ''}.`,
    args.draft.status === 'confirmed'
      ? `Bản nháp ${args.draft.draftId} đã được xác nhận thành chỉ thị ${args.draft.directiveId}; không lập bản nháp mới.`
      : `Không lập bản nháp mới; tệp này được lưu kèm bản nháp ${args.draft.draftId}. Xem: thidua directive draft show ${args.draft.draftId}`,
  ];
  return {
    subject,
    html: layout(subject, [`<p>Kính gửi: ${esc(args.uploaderName)}</p>`, ...lines.map((l) => `<p>${esc(l)}</p>`)].join('\n')),
    text: [`Kính gửi: ${args.uploaderName}`, '', ...lines].join('\n'),
  };
}

/** The file could not be read: why, and what to send instead. Nothing was drafted. */
export function renderDocumentUnreadable(args: { fileName: string; uploaderName: string; messageVi: string; adviceVi?: string }): RenderedMail {
  const subject = `[thidua] Không đọc được văn bản “${args.fileName}”`;
  const lines = [`Hệ thống không đọc được văn bản “${args.fileName}”: ${args.messageVi}`, ...(args.adviceVi ? [`Cách khắc phục: ${args.adviceVi}`] : []), 'Chưa có bản nháp chỉ thị nào được lập từ tệp này.'];
  return {
    subject,
    html: layout(subject, [`<p>Kính gửi: ${esc(args.uploaderName)}</p>`, ...lines.map((l) => `<p>${esc(l)}</p>`)].join('\n')),
    text: [`Kính gửi: ${args.uploaderName}`, '', ...lines].join('\n'),
  };
}
