/**
 * The emulation year's emails: the registration reminder, the decision on a registration, the cluster's digest to
 * its leading unit, the public posting to the office, and the award notice to each awardee. Every value a person
 * wrote is escaped; amounts are Vietnamese money.
 */
import type { Directive } from '../domain/directive.ts';
import type { Registration } from '../domain/emulation/types.ts';
import { REGISTRATION_STATE_VI } from '../domain/emulation/types.ts';
import { moneyVi } from '../domain/emulation/money.ts';
import { formatDateVi } from '../domain/calendar/index.ts';
import { esc, layout, table, textTable } from './html.ts';
import type { RenderedMail } from './assignment-email.ts';

type DirectiveRef = Pick<Directive, 'id' | 'kind' | 'number' | 'title' | 'year'>;
const docOf = (d: DirectiveRef) => `${d.kind} số ${d.number}`;

const STEP_VI = {
  before: (deadline: string) => `Hạn đăng ký thi đua là ngày ${deadline}.`,
  due: (deadline: string) => `Hôm nay (${deadline}) là hạn cuối đăng ký thi đua.`,
  late: (deadline: string) => `Đã quá hạn đăng ký thi đua (${deadline}); đơn vị cần đăng ký ngay, bản đăng ký sẽ được ghi là nộp muộn.`,
} as const;

export function registrationReminder(args: {
  directive: DirectiveRef;
  unitName: string;
  deadlineVi: string;
  step: keyof typeof STEP_VI;
  registration: Registration;
  consoleUrl: string;
  /** The unit's own registration link (no sign-in), when the sender can sign one. */
  link?: string;
}): RenderedMail {
  const { directive } = args;
  const subject = `[thidua] Nhắc đăng ký thi đua năm ${directive.year} – ${args.unitName}`;
  const state = `Trạng thái đăng ký hiện nay: ${REGISTRATION_STATE_VI[args.registration.state]}${args.registration.reasonVi ? ` (lý do trả lại: ${args.registration.reasonVi})` : ''}.`;
  const ask = `Đơn vị đăng ký danh hiệu thi đua và ký giao ước thi đua của cụm theo ${docOf(directive)} (${directive.title}).`;
  const where = args.consoleUrl ? `Hoặc đăng nhập thidua: ${args.consoleUrl}/emulation/${encodeURIComponent(directive.id)}` : 'Hoặc đăng nhập thidua, mục "Năm thi đua".';
  const lines = [`Kính gửi: ${args.unitName}`, STEP_VI[args.step](args.deadlineVi), ask, state];
  const link = args.link ? `Đăng ký ngay, không cần đăng nhập (đường dẫn dành riêng cho đơn vị, dùng đến hết năm ${directive.year}):` : '';
  const html = [...lines.map((l) => `<p>${esc(l)}</p>`), ...(args.link ? [`<p>${esc(link)} <a href="${esc(args.link)}">${esc(args.link)}</a></p>`] : []), `<p>${esc(where)}</p>`].join('\n');
  return { subject, html: layout(subject, html), text: [...lines, ...(args.link ? [`${link} ${args.link}`] : []), where].join('\n\n') };
}

export function registrationDecided(args: { directive: DirectiveRef; unitName: string; registration: Registration; deciderName: string }): RenderedMail {
  const r = args.registration;
  const subject = `[thidua] Đăng ký thi đua năm ${args.directive.year} ${r.state === 'approved' ? 'đã được duyệt' : 'được trả lại'} – ${args.unitName}`;
  const lines = [
    `Kính gửi: ${args.unitName}`,
    r.state === 'approved'
      ? `${args.deciderName} đã duyệt bản đăng ký thi đua năm ${args.directive.year} của đơn vị theo ${docOf(args.directive)}.`
      : `${args.deciderName} đã trả lại bản đăng ký thi đua năm ${args.directive.year} của đơn vị, với lý do: "${r.reasonVi ?? ''}". Đơn vị sửa và gửi lại.`,
  ];
  return { subject, html: layout(subject, lines.map((l) => `<p>${esc(l)}</p>`).join('\n')), text: lines.join('\n\n') };
}

/** The cluster's ranking for its leading unit, which proposes the cluster's flag candidates. */
export function clusterDigest(args: {
  directive: DirectiveRef;
  clusterName: string;
  leaderName: string;
  periodLabel: string;
  rows: { rank: number | null; name: string; parentName: string | null; score: number | null; parentRank: number | null }[];
}): RenderedMail {
  const subject = `[thidua] Xếp hạng ${args.clusterName} – ${args.periodLabel}`;
  const intro = `${args.leaderName} là đơn vị trưởng cụm năm ${args.directive.year}. Bảng xếp hạng các đơn vị trong cụm theo ${docOf(args.directive)}; đơn vị trưởng cụm đề nghị cờ thi đua của cụm từ bảng này.`;
  const headers = ['Hạng trong cụm', 'Đơn vị', 'Trực thuộc', 'Điểm', 'Hạng trong đơn vị cấp trên'];
  const rows = args.rows.map((r) => [r.rank?.toString() ?? '—', r.name, r.parentName ?? '—', r.score === null ? '—' : r.score.toLocaleString('vi-VN'), r.parentRank?.toString() ?? '—']);
  return {
    subject,
    html: layout(subject, `<p>${esc(intro)}</p>${table(headers, rows, { rightAlign: [0, 3, 4] })}`),
    text: [intro, '', textTable(headers, rows)].join('\n'),
  };
}

/** To an awardee: the decision's number and date, the title and the money. */
export function awardNotice(args: { unitName: string; titleVi: string; amount: number; decisionNumber: string; issuedOn: string; issuerName: string; year: number }): RenderedMail {
  const subject = `[thidua] Quyết định khen thưởng số ${args.decisionNumber}: ${args.unitName} đạt danh hiệu ${args.titleVi}`;
  const lines = [
    `Kính gửi: ${args.unitName}`,
    `${args.issuerName} đã ban hành Quyết định số ${args.decisionNumber} ngày ${formatDateVi(args.issuedOn)} tặng danh hiệu "${args.titleVi}" năm ${args.year} cho đơn vị.`,
    `Tiền thưởng kèm theo: ${moneyVi(args.amount)}.`,
  ];
  return { subject, html: layout(subject, lines.map((l) => `<p>${esc(l)}</p>`).join('\n')), text: lines.join('\n\n') };
}
