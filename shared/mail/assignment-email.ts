import { CADENCE_VI, type Directive, type Indicator, type TargetValue } from '../domain/directive.ts';
import type { Unit } from '../domain/units.ts';
import { formatDateVi } from '../domain/calendar/index.ts';
import type { reportingPeriods } from '../domain/assignment.ts';
import { esc, layout, table, textTable } from './html.ts';

export type AssignmentMailKind = 'assigned' | 'amended' | 'withdrawn';

const numberVi = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });

export function formatTarget(ind: Pick<Indicator, 'kind' | 'direction'>, value: TargetValue): string {
  if (typeof value === 'boolean') return value ? 'Đạt' : 'Không yêu cầu';
  const n = numberVi.format(value);
  const shown = ind.kind === 'percent' ? `${n}%` : n;
  if (ind.direction === 'decrease') return value === 0 ? '0 (không để xảy ra)' : `giảm còn ${shown}`;
  return shown;
}

function deadlineRuleVi(d: Directive): string {
  return d.deadline.kind === 'workingDaysAfterCutoff'
    ? `${d.deadline.days} ngày làm việc sau ngày chốt số liệu`
    : `ngày ${d.deadline.day} hằng kỳ (lùi sang ngày làm việc kế tiếp nếu trùng ngày nghỉ)`;
}

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

export function renderAssignmentMail(
  kind: AssignmentMailKind,
  directive: Directive,
  unit: Unit,
  targets: Record<string, TargetValue>,
  periods: ReturnType<typeof reportingPeriods>,
): RenderedMail {
  const docName = `${directive.kind} số ${directive.number}`;
  const heading = {
    assigned: `Giao chỉ tiêu thi đua năm ${directive.year}`,
    amended: `Điều chỉnh chỉ tiêu thi đua năm ${directive.year}`,
    withdrawn: `Thu hồi chỉ tiêu thi đua năm ${directive.year}`,
  }[kind];
  const subject = `[thidua] ${heading} – ${docName} – ${unit.name}`;
  const greeting = `Kính gửi: ${unit.name}`;

  if (kind === 'withdrawn') {
    const reason = directive.withdrawnReason ?? '';
    const lines = [
      `${directive.issuerName} thông báo thu hồi ${docName} "${directive.title}" (phiên bản ${directive.version}).`,
      reason ? `Lý do: ${reason}` : '',
      'Các chỉ tiêu và kỳ báo cáo đã giao theo văn bản này không còn hiệu lực; đơn vị không phải nộp các báo cáo chưa đến hạn.',
    ].filter(Boolean);
    return {
      subject,
      html: layout(subject, `<p>${esc(greeting)}</p>${lines.map((l) => `<p>${esc(l)}</p>`).join('')}<p>${esc(directive.issuerName)}</p>`),
      text: [greeting, '', ...lines, '', directive.issuerName].join('\n'),
    };
  }

  const intro =
    kind === 'assigned'
      ? `Thực hiện ${docName} ngày ${formatDateVi(directive.issuedOn)} của ${directive.issuerName} "${directive.title}", đơn vị được giao các chỉ tiêu thi đua năm ${directive.year} như sau:`
      : `${directive.issuerName} đã điều chỉnh ${docName} "${directive.title}" (phiên bản ${directive.version}). Chỉ tiêu của đơn vị năm ${directive.year} nay như sau (thay cho thông báo trước):`;

  const targetHeaders = ['Nhóm', 'Chỉ tiêu', 'Đơn vị tính', 'Mục tiêu'];
  const targetRows = directive.indicators.map((ind) => [
    ind.group ?? '',
    ind.name,
    ind.measure,
    formatTarget(ind, targets[ind.id] ?? ind.target),
  ]);
  const cadenceText = directive.cadences.map((c) => CADENCE_VI[c]).join(', ');
  const periodHeaders = ['Kỳ báo cáo', 'Số liệu tính từ', 'Đến hết ngày', 'Hạn nộp'];
  const periodRows = [...periods]
    .sort((a, b) => a.due.localeCompare(b.due))
    .map(({ period, due }) => [period.label, formatDateVi(period.start), formatDateVi(period.end), formatDateVi(due)]);
  const reportTo = directive.reportTo ? ` gửi ${directive.reportTo}` : ` gửi ${directive.issuerName}`;
  const howTo = `Báo cáo định kỳ (${cadenceText})${reportTo}; hạn nộp là ${deadlineRuleVi(directive)}. Hệ thống sẽ gửi mẫu báo cáo và đường dẫn nộp báo cáo khi mỗi kỳ khép lại, và nhắc trước hạn nộp.`;

  const html = layout(
    subject,
    [
      `<p>${esc(greeting)}</p>`,
      `<p>${esc(intro)}</p>`,
      `<h3 style="font-size:16px;margin:16px 0 8px;">Chỉ tiêu được giao</h3>`,
      table(targetHeaders, targetRows, { rightAlign: [3] }),
      `<h3 style="font-size:16px;margin:16px 0 8px;">Lịch báo cáo</h3>`,
      table(periodHeaders, periodRows),
      `<p>${esc(howTo)}</p>`,
      `<p>${esc(directive.issuerName)}</p>`,
    ].join('\n'),
  );
  const text = [
    greeting,
    '',
    intro,
    '',
    'CHỈ TIÊU ĐƯỢC GIAO',
    textTable(targetHeaders, targetRows),
    '',
    'LỊCH BÁO CÁO',
    textTable(periodHeaders, periodRows),
    '',
    howTo,
    '',
    directive.issuerName,
  ].join('\n');
  return { subject, html, text };
}
