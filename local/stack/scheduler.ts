import awsCron from 'aws-cron-parser';
import { schedules, type ScheduleSpec } from '../../events/schedules.ts';
import type { EventPublisher } from '../../shared/app/ports.ts';
import type { EventDetail, EventType } from '../../events/schemas.ts';

/** Asia/Ho_Chi_Minh has been UTC+7 without daylight saving since 1975. */
const VIETNAM_OFFSET_MS = 7 * 3600_000;

export interface Firing {
  schedule: ScheduleSpec;
  at: Date;
}

/**
 * The occurrences of a schedule in (from, to]: the cron is read on Vietnam's wall clock, as EventBridge Scheduler
 * does with `scheduleExpressionTimezone: 'Asia/Ho_Chi_Minh'`.
 */
export function occurrences(spec: ScheduleSpec, from: Date, to: Date): Date[] {
  const parsed = awsCron.parse(spec.cron);
  const out: Date[] = [];
  let wall = new Date(from.getTime() + VIETNAM_OFFSET_MS);
  for (;;) {
    const next = awsCron.next(parsed, wall);
    if (!next) break;
    const at = new Date(next.getTime() - VIETNAM_OFFSET_MS);
    if (at > to) break;
    out.push(at);
    wall = next;
  }
  return out;
}

/** Every firing of every schedule in (from, to], in time order (the period closes before the morning sweep). */
export function firingsBetween(from: Date, to: Date, specs: readonly ScheduleSpec[] = schedules): Firing[] {
  return specs
    .flatMap((schedule) => occurrences(schedule, from, to).map((at) => ({ schedule, at })))
    .sort((a, b) => a.at.getTime() - b.at.getTime() || specs.indexOf(a.schedule) - specs.indexOf(b.schedule));
}

/** What the Scheduler's target does on AWS: PutEvents on the bus, the scheduled time in the detail. */
export async function fire(firing: Firing, events: EventPublisher): Promise<void> {
  const detail = { ...firing.schedule.detail, scheduledTime: firing.at.toISOString() } as unknown as EventDetail<EventType>;
  await events.publish(firing.schedule.event, detail);
}
