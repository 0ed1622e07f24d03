/**
 * Vietnam's public holidays and working days.
 *
 * Statutory holidays (Bộ luật Lao động 2019, Điều 112, khoản 1):
 *   - Tết Dương lịch: 01/01;
 *   - Tết Âm lịch (Tết Nguyên đán): 5 days — here the last day of the old lunar year (29 or 30 tháng Chạp) and
 *     mùng 1–4 tháng Giêng of the new one;
 *   - Giỗ Tổ Hùng Vương: 10/3 âm lịch (the non-leap 3rd month when the year has a leap 3rd month);
 *   - Ngày Chiến thắng: 30/4;
 *   - Ngày Quốc tế Lao động: 01/5;
 *   - Quốc khánh: 02/9 and one adjacent day. Rule used here: 03/9, unless 02/9 is a Friday, in which case 01/9
 *     (Thursday), so the two days join the weekend.
 *
 * Compensatory days (khoản 3): a holiday that falls on a Saturday or Sunday gives a "Nghỉ bù <holiday>" on the next
 * Monday–Friday that is neither a holiday nor an already assigned compensatory day (holidays handled in date order).
 *
 * The exact Tết and Quốc khánh days are set every year by the Prime Minister (khoản 3), and the government often
 * swaps a weekday off against a Saturday worked (hoán đổi ngày làm việc). Those announcements differ from the rule
 * above and must be loaded as data through CalendarOptions: `extra` (added days off), `removed` (computed days that
 * are not days off after all) and `workingWeekends` (Saturdays/Sundays declared working days).
 */
import { addDays, dayOfWeek, isoToJd, jdToIso, lastDayOfLunarYear, lunarNewYear, lunarToSolar, parseIsoDate, solarToLunar, toIsoDate } from './lunar.ts';

export interface DayOff {
  /** YYYY-MM-DD */
  date: string;
  /** Vietnamese name, with diacritics. */
  name: string;
}

/** Official adjustments to the computed calendar, as announced by the government. */
export interface CalendarAdjustments {
  /** Additional days off (e.g. the weekday given in a swap). A date that is already a day off gets this name instead. */
  extra?: readonly DayOff[];
  /** Dates that are not days off after all (e.g. a computed compensatory day the government placed elsewhere). */
  removed?: readonly string[];
  /** Saturdays or Sundays declared working days (the "làm bù" day of a swap). Must be weekend dates. */
  workingWeekends?: readonly string[];
}

/**
 * Adjustments as flat lists (each entry applies to the year of its date) and/or grouped per Gregorian year in
 * `byYear` (each entry of `byYear[y]` must be dated in year y). Both are merged. The object is read on every call,
 * never cached, so it may be replaced freely between calls.
 */
export interface CalendarOptions extends CalendarAdjustments {
  byYear?: Readonly<Record<number, CalendarAdjustments>>;
}

const SATURDAY = 6;
const SUNDAY = 0;

/** True for Saturday and Sunday (the weekly rest days of state agencies), regardless of any swap. */
export function isWeekend(iso: string): boolean {
  const dow = dayOfWeek(iso);
  return dow === SATURDAY || dow === SUNDAY;
}

function ymd(year: number, month: number, day: number): string {
  return toIsoDate({ year, month, day });
}

/** The statutory holidays of a Gregorian year, without compensatory days. */
function statutoryHolidays(year: number): DayOff[] {
  const list: DayOff[] = [{ date: ymd(year, 1, 1), name: 'Tết Dương lịch' }];

  // Tết always falls between 21/01 and 20/02, so its five days lie in the same Gregorian year.
  const eve = lastDayOfLunarYear(year - 1);
  const eveLunarDay = solarToLunar(parseIsoDate(eve)).day; // 29 or 30 tháng Chạp
  list.push({ date: eve, name: `Tết Nguyên đán (${eveLunarDay} Tết)` });
  const tet = lunarNewYear(year);
  for (let i = 0; i < 4; i++) {
    list.push({ date: addDays(tet, i), name: `Tết Nguyên đán (mùng ${i + 1})` });
  }

  list.push({ date: toIsoDate(lunarToSolar({ year, month: 3, day: 10 })), name: 'Giỗ Tổ Hùng Vương' });
  list.push({ date: ymd(year, 4, 30), name: 'Ngày Chiến thắng' });
  list.push({ date: ymd(year, 5, 1), name: 'Ngày Quốc tế Lao động' });

  const nationalDay = ymd(year, 9, 2);
  list.push({ date: nationalDay, name: 'Quốc khánh' });
  // Adjacent day: the day after 02/9, unless 02/9 is a Friday, then the day before (Thursday 01/9).
  const adjacent = dayOfWeek(nationalDay) === 5 ? addDays(nationalDay, -1) : addDays(nationalDay, 1);
  list.push({ date: adjacent, name: 'Quốc khánh (ngày liền kề)' });

  return list.sort(byDate);
}

function byDate(a: DayOff, b: DayOff): number {
  return a.date < b.date ? -1 : a.date > b.date ? 1 : 0;
}

/** Statutory holidays plus compensatory days. */
function computeDaysOff(year: number): DayOff[] {
  const holidays = statutoryHolidays(year);
  const byDateMap = new Map<string, DayOff>();
  for (const h of holidays) {
    const same = byDateMap.get(h.date);
    // Two holidays on one date has not happened since 1968 and does not until 2199 (Giỗ Tổ comes closest, on 29/4);
    // should it happen, keep both names on one day off.
    byDateMap.set(h.date, same ? { date: h.date, name: `${same.name}; ${h.name}` } : h);
  }
  const taken = new Set(byDateMap.keys());
  const result = [...byDateMap.values()];
  for (const h of holidays) {
    if (!isWeekend(h.date)) continue;
    let d = addDays(h.date, 1);
    while (isWeekend(d) || taken.has(d)) d = addDays(d, 1);
    taken.add(d);
    result.push({ date: d, name: `Nghỉ bù ${h.name}` });
  }
  return result.sort(byDate);
}

const cache = new Map<number, readonly DayOff[]>();

function baseDaysOff(year: number): readonly DayOff[] {
  let list = cache.get(year);
  if (!list) {
    list = Object.freeze(computeDaysOff(year).map((d) => Object.freeze(d)));
    cache.set(year, list);
  }
  return list;
}

function yearOf(isoDate: string): number {
  return parseIsoDate(isoDate).year;
}

interface YearAdjustments {
  extra: DayOff[];
  removed: Set<string>;
  workingWeekends: Set<string>;
}

/** Validates every adjustment and groups them by the Gregorian year of their date. */
function groupAdjustments(cal: CalendarOptions | undefined): Map<number, YearAdjustments> {
  const groups = new Map<number, YearAdjustments>();
  if (!cal) return groups;
  const group = (year: number): YearAdjustments => {
    let g = groups.get(year);
    if (!g) {
      g = { extra: [], removed: new Set(), workingWeekends: new Set() };
      groups.set(year, g);
    }
    return g;
  };
  const add = (adj: CalendarAdjustments, expectedYear?: number): void => {
    const check = (date: string, what: string): number => {
      const y = yearOf(date);
      if (expectedYear !== undefined && y !== expectedYear) {
        throw new RangeError(`${what} ${date} is listed under byYear[${expectedYear}]`);
      }
      return y;
    };
    for (const d of adj.extra ?? []) {
      if (typeof d.name !== 'string' || d.name.trim() === '') {
        throw new RangeError(`extra day off ${d.date} has no name`);
      }
      group(check(d.date, 'extra day off')).extra.push({ date: d.date, name: d.name });
    }
    for (const d of adj.removed ?? []) group(check(d, 'removed date')).removed.add(d);
    for (const d of adj.workingWeekends ?? []) {
      if (!isWeekend(d)) throw new RangeError(`working weekend ${d} is not a Saturday or Sunday`);
      group(check(d, 'working weekend')).workingWeekends.add(d);
    }
  };
  add(cal);
  for (const [key, adj] of Object.entries(cal.byYear ?? {})) {
    const year = Number(key);
    if (!Number.isInteger(year)) throw new RangeError(`byYear key is not a year: ${key}`);
    add(adj, year);
  }
  return groups;
}

function applyAdjustments(year: number, adj: YearAdjustments | undefined): DayOff[] {
  const base = baseDaysOff(year);
  if (!adj) return base.map((d) => ({ ...d }));
  const byDateMap = new Map<string, DayOff>();
  for (const d of base) if (!adj.removed.has(d.date)) byDateMap.set(d.date, { ...d });
  for (const d of adj.extra) byDateMap.set(d.date, { ...d });
  return [...byDateMap.values()].sort(byDate);
}

function assertYear(year: number): void {
  if (!Number.isInteger(year)) throw new RangeError(`year must be an integer: ${year}`);
}

/**
 * Days off (public holidays and compensatory days) of Gregorian year `year`, sorted by date.
 * Adjustments apply in this order: computed days, minus `removed`, plus `extra` (an extra entry on a date that is
 * already a day off replaces its name). Entries dated in other years are ignored; `workingWeekends` does not affect
 * this list. The computed list is cached per year; the returned array and objects are fresh copies.
 */
export function daysOff(year: number, options?: CalendarOptions): DayOff[] {
  assertYear(year);
  return applyAdjustments(year, groupAdjustments(options).get(year));
}

/** Per-call lookup of days off and working weekends, computing each year at most once. */
function lookup(cal: CalendarOptions | undefined): (isoDate: string) => boolean {
  const groups = groupAdjustments(cal);
  const years = new Map<number, { off: Set<string>; workingWeekends: Set<string> }>();
  return (isoDate: string): boolean => {
    const year = yearOf(isoDate);
    let y = years.get(year);
    if (!y) {
      const adj = groups.get(year);
      y = {
        off: new Set(applyAdjustments(year, adj).map((d) => d.date)),
        workingWeekends: adj?.workingWeekends ?? new Set(),
      };
      years.set(year, y);
    }
    if (y.off.has(isoDate)) return false;
    return !isWeekend(isoDate) || y.workingWeekends.has(isoDate);
  };
}

/** True when `iso` is a working day: Monday–Friday (or a declared working weekend) and not a day off. */
export function isWorkingDay(iso: string, cal?: CalendarOptions): boolean {
  return lookup(cal)(iso);
}

/** `iso` itself if it is a working day, otherwise the first working day after it. */
export function nextWorkingDayOnOrAfter(iso: string, cal?: CalendarOptions): string {
  const working = lookup(cal);
  let jd = isoToJd(iso);
  while (!working(jdToIso(jd))) jd++;
  return jdToIso(jd);
}

/** The n-th working day strictly after `iso` (n ≥ 1; `iso` itself never counts). */
export function addWorkingDays(iso: string, n: number, cal?: CalendarOptions): string {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be an integer ≥ 1: ${n}`);
  const working = lookup(cal);
  let jd = isoToJd(iso);
  for (let found = 0; found < n; ) {
    jd++;
    if (working(jdToIso(jd))) found++;
  }
  return jdToIso(jd);
}

/** The n-th working day strictly before `iso` (n ≥ 1): the due date that is n working days behind a given day. */
export function subtractWorkingDays(iso: string, n: number, cal?: CalendarOptions): string {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be an integer ≥ 1: ${n}`);
  const working = lookup(cal);
  let jd = isoToJd(iso);
  for (let found = 0; found < n; ) {
    jd--;
    if (working(jdToIso(jd))) found++;
  }
  return jdToIso(jd);
}

/** The date in Vietnam (UTC+7, no daylight saving) of an instant. */
export function vietnamDate(instant: Date | string): string {
  const t = typeof instant === 'string' ? new Date(instant) : instant;
  return new Date(t.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}
