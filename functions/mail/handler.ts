import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { MailMessage } from '../../events/schemas.ts';
import { sendMail } from '../../shared/app/send-mail.ts';
import { systemClock } from '../../shared/app/ports.ts';
import { mailer, repository } from '../../shared/adapters/wiring.ts';
import { sqsConsumer } from '../../shared/lambda/sqs-handler.ts';

const repo = repository();
const ses = mailer();

export const handler = sqsConsumer({
  name: 'mail',
  queue: 'mail',
  schema: MailMessage,
  process: async (message, { metrics }) => {
    const sent = await sendMail(message, { mailer: ses, log: repo, clock: systemClock });
    metrics.addMetric('EmailsSent', MetricUnit.Count, 1);
    return sent;
  },
});
