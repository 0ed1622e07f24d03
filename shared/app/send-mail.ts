import type { MailMessage } from '../../events/schemas.ts';
import type { Clock, Mailer, MailLog } from './ports.ts';

export interface SendMailDeps {
  mailer: Mailer;
  log: MailLog;
  clock: Clock;
}

/**
 * Sends one rendered email and records it. Exactly-once is the handler's idempotency (keyed by message.key);
 * the record is what `thidua status` counts and what later reminders check.
 */
export async function sendMail(message: MailMessage, deps: SendMailDeps): Promise<{ key: string; messageId: string; already?: true }> {
  // Second line of defence behind the idempotency record (which expires): the log says what already went out.
  const logged = await deps.log.sentMessageId(message.key);
  if (logged !== undefined) return { key: message.key, messageId: logged, already: true };
  const { messageId } = await deps.mailer.send(message);
  await deps.log.recordSent(message, messageId, deps.clock.now());
  return { key: message.key, messageId };
}
