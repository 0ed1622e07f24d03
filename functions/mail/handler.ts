import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { packMailBatches, unpackMailMessage } from '../../events/mail-batch.ts';
import { sendMailBatch } from '../../shared/app/send-mail.ts';
import { systemClock } from '../../shared/app/ports.ts';
import { mailer, repository } from '../../shared/adapters/wiring.ts';
import { sqsConsumer } from '../../shared/lambda/sqs-handler.ts';
import { ENV, functionSpecs } from '../../shared/contract/catalog.ts';

const repo = repository();
const ses = mailer();
/** A claim outlives any sender: the function's timeout and a margin. Tests shorten it to see a dead sender's claim. */
const leaseSeconds = Number(process.env[ENV.mailClaimLeaseSeconds] ?? functionSpecs.mail.timeoutSeconds + 60);

/** Some mails of the batch must come back later (another sender holds them, or SES asked to slow down). */
class MailsToRetry extends Error {}

export const handler = sqsConsumer({
  name: 'mail',
  queue: 'mail',
  schema: { parse: unpackMailMessage },
  // The mail log's claims are this function's idempotency: one record per mail, no second record per message.
  idempotency: false,
  process: async (batch, { logger, metrics, deadLetter }) => {
    const out = await sendMailBatch(batch.mails, { mailer: ses, log: repo, clock: systemClock, leaseSeconds }, { takeOverStale: batch.takeOverStale });
    metrics.addMetric('EmailsSent', MetricUnit.Count, out.sent.length);
    if (out.uncertain.length) {
      // Never sent twice: an operator checks SES's sending log for these and redrives with takeOverStale if they did not go.
      const since = out.uncertain.map((u) => u.claimedAt).sort()[0];
      for (const parked of packMailBatches(out.uncertain.map((u) => u.mail))) {
        await deadLetter(parked, `A sender died after claiming these ${parked.count} mails (first claim ${since}); SES may have sent them. Check SES's log, then redrive with takeOverStale: true for those it did not send.`);
      }
      await repo.parkClaims(out.uncertain.map((u) => ({ key: u.mail.key, attempt: u.attempt })));
    }
    if (out.refused.length) {
      for (const r of out.refused) await deadLetter(packMailBatches([r.mail])[0], `SES refused mail ${r.mail.key}: ${r.reason}`);
    }
    if (out.retry.length) throw new MailsToRetry(`${out.retry.length} of ${batch.mails.length} mails must be retried (held by another sender or throttled); ${out.sent.length} sent`);
    logger.debug('Mail batch done', { key: batch.key, sent: out.sent.length, already: out.already.length });
    return { key: batch.key, sent: out.sent.length, already: out.already.length };
  },
});
