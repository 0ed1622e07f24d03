import { describe, it, expect } from 'vitest';
import {
  addDays,
  addWorkingDays,
  convertLunar2Solar,
  convertSolar2Lunar,
  dayOfWeek,
  daysOff,
  dueDate,
  formatDateVi,
  isWorkingDay,
  lastDayOfLunarYear,
  lunarLeapMonth,
  lunarNewYear,
  lunarToSolar,
  nextWorkingDayOnOrAfter,
  parseIsoDate,
  parsePeriodId,
  periodById,
  periodsOf,
  solarToLunar,
  toIsoDate,
  type CalendarOptions,
  type Period,
} from '../shared/domain/calendar/index.ts';

const SUNDAY = 0;
const MONDAY = 1;
const SATURDAY = 6;

function period(id: string, cutoff: 'decree09' | 'calendar' = 'decree09'): Period {
  return periodById(id, cutoff);
}

describe('lunar calendar (Vietnam, UTC+7)', () => {
  it('computes Tết (mùng 1 tháng Giêng) 2025–2030', () => {
    // Prepare
    const expected: Record<number, string> = {
      2025: '2025-01-29',
      2026: '2026-02-17',
      2027: '2027-02-06',
      2028: '2028-01-26',
      2029: '2029-02-13',
      // The new moon is on 2030-02-02 at about 16:07 UTC: 23:07 in Vietnam (Tết on 02/02) but 00:07 on 03/02 in
      // China, whose calendar gives 2030-02-03.
      2030: '2030-02-02',
    };

    // Act
    const actual = Object.fromEntries(Object.keys(expected).map((y) => [Number(y), lunarNewYear(Number(y))]));

    // Assess
    expect(actual).toEqual(expected);
    expect(toIsoDate(convertLunar2Solar(1, 1, 2030, false, 8)!)).toBe('2030-02-03');
  });

  it('computes Giỗ Tổ Hùng Vương (10/3 âm lịch) 2025–2030', () => {
    // Prepare
    const expected: Record<number, string> = {
      2025: '2025-04-07',
      2026: '2026-04-26',
      2027: '2027-04-16',
      2028: '2028-04-04',
      2029: '2029-04-23',
      2030: '2030-04-12',
    };

    // Act
    const actual = Object.fromEntries(
      Object.keys(expected).map((y) => [Number(y), toIsoDate(lunarToSolar({ year: Number(y), month: 3, day: 10 }))]),
    );

    // Assess
    expect(actual).toEqual(expected);
    expect(dayOfWeek('2026-04-26')).toBe(SUNDAY);
  });

  it('uses UTC+7, not China’s UTC+8: Tết 1985 is 21/01/1985 (Chinese New Year 20/02/1985)', () => {
    // Prepare
    const vietnameseTet = { year: 1985, month: 1, day: 21 };
    const chineseNewYear = { year: 1985, month: 2, day: 20 };

    // Act
    const tet = lunarNewYear(1985);
    const atUtc8 = convertLunar2Solar(1, 1, 1985, false, 8);
    const vnLunarOfChineseNewYear = solarToLunar(chineseNewYear);

    // Assess
    expect(tet).toBe('1985-01-21');
    expect(solarToLunar(vietnameseTet)).toEqual({ year: 1985, month: 1, day: 1, leap: false });
    expect(atUtc8).toEqual(chineseNewYear);
    expect(convertSolar2Lunar(20, 2, 1985, 8)).toEqual({ year: 1985, month: 1, day: 1, leap: false });
    expect(vnLunarOfChineseNewYear).toEqual({ year: 1985, month: 2, day: 1, leap: false });
  });

  it('handles leap months (tháng nhuận)', () => {
    // Prepare
    const leapYears = { 2020: 4, 2023: 2, 2025: 6, 2028: 5 };

    // Act
    const leapMonths = Object.fromEntries(Object.keys(leapYears).map((y) => [Number(y), lunarLeapMonth(Number(y))]));
    const firstOfLeap6 = lunarToSolar({ year: 2025, month: 6, day: 1, leap: true });
    const firstOf6 = lunarToSolar({ year: 2025, month: 6, day: 1 });

    // Assess
    expect(leapMonths).toEqual(leapYears);
    expect(lunarLeapMonth(2026)).toBeUndefined();
    expect(firstOfLeap6).toEqual({ year: 2025, month: 7, day: 25 });
    expect(firstOf6).toEqual({ year: 2025, month: 6, day: 25 });
    expect(solarToLunar({ year: 2025, month: 7, day: 25 })).toEqual({ year: 2025, month: 6, day: 1, leap: true });
    expect(toIsoDate(lunarToSolar({ year: 2023, month: 2, day: 1, leap: true }))).toBe('2023-03-22');
  });

  it('rejects lunar dates that do not exist', () => {
    // Prepare / Act / Assess
    expect(() => lunarToSolar({ year: 2026, month: 6, day: 1, leap: true })).toThrow(RangeError); // no leap month in 2026
    expect(() => lunarToSolar({ year: 2025, month: 5, day: 1, leap: true })).toThrow(RangeError); // 2025's leap month is 6
    expect(() => lunarToSolar({ year: 2025, month: 12, day: 30 })).toThrow(RangeError); // tháng Chạp Ất Tỵ has 29 days
    expect(() => lunarToSolar({ year: 2025, month: 13, day: 1 })).toThrow(RangeError);
    expect(() => solarToLunar({ year: 2026, month: 2, day: 29 })).toThrow(RangeError);
  });

  it('gives the last day of the lunar year (29 or 30 tháng Chạp)', () => {
    // Prepare / Act
    const eve2026 = lastDayOfLunarYear(2025);
    const eve2023 = lastDayOfLunarYear(2022);

    // Assess
    expect(eve2026).toBe('2026-02-16');
    expect(solarToLunar(parseIsoDate(eve2026))).toEqual({ year: 2025, month: 12, day: 29, leap: false });
    expect(eve2023).toBe('2023-01-21');
    expect(solarToLunar(parseIsoDate(eve2023))).toEqual({ year: 2022, month: 12, day: 30, leap: false });
  });

  it('round-trips every day of 1968–2100 (including 07/05/2054, where the original algorithm gives "day 0")', () => {
    // Prepare
    let date = '1968-01-01';
    const failures: string[] = [];

    // Act
    while (date < '2101-01-01') {
      const solar = parseIsoDate(date);
      const lunar = solarToLunar(solar);
      if (lunar.day < 1 || lunar.day > 30 || toIsoDate(lunarToSolar(lunar)) !== date) failures.push(date);
      date = addDays(date, 1);
    }

    // Assess
    expect(failures).toEqual([]);
    expect(solarToLunar({ year: 2054, month: 5, day: 7 })).toEqual({ year: 2054, month: 3, day: 30, leap: false });
  });
});

describe('days off', () => {
  it('lists 2026: Tết 16–20/02, Giỗ Tổ on Sunday 26/4 compensated on Monday 27/4, Quốc khánh 2–3/9', () => {
    // Prepare / Act
    const list = daysOff(2026);

    // Assess
    expect(list).toEqual([
      { date: '2026-01-01', name: 'Tết Dương lịch' },
      { date: '2026-02-16', name: 'Tết Nguyên đán (29 Tết)' },
      { date: '2026-02-17', name: 'Tết Nguyên đán (mùng 1)' },
      { date: '2026-02-18', name: 'Tết Nguyên đán (mùng 2)' },
      { date: '2026-02-19', name: 'Tết Nguyên đán (mùng 3)' },
      { date: '2026-02-20', name: 'Tết Nguyên đán (mùng 4)' },
      { date: '2026-04-26', name: 'Giỗ Tổ Hùng Vương' },
      { date: '2026-04-27', name: 'Nghỉ bù Giỗ Tổ Hùng Vương' },
      { date: '2026-04-30', name: 'Ngày Chiến thắng' },
      { date: '2026-05-01', name: 'Ngày Quốc tế Lao động' },
      { date: '2026-09-02', name: 'Quốc khánh' },
      { date: '2026-09-03', name: 'Quốc khánh (ngày liền kề)' },
    ]);
  });

  it('gives compensatory days in 2022: 30/4 (Saturday) and 1/5 (Sunday) → 2/5 and 3/5; 1/1 (Saturday) → 3/1', () => {
    // Prepare
    expect(dayOfWeek('2022-04-30')).toBe(SATURDAY);

    // Act
    const list = daysOff(2022);
    const byDate = new Map(list.map((d) => [d.date, d.name]));

    // Assess
    expect(byDate.get('2022-01-03')).toBe('Nghỉ bù Tết Dương lịch');
    expect(byDate.get('2022-04-11')).toBe('Nghỉ bù Giỗ Tổ Hùng Vương'); // 10/4/2022 was a Sunday
    expect(byDate.get('2022-05-02')).toBe('Nghỉ bù Ngày Chiến thắng');
    expect(byDate.get('2022-05-03')).toBe('Nghỉ bù Ngày Quốc tế Lao động');
    // 2/9/2022 was a Friday: the adjacent day is the day before.
    expect(byDate.get('2022-09-01')).toBe('Quốc khánh (ngày liền kề)');
    expect(byDate.has('2022-09-03')).toBe(false);
    expect(list.map((d) => d.date)).toEqual([...list.map((d) => d.date)].sort());
  });

  it('compensates weekend Tết days after the break, skipping holidays (2023)', () => {
    // Prepare / Act
    const list = daysOff(2023).filter((d) => d.date < '2023-02-01' || (d.date >= '2023-04-01' && d.date < '2023-06-01'));

    // Assess
    expect(list).toEqual([
      { date: '2023-01-01', name: 'Tết Dương lịch' },
      { date: '2023-01-02', name: 'Nghỉ bù Tết Dương lịch' },
      { date: '2023-01-21', name: 'Tết Nguyên đán (30 Tết)' },
      { date: '2023-01-22', name: 'Tết Nguyên đán (mùng 1)' },
      { date: '2023-01-23', name: 'Tết Nguyên đán (mùng 2)' },
      { date: '2023-01-24', name: 'Tết Nguyên đán (mùng 3)' },
      { date: '2023-01-25', name: 'Tết Nguyên đán (mùng 4)' },
      { date: '2023-01-26', name: 'Nghỉ bù Tết Nguyên đán (30 Tết)' },
      { date: '2023-01-27', name: 'Nghỉ bù Tết Nguyên đán (mùng 1)' },
      { date: '2023-04-29', name: 'Giỗ Tổ Hùng Vương' },
      { date: '2023-04-30', name: 'Ngày Chiến thắng' },
      { date: '2023-05-01', name: 'Ngày Quốc tế Lao động' },
      { date: '2023-05-02', name: 'Nghỉ bù Giỗ Tổ Hùng Vương' },
      { date: '2023-05-03', name: 'Nghỉ bù Ngày Chiến thắng' },
    ]);
  });

  it('applies announced adjustments: extra days, removed days and working weekends', () => {
    // Prepare: the kind of swap the government announces (2025: off Friday 2/5, work Saturday 26/4; Quốc khánh on 1–2/9).
    const flat: CalendarOptions = {
      extra: [
        { date: '2025-05-02', name: 'Nghỉ hoán đổi (làm bù thứ Bảy 26/4)' },
        { date: '2025-09-01', name: 'Quốc khánh (ngày liền kề)' },
      ],
      removed: ['2025-09-03'],
      workingWeekends: ['2025-04-26'],
    };
    const grouped: CalendarOptions = { byYear: { 2025: flat } };

    // Act
    const list = daysOff(2025, flat);
    const listGrouped = daysOff(2025, grouped);

    // Assess
    expect(list.filter((d) => d.date >= '2025-04-01').map((d) => d.date)).toEqual([
      '2025-04-07',
      '2025-04-30',
      '2025-05-01',
      '2025-05-02',
      '2025-09-01',
      '2025-09-02',
    ]);
    expect(listGrouped).toEqual(list);
    expect(daysOff(2026, flat)).toEqual(daysOff(2026)); // entries of other years are ignored
    expect(isWorkingDay('2025-04-26')).toBe(false);
    expect(isWorkingDay('2025-04-26', flat)).toBe(true);
    expect(isWorkingDay('2025-05-02', grouped)).toBe(false);
    expect(isWorkingDay('2025-09-03', flat)).toBe(true);
    expect(addWorkingDays('2025-04-25', 1, flat)).toBe('2025-04-26');
  });

  it('rejects inconsistent adjustment data', () => {
    // Prepare / Act / Assess
    expect(() => daysOff(2025, { byYear: { 2025: { removed: ['2026-01-01'] } } })).toThrow(RangeError);
    expect(() => isWorkingDay('2025-04-28', { workingWeekends: ['2025-04-28'] })).toThrow(RangeError); // a Monday
    expect(() => daysOff(2025, { extra: [{ date: '2025-13-01', name: 'x' }] })).toThrow(RangeError);
  });

  it('returns fresh copies of the cached list', () => {
    // Prepare
    const first = daysOff(2026);

    // Act
    first.pop();
    first[0]!.name = 'changed';
    const second = daysOff(2026);

    // Assess
    expect(second).toHaveLength(12);
    expect(second[0]).toEqual({ date: '2026-01-01', name: 'Tết Dương lịch' });
  });
});

describe('working days', () => {
  it('knows weekends and holidays', () => {
    // Prepare / Act / Assess
    expect(isWorkingDay('2026-02-13')).toBe(true); // Friday before Tết
    expect(isWorkingDay('2026-02-14')).toBe(false); // Saturday
    expect(isWorkingDay('2026-02-18')).toBe(false); // mùng 2 Tết
    expect(isWorkingDay('2026-04-27')).toBe(false); // nghỉ bù Giỗ Tổ
    expect(isWorkingDay('2026-04-28')).toBe(true);
    expect(() => isWorkingDay('2026-02-30')).toThrow(RangeError);
  });

  it('addWorkingDays skips weekends and holidays', () => {
    // Prepare
    const wednesdayBefore30April = '2026-04-29';

    // Act
    const first = addWorkingDays(wednesdayBefore30April, 1);
    const second = addWorkingDays(wednesdayBefore30April, 2);
    const afterFriday = addWorkingDays('2026-04-24', 1);
    const acrossTet = addWorkingDays('2026-02-12', 3);

    // Assess
    expect(first).toBe('2026-05-04'); // 30/4, 1/5 holidays; 2–3/5 weekend
    expect(dayOfWeek(first)).toBe(MONDAY);
    expect(second).toBe('2026-05-05');
    expect(afterFriday).toBe('2026-04-28'); // 25–26 weekend, 27 nghỉ bù Giỗ Tổ
    expect(acrossTet).toBe('2026-02-24'); // 13/2, then Tết 16–20/2 and two weekends, 23/2, 24/2
    expect(addWorkingDays('2026-03-02', 5)).toBe('2026-03-09');
    expect(() => addWorkingDays('2026-03-02', 0)).toThrow(RangeError);
    expect(() => addWorkingDays('2026-03-02', 1.5)).toThrow(RangeError);
  });

  it('nextWorkingDayOnOrAfter keeps a working day and moves a day off forward', () => {
    // Prepare / Act / Assess
    expect(nextWorkingDayOnOrAfter('2026-02-13')).toBe('2026-02-13');
    expect(nextWorkingDayOnOrAfter('2026-02-14')).toBe('2026-02-23');
    expect(nextWorkingDayOnOrAfter('2025-12-31')).toBe('2025-12-31');
    expect(nextWorkingDayOnOrAfter('2027-01-01')).toBe('2027-01-04'); // Friday 1/1, then the weekend
  });
});

describe('reporting periods', () => {
  it('builds decree09 monthly windows: 15th of the previous month → 14th', () => {
    // Prepare / Act
    const months = periodsOf(2026, 'monthly', 'decree09');

    // Assess
    expect(months).toHaveLength(12);
    expect(months[0]).toEqual({
      id: '2026-M01',
      cadence: 'monthly',
      year: 2026,
      index: 1,
      label: 'Tháng 1/2026',
      start: '2025-12-15',
      end: '2026-01-14',
    });
    expect(months[2]).toMatchObject({ id: '2026-M03', label: 'Tháng 3/2026', start: '2026-02-15', end: '2026-03-14' });
    expect(months[11]).toMatchObject({ id: '2026-M12', start: '2026-11-15', end: '2026-12-14' });
  });

  it('builds decree09 quarterly, half-year and year windows', () => {
    // Prepare / Act
    const quarters = periodsOf(2026, 'quarterly', 'decree09');
    const halves = periodsOf(2026, 'half-year', 'decree09');
    const years = periodsOf(2026, 'year', 'decree09');

    // Assess
    expect(quarters.map(({ id, label, start, end }) => ({ id, label, start, end }))).toEqual([
      { id: '2026-Q1', label: 'Quý I/2026', start: '2025-12-15', end: '2026-03-14' },
      { id: '2026-Q2', label: 'Quý II/2026', start: '2026-03-15', end: '2026-06-14' },
      { id: '2026-Q3', label: 'Quý III/2026', start: '2026-06-15', end: '2026-09-14' },
      { id: '2026-Q4', label: 'Quý IV/2026', start: '2026-09-15', end: '2026-12-14' },
    ]);
    expect(halves).toEqual([
      { id: '2026-H1', cadence: 'half-year', year: 2026, index: 1, label: '6 tháng đầu năm 2026', start: '2025-12-15', end: '2026-06-14' },
    ]);
    expect(years).toEqual([
      { id: '2026-Y', cadence: 'year', year: 2026, index: 1, label: 'Năm 2026', start: '2025-12-15', end: '2026-12-14' },
    ]);
  });

  it('builds calendar windows', () => {
    // Prepare / Act
    const months = periodsOf(2028, 'monthly', 'calendar');
    const quarters = periodsOf(2026, 'quarterly', 'calendar');
    const [h1] = periodsOf(2026, 'half-year', 'calendar');
    const [year] = periodsOf(2026, 'year', 'calendar');

    // Assess
    expect(months[1]).toMatchObject({ id: '2028-M02', start: '2028-02-01', end: '2028-02-29' });
    expect(months[11]).toMatchObject({ id: '2028-M12', start: '2028-12-01', end: '2028-12-31' });
    expect(quarters.map((q) => [q.start, q.end])).toEqual([
      ['2026-01-01', '2026-03-31'],
      ['2026-04-01', '2026-06-30'],
      ['2026-07-01', '2026-09-30'],
      ['2026-10-01', '2026-12-31'],
    ]);
    expect(h1).toMatchObject({ id: '2026-H1', start: '2026-01-01', end: '2026-06-30' });
    expect(year).toMatchObject({ id: '2026-Y', start: '2026-01-01', end: '2026-12-31' });
  });

  it('parses period ids', () => {
    // Prepare / Act / Assess
    expect(parsePeriodId('2026-M03')).toEqual({ year: 2026, cadence: 'monthly', index: 3 });
    expect(parsePeriodId('2026-Q4')).toEqual({ year: 2026, cadence: 'quarterly', index: 4 });
    expect(parsePeriodId('2026-H1')).toEqual({ year: 2026, cadence: 'half-year', index: 1 });
    expect(parsePeriodId('2026-Y')).toEqual({ year: 2026, cadence: 'year', index: 1 });
    for (const bad of ['2026-H2', '2026-M13', '2026-M3', '2026-Q0', '2026-Q5', '26-Y', 'năm 2026']) {
      expect(() => parsePeriodId(bad), bad).toThrow(RangeError);
    }
    for (const cadence of ['monthly', 'quarterly', 'half-year', 'year'] as const) {
      for (const p of periodsOf(2026, cadence, 'decree09')) expect(periodById(p.id, 'decree09')).toEqual(p);
    }
  });

  it('formats dates the Vietnamese way', () => {
    expect(formatDateVi('2026-02-17')).toBe('17/02/2026');
    expect(formatDateVi('2026-12-01')).toBe('01/12/2026');
  });
});

describe('due dates', () => {
  it('moves a deadline that falls in the Tết 2026 break (16–20/02) to Monday 23/02/2026', () => {
    // Prepare: decree09 February 2026 closes on Saturday 14/02; January 2026 (calendar) closes on 31/01.
    const february = period('2026-M02');
    const january = period('2026-M01', 'calendar');

    // Act
    const oneWorkingDay = dueDate(february, { kind: 'workingDaysAfterCutoff', days: 1 });
    const twoWorkingDays = dueDate(february, { kind: 'workingDaysAfterCutoff', days: 2 });
    const on18th = dueDate(january, { kind: 'dayOfMonth', day: 18 }); // 18/02 is mùng 2 Tết
    const on20th = dueDate(february, { kind: 'dayOfMonth', day: 20 }); // 20/02 is mùng 4 Tết

    // Assess
    expect(february.end).toBe('2026-02-14');
    expect(oneWorkingDay).toBe('2026-02-23');
    expect(dayOfWeek(oneWorkingDay)).toBe(MONDAY);
    expect(twoWorkingDays).toBe('2026-02-24');
    expect(on18th).toBe('2026-02-23');
    expect(on20th).toBe('2026-02-23');
  });

  it('dayOfMonth: first such day strictly after the cut-off, clamped to the month, moved off weekends/holidays', () => {
    // Prepare / Act / Assess
    expect(dueDate(period('2026-M03'), { kind: 'dayOfMonth', day: 20 })).toBe('2026-03-20'); // same month, a Friday
    expect(dueDate(period('2026-M03'), { kind: 'dayOfMonth', day: 14 })).toBe('2026-04-14'); // 14/3 is not after 14/3
    // 31 → 30/4 (Ngày Chiến thắng), 1/5 holiday, weekend → Monday 4/5
    expect(dueDate(period('2026-M04'), { kind: 'dayOfMonth', day: 31 })).toBe('2026-05-04');
    // January (calendar) closes 31/01 → 28/02/2026 (Saturday) → Monday 02/03
    expect(dueDate(period('2026-M01', 'calendar'), { kind: 'dayOfMonth', day: 31 })).toBe('2026-03-02');
    // Year (decree09) closes 14/12/2026 → 20/12/2026 is a Sunday → 21/12
    expect(dueDate(period('2026-Y'), { kind: 'dayOfMonth', day: 20 })).toBe('2026-12-21');
    // Year (calendar) closes 31/12/2026 → 15/01/2027
    expect(dueDate(period('2026-Y', 'calendar'), { kind: 'dayOfMonth', day: 15 })).toBe('2027-01-15');
    expect(() => dueDate(period('2026-M03'), { kind: 'dayOfMonth', day: 32 })).toThrow(RangeError);
  });

  it('workingDaysAfterCutoff counts working days after the window closes, honouring announced swaps', () => {
    // Prepare: Q1/2025 (decree09) closes Friday 14/03/2025; Q2/2025 closes Saturday 14/06/2025.
    const q1 = period('2025-Q1');
    const q2 = period('2025-Q2');
    const swap: CalendarOptions = { byYear: { 2025: { extra: [{ date: '2025-06-16', name: 'Ngày nghỉ bổ sung' }] } } };

    // Act / Assess
    expect(dueDate(q1, { kind: 'workingDaysAfterCutoff', days: 2 })).toBe('2025-03-18');
    expect(dueDate(q2, { kind: 'workingDaysAfterCutoff', days: 1 })).toBe('2025-06-16');
    expect(dueDate(q2, { kind: 'workingDaysAfterCutoff', days: 1 }, swap)).toBe('2025-06-17');
    expect(() => dueDate(q1, { kind: 'workingDaysAfterCutoff', days: 0 })).toThrow(RangeError);
  });
});
