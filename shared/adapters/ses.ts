import { SendEmailCommand, SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import { SendBulkEmailCommand, type BulkEmailEntryResult, type SESv2Client } from '@aws-sdk/client-sesv2';
import { buildMime } from '../mail/mime.ts';
import type { ReportStorage } from '../app/ports.ts';
import type { Mailer, SendOutcome } from '../app/ports.ts';
import type { MailMessage } from '../../events/schemas.ts';
import { backoffMs, chunk, concurrencyLimit, sleep } from '../retry.ts';

const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException']);

export function isThrottle(e: unknown): boolean {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  return (
    THROTTLED.has(err?.name ?? '') ||
    /maximum sending rate exceeded/i.test(err?.message ?? '') ||
    err?.$metadata?.httpStatusCode === 429
  );
}

/**
 * A token bucket: the senders together stay under the account's SES send rate.
 * Each concurrent sender gets its share of the quota.
 */
export class RateLimiter {
  private nextSlot = 0;
  constructor(private readonly perSecond: number) {}
  /** Waits for `count` sends' worth of the rate (a bulk call of 50 mails counts 50). */
  async take(count = 1): Promise<void> {
    if (!(this.perSecond > 0)) return;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + (1000 * count) / this.perSecond;
    if (slot > now) await sleep(slot - now);
  }
}

export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESClient,
    private readonly from: string,
    private readonly limiter: RateLimiter,
    private readonly storage?: ReportStorage,
    private readonly maxThrottleRetries = 6,
    /** For SendBulkEmail; without it every mail goes by SendEmail. */
    private readonly sesv2?: SESv2Client,
  ) {}

  private readonly attachmentSends = concurrencyLimit(SINGLE_SENDS_IN_FLIGHT);

  /**
   * Mails without attachments go 50 to a SES v2 SendBulkEmail: an inline template that is nothing but the mail
   * (`{{{subject}}}`, `{{{html}}}`, `{{{text}}}`, unescaped) and each mail's own rendering as its replacement data.
   * Mails with attachments go one by one as raw MIME. One outcome per mail, in order.
   */
  async sendMany(messages: readonly MailMessage[]): Promise<SendOutcome[]> {
    const outcomes: SendOutcome[] = new Array(messages.length);
    const plain: number[] = [];
    const single: number[] = [];
    for (const [i, m] of messages.entries()) (m.attachments?.length || !this.sesv2 ? single : plain).push(i);
    // One call each, a few at a time across every sendMany in flight (the token bucket still paces them): reading
    // the attachment is most of the wait, and each one read is held in memory until its call is done.
    await Promise.all(single.map(async (i) => (outcomes[i] = await this.attachmentSends(() => this.sendOne(messages[i] as MailMessage)))));
    for (const group of chunk(plain, BULK_MAX)) {
      const answers = await this.sendBulk(group.map((i) => messages[i] as MailMessage));
      group.forEach((i, j) => (outcomes[i] = answers[j] as SendOutcome));
    }
    return outcomes;
  }

  private async sendOne(message: MailMessage): Promise<SendOutcome> {
    try {
      return await this.send(message);
    } catch (e) {
      return { error: `${(e as Error).name}: ${(e as Error).message}`, retryable: isThrottle(e) || isTransient(e) };
    }
  }

  private async sendBulk(messages: readonly MailMessage[]): Promise<SendOutcome[]> {
    const command = new SendBulkEmailCommand({
      FromEmailAddress: this.from,
      DefaultContent: { Template: { TemplateContent: BULK_TEMPLATE, TemplateData: '{}' } },
      BulkEmailEntries: messages.map((m) => ({
        Destination: { ToAddresses: m.to, CcAddresses: m.cc ?? [] },
        ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: JSON.stringify({ subject: m.subject, html: m.html, text: m.text }) } },
      })),
    });
    for (let attempt = 0; ; attempt++) {
      await this.limiter.take(messages.length);
      try {
        const out = await (this.sesv2 as SESv2Client).send(command);
        return messages.map((_, i) => outcomeOf(out.BulkEmailEntryResults?.[i]));
      } catch (e) {
        if (isThrottle(e) && attempt < this.maxThrottleRetries) {
          await sleep(backoffMs(attempt, 200, 10_000));
          continue;
        }
        const error = `${(e as Error).name}: ${(e as Error).message}`;
        return messages.map(() => ({ error, retryable: isThrottle(e) || isTransient(e) }));
      }
    }
  }

  private async raw(message: MailMessage): Promise<Uint8Array> {
    const attachments = [];
    for (const a of message.attachments ?? []) {
      if (!this.storage) throw new Error('Attachments need the reports bucket');
      const stored = await this.storage.get(a.s3Key, { maxBytes: 8 * 1024 * 1024 });
      if (!stored.bytes) throw new Error(`Attachment ${a.s3Key} is too large`);
      attachments.push({ fileName: a.fileName, contentType: a.contentType, bytes: stored.bytes });
    }
    return buildMime({ from: this.from, to: message.to, cc: message.cc ?? [], subject: message.subject, text: message.text, html: message.html, attachments });
  }

  async send(message: MailMessage): Promise<{ messageId: string }> {
    // Attachments go as a raw MIME message; everything else as SendEmail.
    const raw = message.attachments?.length ? await this.raw(message) : undefined;
    for (let attempt = 0; ; attempt++) {
      await this.limiter.take();
      try {
        if (raw) {
          const out = await this.ses.send(new SendRawEmailCommand({ RawMessage: { Data: raw }, Source: this.from, Destinations: [...message.to, ...(message.cc ?? [])] }));
          return { messageId: out.MessageId ?? '' };
        }
        const out = await this.ses.send(
          new SendEmailCommand({
            Source: this.from,
            Destination: { ToAddresses: message.to, CcAddresses: message.cc ?? [] },
            Message: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: { Html: { Data: message.html, Charset: 'UTF-8' }, Text: { Data: message.text, Charset: 'UTF-8' } },
            },
          }),
        );
        return { messageId: out.MessageId ?? '' };
      } catch (e) {
        // The SDK already retried; a throttle that outlasts it waits longer here before the record is given back to the queue.
        if (!isThrottle(e) || attempt >= this.maxThrottleRetries) throw e;
        await sleep(backoffMs(attempt, 200, 10_000));
      }
    }
  }
}

/** Mails with attachments sent at once by one sender (one mailer), however many sendMany calls are in flight. */
const SINGLE_SENDS_IN_FLIGHT = 4;
/** SendBulkEmail's most destinations per call. */
const BULK_MAX = 50;
/** The whole mail is the replacement data: triple braces, so SES inserts it as it is (it was escaped when rendered). */
const BULK_TEMPLATE = { Subject: '{{{subject}}}', Html: '{{{html}}}', Text: '{{{text}}}' };

/** Statuses of a bulk entry that a later attempt may get past. */
const RETRYABLE_BULK = new Set(['TRANSIENT_FAILURE', 'ACCOUNT_THROTTLED', 'ACCOUNT_DAILY_QUOTA_EXCEEDED', 'ACCOUNT_SENDING_PAUSED', 'SENDING_PAUSED', 'CONFIGURATION_SET_SENDING_PAUSED']);

function outcomeOf(result: BulkEmailEntryResult | undefined): SendOutcome {
  if (!result) return { error: 'SES gave no result for this mail', retryable: true };
  if (result.Status === 'SUCCESS' && result.MessageId) return { messageId: result.MessageId };
  return { error: `${result.Status ?? 'UNKNOWN'}: ${result.Error ?? ''}`.trim(), retryable: RETRYABLE_BULK.has(result.Status ?? '') };
}

/** A 5xx or a network failure: worth another attempt later. */
function isTransient(e: unknown): boolean {
  const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return status === undefined || status >= 500;
}
