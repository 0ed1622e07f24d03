import type { Directive, TargetValue } from '../domain/directive.ts';
import { formatDateVi } from '../domain/calendar/index.ts';
import type { Obligation } from '../domain/assignment.ts';
import { esc, layout, table, textTable } from './html.ts';
import type { RenderedMail } from './assignment-email.ts';
import { formatTarget } from './assignment-email.ts';

export interface ReadRow {
  name: string;
  matchedFrom?: string;
  values: Record<string, number | boolean | null>;
}

export interface Problem {
  code?: string;
  messageVi: string;
}

const timeVi = (iso: string) =>
  new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date(iso));

const show = (v: number | boolean | null | undefined) =>
  v === null || v === undefined ? '—' : typeof v === 'boolean' ? (v ? 'Có' : 'Không') : new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(v);

/** The receipt: what was understood, so the office can check it at a glance. Every value from the file is escaped. */
export function renderReceipt(args: {
  directive: Directive;
  unitName: string;
  obligation: Obligation;
  receivedAt: string;
  onTime: boolean;
  resubmission: boolean;
  rows: readonly ReadRow[];
  notes: readonly string[];
  fileName: string;
  targets: Record<string, TargetValue>;
}): RenderedMail {
  const { directive, obligation } = args;
  const subject = `[thidua] Đã nhận báo cáo ${obligation.periodLabel} – ${args.unitName}${args.resubmission ? ' (bản nộp lại)' : ''}`;
  const status = args.onTime ? 'đúng hạn' : `sau hạn nộp ${formatDateVi(obligation.dueDate)} (ghi nhận nộp muộn)`;
  const lines = [
    `Hệ thống đã nhận và đọc được báo cáo ${obligation.periodLabel} của ${args.unitName} theo ${directive.kind} số ${directive.number}, lúc ${timeVi(args.receivedAt)}, ${status}.`,
    ...(args.resubmission ? ['Bản này thay cho bản nộp trước; các bản trước vẫn được lưu lại.'] : []),
    'Số liệu hệ thống đã đọc được như sau; nếu có sai sót, đơn vị nộp lại bản đúng theo cùng đường dẫn.',
  ];
  const headers = ['Đơn vị', ...directive.indicators.map((i) => `${i.name} (${i.measure})`)];
  const rows = args.rows.map((r) => [r.matchedFrom ? `${r.name} (ghi trong tệp: ${r.matchedFrom})` : r.name, ...directive.indicators.map((i) => show(r.values[i.id]))]);
  const targets = ['Chỉ tiêu được giao', ...directive.indicators.map((i) => formatTarget(i, args.targets[i.id] ?? i.target))];
  const notes = args.notes.map((n) => `Ghi chú: ${n}`);
  return {
    subject,
    html: layout(
      subject,
      [
        `<p>Kính gửi: ${esc(args.unitName)}</p>`,
        ...lines.map((l) => `<p>${esc(l)}</p>`),
        `<div style="overflow-x:auto;">${table(headers, [targets, ...rows])}</div>`,
        ...notes.map((n) => `<p style="color:#52606d;">${esc(n)}</p>`),
        `<p style="font-size:12px;color:#616e7c;">Tệp: ${esc(args.fileName)}</p>`,
      ].join('\n'),
    ),
    text: [`Kính gửi: ${args.unitName}`, '', ...lines, '', textTable(headers, [targets, ...rows]), '', ...notes, `Tệp: ${args.fileName}`].join('\n'),
  };
}

/** The rejection: every problem on its own line, with where it is and what is expected. */
export function renderRejection(args: {
  directive: Directive;
  unitName: string;
  obligation: Obligation;
  receivedAt: string;
  problems: readonly Problem[];
  fileName: string;
  /** Files rejected since the last rejection email (this one included), when several were held back to send one email. */
  rejectedSinceLastEmail?: number;
}): RenderedMail {
  const { directive, obligation } = args;
  if (args.problems.length > 0 && args.problems.every((p) => p.code === 'withdrawn' || p.code === 'cancelled')) return renderNoLongerWanted(args);
  const subject = `[thidua] Báo cáo ${obligation.periodLabel} chưa hợp lệ – ${args.unitName}`;
  const attempts = args.rejectedSinceLastEmail ?? 1;
  const since = attempts > 1 ? `Kể từ thư báo lỗi trước, đơn vị đã nộp ${attempts} tệp chưa hợp lệ; thư này nêu lỗi của tệp mới nhất. ` : '';
  const intro = `${since}Báo cáo ${obligation.periodLabel} của ${args.unitName} theo ${directive.kind} số ${directive.number} nhận lúc ${timeVi(args.receivedAt)} chưa được chấp nhận vì ${args.problems.length} lỗi sau:`;
  const standing =
    obligation.status === 'submitted'
      ? 'Báo cáo đã được chấp nhận trước đó vẫn giữ nguyên; tệp này không thay thế nó.'
      : 'Báo cáo kỳ này vẫn được tính là chưa nộp cho đến khi có bản hợp lệ.';
  const after = `Đề nghị đơn vị sửa và nộp lại theo cùng đường dẫn trước hạn ${formatDateVi(obligation.dueDate)}. ${standing}`;
  return {
    subject,
    html: layout(
      subject,
      [
        `<p>Kính gửi: ${esc(args.unitName)}</p>`,
        `<p>${esc(intro)}</p>`,
        `<ol>${args.problems.map((p) => `<li>${esc(p.messageVi)}</li>`).join('')}</ol>`,
        `<p>${esc(after)}</p>`,
        `<p style="font-size:12px;color:#616e7c;">Tệp: ${esc(args.fileName)}</p>`,
      ].join('\n'),
    ),
    text: [`Kính gửi: ${args.unitName}`, '', intro, ...args.problems.map((p, i) => `${i + 1}. ${p.messageVi}`), '', after, `Tệp: ${args.fileName}`].join('\n'),
  };
}

/** A file for a report no longer wanted (the directive withdrawn, the period cancelled): why, and nothing to fix. */
function renderNoLongerWanted(args: { directive: Directive; unitName: string; obligation: Obligation; receivedAt: string; problems: readonly Problem[]; fileName: string }): RenderedMail {
  const { directive, obligation } = args;
  const subject = `[thidua] Không cần nộp báo cáo ${obligation.periodLabel} – ${args.unitName}`;
  const intro = `Hệ thống đã nhận tệp báo cáo ${obligation.periodLabel} của ${args.unitName} theo ${directive.kind} số ${directive.number} lúc ${timeVi(args.receivedAt)}, nhưng không tiếp nhận:`;
  const reasons = args.problems.map((p) => p.messageVi);
  const after = 'Đơn vị không cần làm gì thêm với báo cáo này.';
  return {
    subject,
    html: layout(
      subject,
      [
        `<p>Kính gửi: ${esc(args.unitName)}</p>`,
        `<p>${esc(intro)}</p>`,
        ...reasons.map((r) => `<p>${esc(r)}</p>`),
        `<p>${esc(after)}</p>`,
        `<p style="font-size:12px;color:#616e7c;">Tệp: ${esc(args.fileName)}</p>`,
      ].join('\n'),
    ),
    text: [`Kính gửi: ${args.unitName}`, '', intro, ...reasons, '', after, `Tệp: ${args.fileName}`].join('\n'),
  };
}
