/**
 * The daily safety net of the intake: a report file that landed in the bucket but never got a verdict (its message
 * was lost, or dead-lettered by an outage) is sent through the intake again. Per open period of each directive: a
 * listing of the period's prefix in the bucket (ListObjectsV2 by prefix), each page's verdicts read by key; never a scan.
 */
import type { Directive } from '../domain/directive.ts';
import { reportingPeriods } from '../domain/assignment.ts';
import { addDays, vietnamDate } from '../domain/calendar/index.ts';
import { REPORTS_PREFIX } from '../contract/bucket.ts';
import type { CalendarSource, DirectiveStore, ReportLog, ReportStorage, WorkQueue } from './ports.ts';

/** Files younger than this may still be in the intake's hands: they are left alone. */
export const RECONCILE_GRACE_MINUTES = 30;
/** A period is looked at until its links expire (60 days after the deadline) and a week more. */
const LOOK_AFTER_DUE_DAYS = 67;
/**
 * ...and from a month before it starts: links go out with the assignment, so a file may come early; one that came
 * earlier still and was lost is found once its period is within reach.
 */
const LOOK_BEFORE_START_DAYS = 31;

/** What the intake queue takes: an S3 ObjectCreated notification, as S3 itself sends it. */
export interface ReplayedNotification {
  key: string;
  Records: {
    eventName: 'ObjectCreated:Put';
    eventTime: string;
    s3: { bucket: { name: string }; object: { key: string; eTag?: string; size?: number } };
  }[];
}

export interface ReconcileDeps {
  directives: DirectiveStore;
  reports: ReportLog;
  storage: ReportStorage & { readonly bucket: string };
  intake: WorkQueue<ReplayedNotification>;
  calendar?: CalendarSource;
}

export interface ReconcileResult {
  date: string;
  periods: number;
  files: number;
  withoutVerdict: string[];
}

/** The periods of a directive that can still receive uploads on `today`. */
function openPeriods(directive: Directive, today: string, cal: Awaited<ReturnType<CalendarSource['calendarFor']>> | undefined) {
  return reportingPeriods(directive, cal).filter(({ period, due }) => addDays(period.start, -LOOK_BEFORE_START_DAYS) <= today && today <= addDays(due, LOOK_AFTER_DUE_DAYS));
}

export async function reconcileUploads(now: Date, deps: ReconcileDeps): Promise<ReconcileResult> {
  const today = vietnamDate(now);
  const year = Number(today.slice(0, 4));
  const before = new Date(now.getTime() - RECONCILE_GRACE_MINUTES * 60_000);
  const cal = await deps.calendar?.calendarFor([year - 1, year, year + 1]);
  // Last year's reports still arrive in January; next year's directives are issued in December.
  const directives = (await Promise.all([year - 1, year, year + 1].map((y) => deps.directives.directivesOfYear(y)))).flat();
  const result: ReconcileResult = { date: today, periods: 0, files: 0, withoutVerdict: [] };
  for (const directive of directives) {
    for (const { period } of openPeriods(directive, today, cal)) {
      result.periods++;
      // Each page of the listing is checked by key (BatchGetItem): a quiet period costs one listing.
      for await (const page of deps.storage.listReports(`${REPORTS_PREFIX}${directive.id}/${period.id}/`, before)) {
        result.files += page.length;
        const known = new Set((await deps.reports.uploadOutcomesOf(page.map((f) => ({ directiveId: directive.id, periodId: period.id, reportKey: f.key })))).map((o) => o.reportKey));
        const missing = page.filter((f) => !known.has(f.key));
        result.withoutVerdict.push(...missing.map((f) => f.key));
        await deps.intake.sendAll(missing.map((f) => notificationOf(f, deps.storage.bucket)));
      }
    }
  }
  return result;
}

/** The notification S3 would have sent (the key URL-encoded, spaces as '+'); the intake resolves the version it reads. */
function notificationOf(file: { key: string; lastModified: string; eTag?: string }, bucket: string): ReplayedNotification {
  return {
    key: `reconcile:${file.key}`,
    Records: [
      {
        eventName: 'ObjectCreated:Put',
        eventTime: file.lastModified,
        s3: { bucket: { name: bucket }, object: { key: encodeURIComponent(file.key).replace(/%2F/g, '/').replace(/%20/g, '+'), ...(file.eTag ? { eTag: file.eTag } : {}) } },
      },
    ],
  };
}
