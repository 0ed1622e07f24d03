import { SendEmailCommand, type SESClient } from '@aws-sdk/client-ses';
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
    private readonly maxThrottleRetries = 6,
  ) {}

  async send(message: MailMessage): Promise<{ messageId: string }> {
    for (let attempt = 0; ; attempt++) {
      await this.limiter.take();
      try {
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
