import { SendEmailCommand, SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import { buildMime } from '../mail/mime.ts';
import type { ReportStorage } from '../app/ports.ts';
import type { Mailer } from '../app/ports.ts';
import type { MailMessage } from '../../events/schemas.ts';
import { backoffMs, sleep } from '../retry.ts';

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
  async take(): Promise<void> {
    if (!(this.perSecond > 0)) return;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / this.perSecond;
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
  ) {}

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
