import type { Obligation } from '../domain/assignment.ts';
import type { Directive } from '../domain/directive.ts';
import { formatDateVi } from '../domain/calendar/index.ts';
import { LEVEL_NAME_VI, type Unit } from '../domain/units.ts';
import { esc, layout, table, textTable } from './html.ts';
import type { RenderedMail } from './assignment-email.ts';

export type ReportNotice =
  | { kind: 'request' }
  | { kind: 'reminder'; workingDaysBefore: number }
  | { kind: 'overdue'; workingDaysLate: number; escalated: boolean }
  | { kind: 'escalation'; workingDaysLate: number }
  | { kind: 'status' };

const HOW_TO_SUBMIT =
  'Cách nộp: gửi báo cáo qua hệ thống thidua trước khi hết ngày hạn nộp (giờ Việt Nam). Báo cáo đến sau ngày này vẫn được nhận nhưng ghi là nộp muộn. Đơn vị đã nộp sẽ không nhận thêm thư nhắc.';

function docName(d: Directive): string {
  return `${d.kind} số ${d.number}`;
}

function distinct<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/** "Quý I/2027" when all items share a period, "các kỳ" otherwise. */
function periodsText(items: readonly Obligation[]): string {
  const labels = distinct(items.map((o) => o.periodLabel));
  return labels.length === 1 ? (labels[0] as string) : labels.join(', ');
}

function rows(items: readonly Obligation[], directives: ReadonlyMap<string, Directive>, withUnit?: ReadonlyMap<string, Unit>): string[][] {
  const name = (o: Obligation) => withUnit?.get(o.unitId)?.name ?? o.unitId;
  return [...items]
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || name(a).localeCompare(name(b), 'vi') || a.periodEnd.localeCompare(b.periodEnd))
    .map((o) => {
      const d = directives.get(o.directiveId);
      const base = [d ? docName(d) : o.directiveId, o.periodLabel, `${formatDateVi(o.periodStart)} – ${formatDateVi(o.periodEnd)}`, formatDateVi(o.dueDate)];
      return withUnit ? [withUnit.get(o.unitId)?.name ?? o.unitId, ...base] : base;
    });
}

/**
 * The emails about reports: a request when a window closes, reminders before the deadline, notices after it,
 * and for the office above one grouped list of its late units. Vietnamese, dates dd/mm/yyyy.
 */
export function renderReportMail(
  notice: ReportNotice,
  recipient: Unit,
  items: readonly Obligation[],
  directives: ReadonlyMap<string, Directive>,
  lateUnits: ReadonlyMap<string, Unit> = new Map(),
  /** Upload links of the unit's own reports, by `directiveId|periodId`. */
  links: ReadonlyMap<string, string> = new Map(),
): RenderedMail {
  const due = formatDateVi([...items].map((o) => o.dueDate).sort()[0] as string);
  const greeting = `Kính gửi: ${recipient.name}`;
  const headers = ['Văn bản', 'Kỳ báo cáo', 'Số liệu tính từ – đến', 'Hạn nộp'];
  let subject: string;
  let lines: string[];
  let tableHeaders = headers;
  let tableRows = rows(items, directives);

  switch (notice.kind) {
    case 'request':
      subject = `[thidua] Đề nghị nộp báo cáo ${periodsText(items)} – hạn ${due} – ${recipient.name}`;
      lines = [`Kỳ số liệu đã khép lại. Đề nghị ${recipient.name} nộp các báo cáo sau đúng hạn:`];
      break;
    case 'reminder':
      subject =
        notice.workingDaysBefore === 1
          ? `[thidua] Nhắc nộp báo cáo: hạn nộp là ngày làm việc tới (${due}) – ${recipient.name}`
          : `[thidua] Nhắc nộp báo cáo: còn ${notice.workingDaysBefore} ngày làm việc (hạn ${due}) – ${recipient.name}`;
      lines = [`Hệ thống chưa nhận được các báo cáo sau của ${recipient.name}, hạn nộp ngày ${due}:`];
      break;
    case 'overdue':
      subject = `[thidua] ${notice.escalated ? 'Báo cáo quá hạn' : 'Quá hạn nộp báo cáo'} ${notice.workingDaysLate} ngày làm việc – ${recipient.name}`;
      lines = [
        `Đến nay, ${recipient.name} chưa nộp các báo cáo sau (hạn nộp ngày ${due}, đã quá ${notice.workingDaysLate} ngày làm việc):`,
        ...(notice.escalated ? ['Thư này đồng gửi lãnh đạo đơn vị để chỉ đạo hoàn thành ngay.'] : []),
      ];
      break;
    case 'status': {
      const pending = distinct(items.map((o) => o.unitId));
      const levels = distinct(pending.map((id) => lateUnits.get(id)?.level).filter((l): l is Unit['level'] => !!l));
      const levelWord = levels.length === 1 ? LEVEL_NAME_VI[levels[0] as Unit['level']] : 'đơn vị';
      subject = `[thidua] Tình hình nộp báo cáo ${periodsText(items)}: ${pending.length} ${levelWord} chưa nộp (hạn ${due})`;
      lines = [`Bản tin hằng tuần: đến sáng nay, ${pending.length} ${levelWord} thuộc ${recipient.name} chưa nộp báo cáo (hạn nộp ${due}):`];
      tableHeaders = ['Đơn vị', ...headers];
      tableRows = rows(items, directives, lateUnits);
      break;
    }
    case 'escalation': {
      const late = distinct(items.map((o) => o.unitId));
      const levels = distinct(late.map((id) => lateUnits.get(id)?.level).filter((l): l is Unit['level'] => !!l));
      const levelWord = levels.length === 1 ? LEVEL_NAME_VI[levels[0] as Unit['level']] : 'đơn vị';
      subject = `[thidua] ${late.length} ${levelWord} chưa nộp báo cáo ${periodsText(items)} (quá hạn ${notice.workingDaysLate} ngày làm việc)`;
      lines = [
        `Đến nay, ${late.length} ${levelWord} thuộc ${recipient.name} chưa nộp báo cáo, đã quá hạn ${notice.workingDaysLate} ngày làm việc. Đề nghị đôn đốc các đơn vị sau hoàn thành ngay:`,
      ];
      tableHeaders = ['Đơn vị', ...headers];
      tableRows = rows(items, directives, lateUnits);
      break;
    }
  }
  const closing =
    notice.kind === 'escalation'
      ? 'Danh sách này được gửi một lần cho mỗi mốc quá hạn.'
      : notice.kind === 'status'
        ? 'Bản tin này thay cho các thư nhắc riêng lẻ; các đơn vị đã được nhắc trực tiếp.'
        : HOW_TO_SUBMIT;
  const linkItems = items.flatMap((o) => {
    const url = links.get(`${o.directiveId}|${o.periodId}`);
    return url ? [{ label: `${o.periodLabel} – ${directives.get(o.directiveId)?.number ?? o.directiveId}`, url }] : [];
  });
  const linksHtml = linkItems.length
    ? `<p>Nộp báo cáo (tải lên tệp mẫu đã điền${notice.kind === 'request' ? ', mẫu được gửi kèm thư này' : ''}):</p><ul>${linkItems
        .map((l) => `<li><a href="${esc(l.url)}">${esc(l.label)}</a></li>`)
        .join('')}</ul>`
    : '';
  const linksText = linkItems.length ? ['Nộp báo cáo tại:', ...linkItems.map((l) => `  ${l.label}: ${l.url}`), ''] : [];
  const signer = distinct(items.map((o) => directives.get(o.directiveId)?.issuerName).filter((n): n is string => !!n)).join('; ');
  return {
    subject,
    html: layout(
      subject,
      [`<p>${esc(greeting)}</p>`, ...lines.map((l) => `<p>${esc(l)}</p>`), table(tableHeaders, tableRows), linksHtml, `<p>${esc(closing)}</p>`, `<p>${esc(signer)}</p>`].join('\n'),
    ),
    text: [greeting, '', ...lines, '', textTable(tableHeaders, tableRows), '', ...linksText, closing, '', signer].join('\n'),
  };
}
