import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './output.ts';

/** The simulated time of the local stack, kept between commands: schedules fire as this clock passes them. */
export class LocalClock {
  constructor(private readonly dir: string) {}

  private get file() {
    return resolve(this.dir, 'clock.json');
  }

  now(): Date {
    if (!existsSync(this.file)) return new Date();
    return new Date((JSON.parse(readFileSync(this.file, 'utf8')) as { now: string }).now);
  }

  isSimulated(): boolean {
    return existsSync(this.file);
  }

  set(to: Date): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(this.file, JSON.stringify({ now: to.toISOString() }, null, 2));
  }
}

/** "2027-03-10" or "2027-03-10T07:30" (Vietnam time), or a full ISO instant with its offset. */
export function parseInstantVi(text: string): Date {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  const d = m ? new Date(`${m[1]}T${m[2] ?? '00'}:${m[3] ?? '00'}:${m[4] ?? '00'}+07:00`) : new Date(text);
  if (Number.isNaN(d.getTime())) throw new UsageError(`Thời điểm "${text}" không hợp lệ; dùng YYYY-MM-DD hoặc YYYY-MM-DDTHH:MM (giờ Việt Nam).`);
  return d;
}

/** "3d", "2w", "12h", "90m", or combinations like "1w2d". */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
  const parts = [...text.trim().matchAll(/(\d+)\s*([mhdw])/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text.replace(/\s+/g, '')) {
    throw new UsageError(`Khoảng thời gian "${text}" không hợp lệ; ví dụ: 1d, 2w, 12h, 1w2d.`);
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * (units[p[2] as string] as number), 0);
}

export const formatInstantVi = (d: Date) =>
  new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', weekday: 'long', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(d);
