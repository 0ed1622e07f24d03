import type { EventType } from './schemas.ts';

/**
 * The schedules, in one place: infra/ creates an EventBridge Scheduler schedule for each (cron in Vietnam's
 * time zone, target: PutEvents on the thidua bus), and the local scheduler fires the same ones on its clock.
 * The detail's `scheduledTime` is filled with the occurrence's time (`<aws.scheduler.scheduled-time>` on AWS).
 */
export interface ScheduleSpec {
  id: string;
  description: string;
  /** AWS cron: minutes hours day-of-month month day-of-week year. */
  cron: string;
  timezone: 'Asia/Ho_Chi_Minh';
  event: Extract<EventType, 'PeriodClosed' | 'DailySweepDue' | 'StatusDigestDue' | 'UploadsReconcileDue'>;
  /** The detail, apart from `scheduledTime`. */
  detail: Record<string, string>;
}

export const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';

export const schedules: readonly ScheduleSpec[] = [
  {
    id: 'daily-sweep',
    description: 'Every morning at 07:00 in Vietnam: reminders before deadlines, notices and escalations after',
    cron: '0 7 * * ? *',
    timezone: 'Asia/Ho_Chi_Minh',
    event: 'DailySweepDue',
    detail: {},
  },
  {
    id: 'weekly-status',
    description: 'Mondays at 07:30 in Vietnam: during a reporting window, leaders get one list of who has not reported',
    cron: '30 7 ? * MON *',
    timezone: 'Asia/Ho_Chi_Minh',
    event: 'StatusDigestDue',
    detail: {},
  },
  {
    id: 'uploads-reconcile',
    description: 'Every night at 02:30 in Vietnam: report files without a verdict go back through the intake',
    cron: '30 2 * * ? *',
    timezone: 'Asia/Ho_Chi_Minh',
    event: 'UploadsReconcileDue',
    detail: {},
  },
  {
    id: 'period-close-decree09',
    description: 'Decree 09 windows end on the 14th: at 00:00 on the 15th, request the reports',
    cron: '0 0 15 * ? *',
    timezone: 'Asia/Ho_Chi_Minh',
    event: 'PeriodClosed',
    detail: { cutoff: 'decree09' },
  },
  {
    id: 'period-close-calendar',
    description: 'Calendar windows end on the last day of the month: at 00:00 on the 1st, request the reports',
    cron: '0 0 1 * ? *',
    timezone: 'Asia/Ho_Chi_Minh',
    event: 'PeriodClosed',
    detail: { cutoff: 'calendar' },
  },
];
