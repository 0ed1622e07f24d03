import type { Context, EventBridgeEvent } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parseEvent } from '../../events/schemas.ts';
import { dailySweep, weeklyStatus } from '../../shared/app/reminders.ts';
import { emulationStore, eventPublisher, mailQueue, reminderPolicyFromEnv, repository, statusDigestLevelsFromEnv, uploadSecret } from '../../shared/adapters/wiring.ts';
import { remindRegistrationsOfYear } from '../../shared/app/emulation-year.ts';
import { ENV } from '../../shared/contract/catalog.ts';
import { powertools, wrap } from '../../shared/lambda/powertools.ts';

const pt = powertools('sweep');
const repo = repository();
const events = eventPublisher();
const policy = reminderPolicyFromEnv();

/**
 * DailySweepDue (07:00 Vietnam time) → DeadlineApproaching, ReportOverdue and ResultsDue, and the emulation year's
 * registration reminders (a week before the registration deadline, on it, and once after it);
 * StatusDigestDue (Mondays) → one StatusDigest per leader at the configured levels.
 */
export const handler = wrap(async (event: EventBridgeEvent<string, unknown>, _context: Context) => {
  const parsed = parseEvent(event, ['DailySweepDue', 'StatusDigestDue']);
  if (parsed.type === 'StatusDigestDue') {
    const status = await weeklyStatus(parsed.detail.scheduledTime, statusDigestLevelsFromEnv(), { directives: repo, obligations: repo, units: repo, events, calendar: repo });
    pt.logger.info('Weekly status announced', { ...status });
    return status;
  }
  const { detail } = parsed;
  const result = await dailySweep(detail.scheduledTime, { obligations: repo, events, calendar: repo, directives: repo }, policy);
  const registrations = await remindRegistrationsOfYear(detail.scheduledTime, {
    emulation: emulationStore(), directives: repo, assignments: repo, units: repo, mail: mailQueue(), clock: { now: () => new Date(detail.scheduledTime) }, linkSecret: await uploadSecret(),
  }, process.env[ENV.consoleUrl] ?? '');
  pt.metrics.addMetric('RegistrationRemindersQueued', MetricUnit.Count, registrations);
  pt.metrics.addMetric('RemindersAnnounced', MetricUnit.Count, result.reminders);
  pt.metrics.addMetric('OverdueAnnounced', MetricUnit.Count, result.overdue + result.escalations);
  pt.logger.info('Daily sweep done', { ...result, registrations });
  return result;
}, pt);
