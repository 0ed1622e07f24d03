import { randomUUID } from 'node:crypto';
import type { MailMessage } from '../../events/schemas.ts';
import type { Clock, MailClaim, Mailer, MailLog } from './ports.ts';
import { chunk, mapLimit } from '../retry.ts';

export interface SendMailDeps {
  mailer: Mailer;
  log: MailLog;
  clock: Clock;
  /** How long a claim holds: longer than a sender can live (the function's timeout), so only a dead one's runs out. */
  leaseSeconds: number;
}

export interface MailBatchOutcome {
  /** Sent now, with SES's message ids. */
  sent: { key: string; messageId: string }[];
  /** Sent before (a repeated delivery), or put before an operator earlier. */
  already: string[];
  /** Another sender holds them, or SES asked to slow down: the message must come back later for these. */
  retry: string[];
  /** Claims a dead sender left: SES may or may not have taken them. Never sent twice; an operator decides. */
  uncertain: { mail: MailMessage; claimedAt: string; attempt: string }[];
  /** SES refused them for good (a bad address, a message too big): no retry will help. */
  refused: { mail: MailMessage; reason: string }[];
}

/** One SES bulk call's worth: the unit the pipeline claims, sends and records. */
const CHUNK = 50;
/** Chunks in flight: one claiming, one at SES, one recording, so the mail log's requests hide behind SES's pace. */
const CHUNKS_IN_FLIGHT = 3;

/**
 * Sends a batch of rendered mails exactly once each, whatever the deliveries, 50 at a time, each 50:
 * 1. claim every key in the mail log (conditional writes: a key another sender holds is not sent);
 * 2. send the claimed mails (one SES bulk call);
 * 3. record what SES took (one batch write); give back the claims of what it did not take.
 * A crash between 2 and 3 leaves claims whose lease runs out: those are never sent again by a retry (SES may have
 * taken them) but reported as uncertain, for an operator to check SES's log and redrive. Claiming each 50 just before
 * its send, not the whole batch first, keeps that set to the chunks in flight when the sender died.
 * After a failure no further chunk starts; those in flight finish, then the failure is thrown.
 */
export async function sendMailBatch(mails: readonly MailMessage[], deps: SendMailDeps, opts: { takeOverStale?: boolean } = {}): Promise<MailBatchOutcome> {
  const outcome: MailBatchOutcome = { sent: [], already: [], retry: [], uncertain: [], refused: [] };
  const attempt = randomUUID();
  let failure: { error: unknown } | undefined;
  await mapLimit(chunk(mails, CHUNK), CHUNKS_IN_FLIGHT, async (part) => {
    if (failure) return;
    try {
      await sendChunk(part, attempt, deps, opts.takeOverStale === true, outcome);
    } catch (error) {
      failure ??= { error };
    }
  });
  if (failure) throw failure.error;
  return outcome;
}

/** Claims, sends and records up to 50 mails, adding what became of each to the outcome. */
async function sendChunk(mails: readonly MailMessage[], attempt: string, deps: SendMailDeps, takeOverStale: boolean, outcome: MailBatchOutcome): Promise<void> {
  const at = deps.clock.now();
  const claims = await deps.log.claimMails(
    mails.map((m) => m.key),
    { attempt, at, leaseUntil: new Date(at.getTime() + deps.leaseSeconds * 1000), takeOverStale },
  );
  const claimed = sortClaims(mails, claims, outcome);
  if (claimed.length === 0) return;

  const answers = await deps.mailer.sendMany(claimed);
  const taken: { message: MailMessage; messageId: string }[] = [];
  const giveBack: string[] = [];
  claimed.forEach((mail, i) => {
    const answer = answers[i] ?? { error: 'no answer from the mail service', retryable: true };
    if ('messageId' in answer) taken.push({ message: mail, messageId: answer.messageId });
    else {
      giveBack.push(mail.key);
      if (answer.retryable) outcome.retry.push(mail.key);
      else outcome.refused.push({ mail, reason: answer.error });
    }
  });
  await deps.log.recordSentMany(taken, deps.clock.now());
  outcome.sent.push(...taken.map((t) => ({ key: t.message.key, messageId: t.messageId })));
  await deps.log.releaseClaims(giveBack, attempt);
}

/** The mails this attempt claimed; what holds the others goes into the outcome. */
function sortClaims(mails: readonly MailMessage[], claims: Map<string, MailClaim>, outcome: MailBatchOutcome): MailMessage[] {
  const claimed: MailMessage[] = [];
  for (const mail of mails) {
    const claim = claims.get(mail.key) ?? { state: 'held', leaseUntil: '' };
    if (claim.state === 'claimed') claimed.push(mail);
    else if (claim.state === 'sent' || claim.state === 'parked') outcome.already.push(mail.key);
    else if (claim.state === 'held') outcome.retry.push(mail.key);
    else outcome.uncertain.push({ mail, claimedAt: claim.claimedAt, attempt: claim.attempt });
  }
  return claimed;
}
