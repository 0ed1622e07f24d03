import { z } from 'zod';
import { isWeekend, type CalendarOptions } from './holidays.ts';

const isoDate = z.iso.date();

/**
 * The government's announcement for a year (e.g. the Ministry's notice on Tết and the 2/9 swap), loaded as data:
 * extra days off, computed days that are not off after all, and weekend days worked in exchange.
 */
export const CalendarAdjustmentsFile = z
  .object({
    year: z.number().int().min(1968).max(2199),
    source: z.string().trim().min(1).optional(),
    extra: z.array(z.object({ date: isoDate, name: z.string().trim().min(1) })).default([]),
    removed: z.array(isoDate).default([]),
    workingWeekends: z.array(isoDate).default([]),
  })
  .superRefine((f, ctx) => {
    const check = (date: string, path: (string | number)[]) => {
      if (!date.startsWith(`${f.year}-`)) ctx.addIssue({ code: 'custom', path, message: `ngày ${date} không thuộc năm ${f.year}` });
    };
    f.extra.forEach((d, i) => check(d.date, ['extra', i, 'date']));
    f.removed.forEach((d, i) => check(d, ['removed', i]));
    f.workingWeekends.forEach((d, i) => {
      check(d, ['workingWeekends', i]);
      if (!isWeekend(d)) ctx.addIssue({ code: 'custom', path: ['workingWeekends', i], message: `ngày ${d} không phải thứ Bảy hay Chủ nhật` });
    });
  });
export type CalendarAdjustmentsFile = z.infer<typeof CalendarAdjustmentsFile>;

export function toCalendarOptions(files: readonly CalendarAdjustmentsFile[]): CalendarOptions {
  return { byYear: Object.fromEntries(files.map((f) => [f.year, { extra: f.extra, removed: f.removed, workingWeekends: f.workingWeekends }])) };
}
