import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { AssignmentWorkItem } from '../../events/schemas.ts';
import { assignUnits } from '../../shared/app/assign-units.ts';
import { systemClock } from '../../shared/app/ports.ts';
import { mailQueue, repository } from '../../shared/adapters/wiring.ts';
import { sqsConsumer } from '../../shared/lambda/sqs-handler.ts';

const repo = repository();
const mail = mailQueue();

export const handler = sqsConsumer({
  name: 'assignment',
  queue: 'assignment',
  schema: AssignmentWorkItem,
  process: async (item, { logger, metrics }) => {
    const result = await assignUnits(item, { directives: repo, units: repo, assignments: repo, mail, clock: systemClock, calendar: repo });
    metrics.addMetric('AssignmentsWritten', MetricUnit.Count, result.written);
    if (result.missingUnits.length || result.withoutEmail.length) {
      logger.warn('Some units could not be notified', { key: item.key, missingUnits: result.missingUnits, withoutEmail: result.withoutEmail });
    }
    return result;
  },
});
