import type { Obligation } from '../domain/assignment.ts';
import type { Directive } from '../domain/directive.ts';
import { formatDateVi, vietnamDate } from '../domain/calendar/index.ts';
import { esc, layout } from './html.ts';
import type { RenderedMail } from './assignment-email.ts';

const timeVi = (iso: string) =>
  new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso)) + ` ngày ${formatDateVi(vietnamDate(new Date(iso)))}`;

/**
 * A report returned by the level above: the reason in its own words, what it means (the report counts as not yet
 * submitted) and where to upload the corrected one. Every value a person wrote is escaped.
 */
export function renderReturned(args: {
  directive: Pick<Directive, 'kind' | 'number' | 'title'>;
  unitName: string;
  obligation: Pick<Obligation, 'periodLabel' | 'dueDate'>;
  /** The approving unit's name ("Huyện Hàm Thuận Bắc"). */
  deciderName: string;
  at: string;
  reasonVi: string;
  uploadLink?: string;
}): RenderedMail {
  const { directive, obligation } = args;
  const subject = `[thidua] Báo cáo ${obligation.periodLabel} được trả lại để sửa – ${args.unitName}`;
  const intro = `${args.deciderName} đã trả lại báo cáo ${obligation.periodLabel} của ${args.unitName} theo ${directive.kind} số ${directive.number} lúc ${timeVi(args.at)}, với lý do:`;
  const standing = `Báo cáo kỳ này được tính là chưa nộp cho đến khi đơn vị nộp lại bản đã sửa (hạn nộp ${formatDateVi(obligation.dueDate)}). Thời điểm nộp lần đầu vẫn được giữ để tính đúng hạn.`;
  const how = args.uploadLink ? 'Nộp lại tại đường dẫn:' : 'Nộp lại qua hệ thống thidua như lần trước.';
  return {
    subject,
    html: layout(
      subject,
      [
        `<p>Kính gửi: ${esc(args.unitName)}</p>`,
        `<p>${esc(intro)}</p>`,
        `<blockquote style="margin:8px 0;padding:8px 12px;border-left:4px solid #c47d00;background:#fff8e6;">${esc(args.reasonVi)}</blockquote>`,
        `<p>${esc(standing)}</p>`,
        args.uploadLink ? `<p>${esc(how)} <a href="${esc(args.uploadLink)}">${esc(args.uploadLink)}</a></p>` : `<p>${esc(how)}</p>`,
      ].join('\n'),
    ),
    text: [`Kính gửi: ${args.unitName}`, '', intro, `  "${args.reasonVi}"`, '', standing, args.uploadLink ? `${how} ${args.uploadLink}` : how].join('\n'),
  };
}
