/**
 * Vietnamese lunar calendar (âm lịch), computed astronomically, plus the day-number helpers the rest of the
 * calendar module uses for ISO dates.
 *
 * The lunar part is a port of Hồ Ngọc Đức's algorithm ("Thuật toán tính âm lịch", amlich.js), which follows
 * Jean Meeus, "Astronomical Algorithms": new moons and the sun's longitude are computed, then the calendar rules
 * are applied in a given time zone:
 *   - a month starts on the day (local time) of a new moon;
 *   - month 11 is the month that contains the winter solstice;
 *   - when 13 new moons fall between two winter-solstice months, the first month after month 11 that contains
 *     no major solar term (trung khí) is the leap month and repeats the number of the month before it.
 *
 * Vietnam has used the calendar computed at UTC+7 since 1968 (VN_TIME_ZONE). China's calendar is computed at UTC+8,
 * so the two differ in some years: Tết 1985 is 21/01/1985 in Vietnam, Chinese New Year is 20/02/1985. Before 1968
 * Vietnam followed the UTC+8 calendar, so results for earlier years are the UTC+7 calendar, not the historical one.
 *
 * The algorithm is intended for years 1800–2199; the public functions reject years outside that range.
 */

const INT = Math.floor;
const PI = Math.PI;

/** Time zone (hours east of UTC) at which Vietnam's lunar calendar is computed. */
export const VN_TIME_ZONE = 7;
/** First and last Gregorian/lunar year the public functions accept. */
export const MIN_YEAR = 1800;
export const MAX_YEAR = 2199;

/** A Gregorian (dương lịch) date. */
export interface SolarDate {
  year: number;
  month: number;
  day: number;
}

/** A lunar (âm lịch) date. `year` is the lunar year, numbered like the Gregorian year in which it starts. */
export interface LunarDate {
  year: number;
  month: number;
  day: number;
  /** True for a day of the leap month (tháng nhuận). */
  leap: boolean;
}

export interface LunarDateInput {
  year: number;
  month: number;
  day: number;
  leap?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Hồ Ngọc Đức's algorithm. Kept close to the original so it can be compared line by line.
// ---------------------------------------------------------------------------------------------------------------

/** Julian day number of a Gregorian date (Julian calendar before 15/10/1582). */
export function jdFromDate(dd: number, mm: number, yy: number): number {
  const a = INT((14 - mm) / 12);
  const y = yy + 4800 - a;
  const m = mm + 12 * a - 3;
  let jd = dd + INT((153 * m + 2) / 5) + 365 * y + INT(y / 4) - INT(y / 100) + INT(y / 400) - 32045;
  if (jd < 2299161) {
    jd = dd + INT((153 * m + 2) / 5) + 365 * y + INT(y / 4) - 32083;
  }
  return jd;
}

/** Gregorian date of a Julian day number (inverse of jdFromDate). */
export function jdToDate(jd: number): SolarDate {
  let b: number;
  let c: number;
  if (jd > 2299160) {
    const a = jd + 32044;
    b = INT((4 * a + 3) / 146097);
    c = a - INT((b * 146097) / 4);
  } else {
    b = 0;
    c = jd + 32082;
  }
  const d = INT((4 * c + 3) / 1461);
  const e = c - INT((1461 * d) / 4);
  const m = INT((5 * e + 2) / 153);
  const day = e - INT((153 * m + 2) / 5) + 1;
  const month = m + 3 - 12 * INT(m / 10);
  const year = b * 100 + d - 4800 + INT(m / 10);
  return { year, month, day };
}

/** Julian date (UTC, fractional) of the k-th new moon after the one of 1/1/1900 13:52 UTC. */
function newMoon(k: number): number {
  const T = k / 1236.85; // time in Julian centuries from 1900 January 0.5
  const T2 = T * T;
  const T3 = T2 * T;
  const dr = PI / 180;
  let jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
  jd1 = jd1 + 0.00033 * Math.sin((166.56 + 132.87 * T - 0.009173 * T2) * dr); // mean new moon
  const M = 359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3; // sun's mean anomaly
  const Mpr = 306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3; // moon's mean anomaly
  const F = 21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3; // moon's argument of latitude
  let C1 = (0.1734 - 0.000393 * T) * Math.sin(M * dr) + 0.0021 * Math.sin(2 * dr * M);
  C1 = C1 - 0.4068 * Math.sin(Mpr * dr) + 0.0161 * Math.sin(dr * 2 * Mpr);
  C1 = C1 - 0.0004 * Math.sin(dr * 3 * Mpr);
  C1 = C1 + 0.0104 * Math.sin(dr * 2 * F) - 0.0051 * Math.sin(dr * (M + Mpr));
  C1 = C1 - 0.0074 * Math.sin(dr * (M - Mpr)) + 0.0004 * Math.sin(dr * (2 * F + M));
  C1 = C1 - 0.0004 * Math.sin(dr * (2 * F - M)) - 0.0006 * Math.sin(dr * (2 * F + Mpr));
  C1 = C1 + 0.001 * Math.sin(dr * (2 * F - Mpr)) + 0.0005 * Math.sin(dr * (2 * Mpr + M));
  let deltat: number;
  if (T < -11) {
    deltat = 0.001 + 0.000839 * T + 0.0002261 * T2 - 0.00000845 * T3 - 0.000000081 * T * T3;
  } else {
    deltat = -0.000278 + 0.000265 * T + 0.000262 * T2;
  }
  return jd1 + C1 - deltat;
}

/** Sun's apparent longitude in radians [0, 2π) at the given Julian date (UTC, fractional). */
function sunLongitude(jdn: number): number {
  const T = (jdn - 2451545.0) / 36525; // Julian centuries from 2000-01-01 12:00 UTC
  const T2 = T * T;
  const dr = PI / 180;
  const M = 357.5291 + 35999.0503 * T - 0.0001559 * T2 - 0.00000048 * T * T2; // mean anomaly, degrees
  const L0 = 280.46645 + 36000.76983 * T + 0.0003032 * T2; // mean longitude, degrees
  let DL = (1.9146 - 0.004817 * T - 0.000014 * T2) * Math.sin(dr * M);
  DL = DL + (0.019993 - 0.000101 * T) * Math.sin(dr * 2 * M) + 0.00029 * Math.sin(dr * 3 * M);
  let L = (L0 + DL) * dr;
  L = L - PI * 2 * INT(L / (PI * 2)); // normalise to [0, 2π)
  return L;
}

/** Julian day number of the local day on which the k-th new moon falls. */
export function getNewMoonDay(k: number, timeZone: number = VN_TIME_ZONE): number {
  return INT(newMoon(k) + 0.5 + timeZone / 24);
}

/** Sector 0..11 (30° each) of the sun's longitude at the start of local day jdn; 9 means the winter solstice passed. */
export function getSunLongitude(jdn: number, timeZone: number = VN_TIME_ZONE): number {
  return INT((sunLongitude(jdn - 0.5 - timeZone / 24) / PI) * 6);
}

/** Julian day number of the first day of lunar month 11 that falls in (or just before the end of) Gregorian year yy. */
export function getLunarMonth11(yy: number, timeZone: number = VN_TIME_ZONE): number {
  const off = jdFromDate(31, 12, yy) - 2415021;
  const k = INT(off / 29.530588853);
  let nm = getNewMoonDay(k, timeZone);
  const sunLong = getSunLongitude(nm, timeZone); // sun longitude at local midnight
  if (sunLong >= 9) {
    nm = getNewMoonDay(k - 1, timeZone);
  }
  return nm;
}

/** Offset, in months after month 11 starting at a11, of the leap month of a 13-month lunar year. */
export function getLeapMonthOffset(a11: number, timeZone: number = VN_TIME_ZONE): number {
  const k = INT((a11 - 2415021.076998695) / 29.530588853 + 0.5);
  let last: number;
  let i = 1; // start with the month following lunar month 11
  let arc = getSunLongitude(getNewMoonDay(k + i, timeZone), timeZone);
  do {
    last = arc;
    i++;
    arc = getSunLongitude(getNewMoonDay(k + i, timeZone), timeZone);
  } while (arc !== last && i < 14);
  return i - 1;
}

/** Lunar date of a Gregorian date (no validation). */
export function convertSolar2Lunar(dd: number, mm: number, yy: number, timeZone: number = VN_TIME_ZONE): LunarDate {
  const dayNumber = jdFromDate(dd, mm, yy);
  const k = INT((dayNumber - 2415021.076998695) / 29.530588853);
  let monthStart = getNewMoonDay(k + 1, timeZone);
  if (monthStart > dayNumber) {
    monthStart = getNewMoonDay(k, timeZone);
  }
  // Not in the original: the estimate of k is occasionally one lunation too high (e.g. 07/05/2054), which would yield
  // "day 0" of the following month. Step back until the month starts on or before the day.
  for (let back = k - 1; monthStart > dayNumber; back--) {
    monthStart = getNewMoonDay(back, timeZone);
  }
  let a11 = getLunarMonth11(yy, timeZone);
  let b11 = a11;
  let lunarYear: number;
  if (a11 >= monthStart) {
    lunarYear = yy;
    a11 = getLunarMonth11(yy - 1, timeZone);
  } else {
    lunarYear = yy + 1;
    b11 = getLunarMonth11(yy + 1, timeZone);
  }
  const lunarDay = dayNumber - monthStart + 1;
  const diff = INT((monthStart - a11) / 29);
  let leap = false;
  let lunarMonth = diff + 11;
  if (b11 - a11 > 365) {
    const leapMonthDiff = getLeapMonthOffset(a11, timeZone);
    if (diff >= leapMonthDiff) {
      lunarMonth = diff + 10;
      if (diff === leapMonthDiff) {
        leap = true;
      }
    }
  }
  if (lunarMonth > 12) {
    lunarMonth = lunarMonth - 12;
  }
  if (lunarMonth >= 11 && diff < 4) {
    lunarYear -= 1;
  }
  return { year: lunarYear, month: lunarMonth, day: lunarDay, leap };
}

/**
 * Gregorian date of a lunar date (no validation of the day). Returns undefined when `leap` is set but the month is
 * not the leap month of that year.
 */
export function convertLunar2Solar(
  lunarDay: number,
  lunarMonth: number,
  lunarYear: number,
  lunarLeap: boolean,
  timeZone: number = VN_TIME_ZONE,
): SolarDate | undefined {
  let a11: number;
  let b11: number;
  if (lunarMonth < 11) {
    a11 = getLunarMonth11(lunarYear - 1, timeZone);
    b11 = getLunarMonth11(lunarYear, timeZone);
  } else {
    a11 = getLunarMonth11(lunarYear, timeZone);
    b11 = getLunarMonth11(lunarYear + 1, timeZone);
  }
  const k = INT(0.5 + (a11 - 2415021.076998695) / 29.530588853);
  let off = lunarMonth - 11;
  if (off < 0) {
    off += 12;
  }
  if (b11 - a11 > 365) {
    const leapOff = getLeapMonthOffset(a11, timeZone);
    let leapMonth = leapOff - 2;
    if (leapMonth < 0) {
      leapMonth += 12;
    }
    if (lunarLeap && lunarMonth !== leapMonth) {
      return undefined;
    } else if (lunarLeap || off >= leapOff) {
      off += 1;
    }
  } else if (lunarLeap) {
    return undefined; // no leap month in this span
  }
  const monthStart = getNewMoonDay(k + off, timeZone);
  return jdToDate(monthStart + lunarDay - 1);
}

// ---------------------------------------------------------------------------------------------------------------
// ISO date helpers (YYYY-MM-DD, calendar dates without time or time zone), built on Julian day numbers.
// ---------------------------------------------------------------------------------------------------------------

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Number of days in a Gregorian month. */
export function daysInMonth(year: number, month: number): number {
  return jdFromDate(1, month === 12 ? 1 : month + 1, month === 12 ? year + 1 : year) - jdFromDate(1, month, year);
}

function isValidSolar(d: SolarDate): boolean {
  return (
    Number.isInteger(d.year) &&
    Number.isInteger(d.month) &&
    Number.isInteger(d.day) &&
    d.year >= 1 &&
    d.year <= 9999 &&
    d.month >= 1 &&
    d.month <= 12 &&
    d.day >= 1 &&
    d.day <= daysInMonth(d.year, d.month)
  );
}

/** Formats a Gregorian date as YYYY-MM-DD. Throws RangeError for an invalid date. */
export function toIsoDate(d: SolarDate): string {
  if (!isValidSolar(d)) {
    throw new RangeError(`Invalid date: ${JSON.stringify(d)}`);
  }
  return `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
}

/** Parses a strict YYYY-MM-DD date. Throws RangeError for anything else (including 2026-02-30). */
export function parseIsoDate(iso: string): SolarDate {
  const m = typeof iso === 'string' ? ISO_DATE.exec(iso) : null;
  const d = m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : undefined;
  if (!d || !isValidSolar(d)) {
    throw new RangeError(`Invalid ISO date (expected YYYY-MM-DD): ${String(iso)}`);
  }
  return d;
}

/** Whether `iso` is a strict YYYY-MM-DD date that exists (2026-02-30 does not). */
export function isIsoDate(iso: string): boolean {
  const m = typeof iso === 'string' ? ISO_DATE.exec(iso) : null;
  return !!m && isValidSolar({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) });
}

/** Julian day number of a YYYY-MM-DD date. */
export function isoToJd(iso: string): number {
  const d = parseIsoDate(iso);
  return jdFromDate(d.day, d.month, d.year);
}

/** YYYY-MM-DD date of a Julian day number. */
export function jdToIso(jd: number): string {
  return toIsoDate(jdToDate(jd));
}

/** The date `days` days after (negative: before) `iso`. */
export function addDays(iso: string, days: number): string {
  if (!Number.isInteger(days)) {
    throw new RangeError(`days must be an integer: ${days}`);
  }
  return jdToIso(isoToJd(iso) + days);
}

/** Day of the week of a YYYY-MM-DD date: 0 = Sunday (Chủ nhật), 1 = Monday (Thứ Hai), …, 6 = Saturday (Thứ Bảy). */
export function dayOfWeek(iso: string): number {
  return (isoToJd(iso) + 1) % 7;
}

// ---------------------------------------------------------------------------------------------------------------
// Public lunar API (Vietnam, UTC+7).
// ---------------------------------------------------------------------------------------------------------------

function assertYear(year: number, what = 'year'): void {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new RangeError(`${what} must be an integer in ${MIN_YEAR}..${MAX_YEAR}: ${year}`);
  }
}

/** Vietnamese lunar date of a Gregorian date. */
export function solarToLunar(date: SolarDate): LunarDate {
  if (!isValidSolar(date)) {
    throw new RangeError(`Invalid date: ${JSON.stringify(date)}`);
  }
  assertYear(date.year);
  return convertSolar2Lunar(date.day, date.month, date.year, VN_TIME_ZONE);
}

/**
 * Gregorian date of a Vietnamese lunar date. Throws RangeError when the date does not exist: `leap` set for a month
 * that is not the leap month of that year, or day 30 of a 29-day month.
 */
export function lunarToSolar(lunar: LunarDateInput): SolarDate {
  const { year, month, day } = lunar;
  const leap = lunar.leap ?? false;
  assertYear(year, 'lunar year');
  if (!Number.isInteger(month) || month < 1 || month > 12 || !Number.isInteger(day) || day < 1 || day > 30) {
    throw new RangeError(`Invalid lunar date: ${JSON.stringify(lunar)}`);
  }
  const solar = convertLunar2Solar(day, month, year, leap, VN_TIME_ZONE);
  // Round trip: catches a wrong leap flag and day 30 of a 29-day month (which would spill into the next month).
  const back = solar && convertSolar2Lunar(solar.day, solar.month, solar.year, VN_TIME_ZONE);
  if (!solar || !back || back.year !== year || back.month !== month || back.day !== day || back.leap !== leap) {
    throw new RangeError(`No such lunar date in Vietnam's calendar: ${JSON.stringify(lunar)}`);
  }
  return solar;
}

/** ISO date of Tết Nguyên đán (mùng 1 tháng Giêng, 1st day of the 1st lunar month) of lunar year `year`. */
export function lunarNewYear(year: number): string {
  assertYear(year);
  const solar = convertLunar2Solar(1, 1, year, false, VN_TIME_ZONE);
  if (!solar) {
    throw new RangeError(`Cannot compute Tết for ${year}`); // unreachable: month 1 is never flagged leap
  }
  return toIsoDate(solar);
}

/** ISO date of the last day (29 or 30 tháng Chạp, or of a leap 12th month) of lunar year `lunarYear`: the eve of Tết. */
export function lastDayOfLunarYear(lunarYear: number): string {
  assertYear(lunarYear, 'lunar year');
  const next = convertLunar2Solar(1, 1, lunarYear + 1, false, VN_TIME_ZONE);
  if (!next) {
    throw new RangeError(`Cannot compute Tết for ${lunarYear + 1}`); // unreachable
  }
  return jdToIso(jdFromDate(next.day, next.month, next.year) - 1);
}

/** Number (1..12) of the leap month (tháng nhuận) of lunar year `lunarYear`, or undefined in a 12-month year. */
export function lunarLeapMonth(lunarYear: number): number | undefined {
  assertYear(lunarYear, 'lunar year');
  const start = isoToJd(lunarNewYear(lunarYear));
  const end = isoToJd(lastDayOfLunarYear(lunarYear));
  // Walk the first days of the months of the year (a lunar year has at most 13 months).
  const k0 = INT(0.5 + (start - 2415021.076998695) / 29.530588853);
  for (let i = 0; i <= 13; i++) {
    const jd = getNewMoonDay(k0 + i, VN_TIME_ZONE);
    if (jd < start) continue;
    if (jd > end) break;
    const d = jdToDate(jd);
    const l = convertSolar2Lunar(d.day, d.month, d.year, VN_TIME_ZONE);
    if (l.leap) return l.month;
  }
  return undefined;
}
