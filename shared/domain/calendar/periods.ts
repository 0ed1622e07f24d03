/**
 * Reporting periods (kỳ báo cáo) and their deadlines.
 *
 * Cut-off rules:
 *   - 'decree09': data windows of Nghị định 09/2019/NĐ-CP, Điều 12 (thời gian chốt số liệu báo cáo định kỳ):
 *       monthly     15th of the previous month → 14th of the month;
 *       quarterly   15th of the month before the quarter → 14th of its last month
 *                   (Q1 15/12 of the previous year → 14/3, Q2 15/3 → 14/6, Q3 15/6 → 14/9, Q4 15/9 → 14/12);
 *       half-year   15/12 of the previous year → 14/6;
 *       year        15/12 of the previous year → 14/12.
 *   - 'calendar': calendar months and quarters, first half 01/01 → 30/6, year 01/01 → 31/12.
 *
 * Half-year cadence has a single period per year, the first half ("6 tháng đầu năm", id `YYYY-H1`): as in Decree 09,
 * the second half is covered by the annual report, so there is no `H2`.
 *
 * Period ids: `2026-M03`, `2026-Q1`, `2026-H1`, `2026-Y`.
 */
import { addWorkingDays, nextWorkingDayOnOrAfter, type CalendarOptions } from './holidays.ts';
import { daysInMonth, parseIsoDate, toIsoDate } from './lunar.ts';

export type Cadence = 'monthly' | 'quarterly' | 'half-year' | 'year';
export type CutoffRule = 'decree09' | 'calendar';

export const CADENCES: readonly Cadence[] = ['monthly', 'quarterly', 'half-year', 'year'];

export interface Period {
  /** `2026-M03`, `2026-Q1`, `2026-H1`, `2026-Y` */
  id: string;
  cadence: Cadence;
  year: number;
  /** Month 1..12, quarter 1..4, 1 for the half-year and the year. */
  index: number;
  /** 'Tháng 3/2026', 'Quý I/2026', '6 tháng đầu năm 2026', 'Năm 2026' */
  label: string;
  /** First day of the data window (YYYY-MM-DD, inclusive). */
  start: string;
  /** Last day of the data window (YYYY-MM-DD, inclusive). */
  end: string;
}

export interface PeriodKey {
  year: number;
  cadence: Cadence;
  index: number;
}

export type DeadlineRule = { kind: 'workingDaysAfterCutoff'; days: number } | { kind: 'dayOfMonth'; day: number };

const ROMAN = ['I', 'II', 'III', 'IV'] as const;
const MAX_INDEX: Record<Cadence, number> = { monthly: 12, quarterly: 4, 'half-year': 1, year: 1 };

function assertKey(key: PeriodKey): void {
  const { year, cadence, index } = key;
  if (!Number.isInteger(year) || year < 1000 || year > 9999) {
    throw new RangeError(`year must be an integer in 1000..9999: ${year}`);
  }
  if (!(cadence in MAX_INDEX)) throw new RangeError(`Unknown cadence: ${String(cadence)}`);
  if (!Number.isInteger(index) || index < 1 || index > MAX_INDEX[cadence]) {
    throw new RangeError(`Invalid ${cadence} index: ${index}`);
  }
}

function assertCutoff(cutoff: CutoffRule): void {
  if (cutoff !== 'decree09' && cutoff !== 'calendar') throw new RangeError(`Unknown cut-off rule: ${String(cutoff)}`);
}

/** Day `day` of the month `offset` months after (year, month); offset may be negative. */
function dayOfShiftedMonth(year: number, month: number, offset: number, day: number): string {
  const m0 = year * 12 + (month - 1) + offset;
  return toIsoDate({ year: Math.floor(m0 / 12), month: (m0 % 12) + 1, day });
}

function lastDayOf(year: number, month: number): string {
  return toIsoDate({ year, month, day: daysInMonth(year, month) });
}

/** First and last month (1..12) of the period's calendar span. */
function monthSpan({ cadence, index }: PeriodKey): [number, number] {
  switch (cadence) {
    case 'monthly':
      return [index, index];
    case 'quarterly':
      return [3 * index - 2, 3 * index];
    case 'half-year':
      return [1, 6];
    case 'year':
      return [1, 12];
  }
}

function periodId({ year, cadence, index }: PeriodKey): string {
  const y = String(year).padStart(4, '0');
  switch (cadence) {
    case 'monthly':
      return `${y}-M${String(index).padStart(2, '0')}`;
    case 'quarterly':
      return `${y}-Q${index}`;
    case 'half-year':
      return `${y}-H${index}`;
    case 'year':
      return `${y}-Y`;
  }
}

function periodLabel({ year, cadence, index }: PeriodKey): string {
  switch (cadence) {
    case 'monthly':
      return `Tháng ${index}/${year}`;
    case 'quarterly':
      return `Quý ${ROMAN[index - 1]}/${year}`;
    case 'half-year':
      return `6 tháng đầu năm ${year}`;
    case 'year':
      return `Năm ${year}`;
  }
}

function buildPeriod(key: PeriodKey, cutoff: CutoffRule): Period {
  const [first, last] = monthSpan(key);
  const { year } = key;
  const start = cutoff === 'decree09' ? dayOfShiftedMonth(year, first, -1, 15) : dayOfShiftedMonth(year, first, 0, 1);
  const end = cutoff === 'decree09' ? dayOfShiftedMonth(year, last, 0, 14) : lastDayOf(year, last);
  return { id: periodId(key), cadence: key.cadence, year, index: key.index, label: periodLabel(key), start, end };
}

/** The reporting periods of `year` for a cadence, in order (12 months, 4 quarters, 1 half-year, 1 year). */
export function periodsOf(year: number, cadence: Cadence, cutoff: CutoffRule): Period[] {
  assertCutoff(cutoff);
  assertKey({ year, cadence, index: 1 });
  const periods: Period[] = [];
  for (let index = 1; index <= MAX_INDEX[cadence]; index++) periods.push(buildPeriod({ year, cadence, index }, cutoff));
  return periods;
}

const PERIOD_ID = /^(\d{4})-(?:M(0[1-9]|1[0-2])|Q([1-4])|H(1)|(Y))$/;

/** Parses `2026-M03`, `2026-Q1`, `2026-H1` or `2026-Y`. Throws RangeError for anything else (including `H2`). */
export function parsePeriodId(id: string): PeriodKey {
  const m = typeof id === 'string' ? PERIOD_ID.exec(id) : null;
  if (!m) throw new RangeError(`Invalid period id: ${String(id)}`);
  const year = Number(m[1]);
  if (m[2] !== undefined) return { year, cadence: 'monthly', index: Number(m[2]) };
  if (m[3] !== undefined) return { year, cadence: 'quarterly', index: Number(m[3]) };
  if (m[4] !== undefined) return { year, cadence: 'half-year', index: 1 };
  return { year, cadence: 'year', index: 1 };
}

/** The period with id `id` under a cut-off rule. */
export function periodById(id: string, cutoff: CutoffRule): Period {
  assertCutoff(cutoff);
  const key = parsePeriodId(id);
  assertKey(key);
  return buildPeriod(key, cutoff);
}

/**
 * Deadline of a period's report.
 *   - workingDaysAfterCutoff: the `days`-th working day strictly after `period.end`.
 *   - dayOfMonth: the first date strictly after `period.end` whose day of the month is `day` (clamped to the month's
 *     last day, e.g. 31 → 30/4), moved to the next working day when it is not one. (Bộ luật Dân sự 2015, Điều 148:
 *     a time limit ending on a weekend or holiday ends on the next working day.)
 */
export function dueDate(period: Pick<Period, 'end'>, rule: DeadlineRule, cal?: CalendarOptions): string {
  switch (rule.kind) {
    case 'workingDaysAfterCutoff':
      if (!Number.isInteger(rule.days) || rule.days < 1) {
        throw new RangeError(`days must be an integer ≥ 1: ${rule.days}`);
      }
      return addWorkingDays(period.end, rule.days, cal);
    case 'dayOfMonth': {
      if (!Number.isInteger(rule.day) || rule.day < 1 || rule.day > 31) {
        throw new RangeError(`day must be an integer in 1..31: ${rule.day}`);
      }
      const end = parseIsoDate(period.end);
      const candidate = (offset: number): string => {
        const m0 = end.year * 12 + (end.month - 1) + offset;
        const year = Math.floor(m0 / 12);
        const month = (m0 % 12) + 1;
        return toIsoDate({ year, month, day: Math.min(rule.day, daysInMonth(year, month)) });
      };
      const sameMonth = candidate(0);
      const date = sameMonth > period.end ? sameMonth : candidate(1);
      return nextWorkingDayOnOrAfter(date, cal);
    }
    default: {
      const unknown: never = rule;
      throw new RangeError(`Unknown deadline rule: ${JSON.stringify(unknown)}`);
    }
  }
}

/** `2026-02-17` → `17/02/2026` */
export function formatDateVi(iso: string): string {
  const { year, month, day } = parseIsoDate(iso);
  return `${String(day).padStart(2, '0')}/${String(month).padStart(2, '0')}/${String(year).padStart(4, '0')}`;
}
