import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { packMailBatches, unpackMailMessage, type UnpackedMails } from '../../events/mail-batch.ts';
import type { MailMessage } from '../../events/schemas.ts';
import { sendMailBatch, type MailBatchOutcome } from '../../shared/app/send-mail.ts';
import { systemClock } from '../../shared/app/ports.ts';
import { mailer, repository, sesRatePerSender } from '../../shared/adapters/wiring.ts';
import { sqsBatchConsumer, type ParsedRecord } from '../../shared/lambda/sqs-handler.ts';
import { ENV, functionSpecs } from '../../shared/contract/catalog.ts';

const repo = repository();
const ses = mailer();
/** A claim outlives any sender: the function's timeout and a margin. Tests shorten it to see a dead sender's claim. */
const leaseSeconds = Number(process.env[ENV.mailClaimLeaseSeconds] ?? functionSpecs.mail.timeoutSeconds + 60);

/**
 * The mails of every record of the invocation (a record may be a batch of 50 or, from the notify function, one mail)
 * go through one pipeline, 50 at a time: one claim request per 25, one bulk send per 50, one record write per 25.
 * A record is retried if one of its mails must be (another sender holds it, or SES asked to slow down).
 */
export const handler = sqsBatchConsumer({
  name: 'mail',
  queue: 'mail',
  schema: { parse: unpackMailMessage },
  process: async (records, { logger, metrics, deadLetter, remainingMs }) => {
    const { now, later } = withinTime(records, remainingMs());
    const retry = new Set<string>(later.map((r) => r.messageId));
    // An operator's redrive (takeOverStale) is sent apart from ordinary messages.
    for (const group of [now.filter((r) => !r.payload.takeOverStale), now.filter((r) => r.payload.takeOverStale)]) {
      if (group.length === 0) continue;
      const out = await sendMailBatch(mailsOf(group), { mailer: ses, log: repo, clock: systemClock, leaseSeconds }, { takeOverStale: group[0]!.payload.takeOverStale });
      metrics.addMetric('EmailsSent', MetricUnit.Count, out.sent.length);
      await putBeforeOperator(out, deadLetter);
      const again = new Set(out.retry);
      for (const r of group) if (r.payload.mails.some((m) => again.has(m.key))) retry.add(r.messageId);
      logger.debug('Mails sent', { records: group.length, sent: out.sent.length, already: out.already.length, retry: out.retry.length });
    }
    return { retry: [...retry] };
  },
});

/** Time kept for the claims and the records around the sends. */
const SAFETY_MS = 30_000;

/**
 * The records whose mails this invocation can send before its deadline at its share of the SES rate (at least one);
 * the others are handed back unclaimed. A 14/s account sends ten 50-mail records well within the timeout.
 */
function withinTime(records: ParsedRecord<UnpackedMails>[], remainingMs: number): { now: ParsedRecord<UnpackedMails>[]; later: ParsedRecord<UnpackedMails>[] } {
  const perSecond = sesRatePerSender();
  if (!(perSecond > 0)) return { now: records, later: [] };
  const budget = Math.floor(((remainingMs - SAFETY_MS) / 1000) * perSecond);
  const now: ParsedRecord<UnpackedMails>[] = [];
  let mails = 0;
  for (const r of records) {
    if (now.length > 0 && mails + r.payload.mails.length > budget) break;
    now.push(r);
    mails += r.payload.mails.length;
  }
  return { now, later: records.slice(now.length) };
}

/** Every mail of the records once (a key in two records is claimed and sent once). */
function mailsOf(records: ParsedRecord<UnpackedMails>[]): MailMessage[] {
  const seen = new Set<string>();
  return records.flatMap((r) => r.payload.mails).filter((m) => !seen.has(m.key) && seen.add(m.key));
}

/** Mails a dead sender claimed, and mails SES refused for good, go to the dead-letter queue with the reason. */
async function putBeforeOperator(out: MailBatchOutcome, deadLetter: (body: unknown, reason: string) => Promise<void>): Promise<void> {
  if (out.uncertain.length) {
    // Never sent twice: an operator checks SES's sending log for these and redrives with takeOverStale those that did not go.
    const since = out.uncertain.map((u) => u.claimedAt).sort()[0];
    for (const parked of packMailBatches(out.uncertain.map((u) => u.mail))) {
      await deadLetter(parked, `A sender died after claiming these ${parked.count} mails (first claim ${since}); SES may have sent them. Check SES's log, then redrive with takeOverStale: true for those it did not send.`);
    }
    await repo.parkClaims(out.uncertain.map((u) => ({ key: u.mail.key, attempt: u.attempt })));
  }
  for (const r of out.refused) await deadLetter(packMailBatches([r.mail])[0], `SES refused mail ${r.mail.key}: ${r.reason}`);
}
