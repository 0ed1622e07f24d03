import { daysOff, dueDate, formatDateVi, periodsOf, type CalendarOptions, type CutoffRule, type DeadlineRule, type DayOff } from '../../shared/domain/calendar/index.ts';
import { CADENCE_VI, type Cadence } from '../../shared/domain/directive.ts';

export interface CalendarView {
  year: number;
  cutoff: CutoffRule;
  deadline: DeadlineRule;
  daysOff: DayOff[];
  cadences: Record<Cadence, { id: string; label: string; start: string; end: string; due: string }[]>;
}

const CADENCES: Cadence[] = ['monthly', 'quarterly', 'half-year', 'year'];

export function calendarOf(year: number, cutoff: CutoffRule, deadline: DeadlineRule, adjustments?: CalendarOptions): CalendarView {
  const cadences = Object.fromEntries(
    CADENCES.map((c) => [c, periodsOf(year, c, cutoff).map((p) => ({ id: p.id, label: p.label, start: p.start, end: p.end, due: dueDate(p, deadline, adjustments) }))]),
  ) as CalendarView['cadences'];
  return { year, cutoff, deadline, daysOff: daysOff(year, adjustments), cadences };
}

const weekday = (iso: string) => new Intl.DateTimeFormat('vi-VN', { weekday: 'long', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));

export function describeCalendar(c: CalendarView, days: number): string {
  return [
    `Lịch năm ${c.year}`,
    '',
    `Ngày nghỉ (${c.daysOff.length}):`,
    ...c.daysOff.map((d) => `  ${formatDateVi(d.date)}  ${weekday(d.date).padEnd(9)}  ${d.name}`),
    '',
    `Kỳ báo cáo (${c.cutoff === 'decree09' ? 'kỳ chốt số liệu theo Nghị định 09/2019/NĐ-CP' : 'theo tháng, quý dương lịch'}; hạn nộp ${days} ngày làm việc sau ngày chốt):`,
    ...CADENCES.flatMap((cadence) => [
      `  ${CADENCE_VI[cadence]}:`,
      ...c.cadences[cadence].map((p) => `    ${p.label.padEnd(22)} ${formatDateVi(p.start)} – ${formatDateVi(p.end)}   hạn nộp ${formatDateVi(p.due)}`),
    ]),
  ].join('\n');
}
