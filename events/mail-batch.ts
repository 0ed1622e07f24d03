import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { MAIL_BATCH_MAX, MailBatch, MailMessage, MailQueueMessage } from './schemas.ts';

/** What one SQS message may hold, with room for the envelope (SQS takes 256 KiB). */
const MAX_GZ_BASE64_BYTES = 240 * 1024;
/** A batch never unpacks to more than this: a forged message cannot make the sender hold gigabytes. */
const MAX_UNPACKED_BYTES = 32 * 1024 * 1024;

const batchKeyOf = (mails: readonly MailMessage[]) =>
  `mails:${createHash('sha256').update(mails.map((m) => m.key).sort().join('\n')).digest('base64url').slice(0, 32)}`;

function pack(mails: readonly MailMessage[]): MailBatch[] {
  const gz = gzipSync(JSON.stringify(mails), { level: 6 }).toString('base64');
  if (gz.length <= MAX_GZ_BASE64_BYTES || mails.length === 1) {
    if (gz.length > MAX_GZ_BASE64_BYTES) throw new Error(`Mail ${mails[0]?.key} is too large for the mail queue (${gz.length} bytes compressed)`);
    return [{ key: batchKeyOf(mails), count: mails.length, gz }];
  }
  const half = Math.ceil(mails.length / 2);
  return [...pack(mails.slice(0, half)), ...pack(mails.slice(half))];
}

/**
 * The mails as batches of at most 50, each small enough for one SQS message. The same mails in the same order give
 * the same batches and keys; a mail key given twice is sent once (the first).
 */
export function packMailBatches(mails: readonly MailMessage[]): MailBatch[] {
  const seen = new Set<string>();
  const unique = mails.filter((m) => !seen.has(m.key) && seen.add(m.key));
  const out: MailBatch[] = [];
  for (let i = 0; i < unique.length; i += MAIL_BATCH_MAX) out.push(...pack(unique.slice(i, i + MAIL_BATCH_MAX)));
  return out;
}

export interface UnpackedMails {
  key: string;
  mails: z.output<typeof MailMessage>[];
  takeOverStale: boolean;
}

/** A mail-queue message parsed at the boundary: a batch is unpacked under a size cap and each mail checked by its schema. */
export function unpackMailMessage(body: unknown): UnpackedMails {
  const message = MailQueueMessage.parse(body);
  if (!('gz' in message)) return { key: message.key, mails: [MailMessage.parse(message)], takeOverStale: false };
  const json = gunzipSync(Buffer.from(message.gz, 'base64'), { maxOutputLength: MAX_UNPACKED_BYTES }).toString('utf8');
  const mails = z.array(MailMessage).min(1).max(MAIL_BATCH_MAX).parse(JSON.parse(json));
  if (mails.length !== message.count) throw new Error(`Mail batch ${message.key} says ${message.count} mails but holds ${mails.length}`);
  return { key: message.key, mails, takeOverStale: message.takeOverStale === true };
}
