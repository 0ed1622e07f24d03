import { readFileSync } from 'node:fs';
import type { Construct } from 'constructs';
import { fromRoot } from './paths.ts';

/** Deployment settings, read from CDK context (`cdk.json`, or `cdk synth -c thidua:mailFrom=...`). */
export interface ThiduaConfig {
  /** The From address of every notification. Must belong to `sesIdentity`. */
  readonly mailFrom: string;
  /** The SES identity (a verified domain or email address) the functions may send as. */
  readonly sesIdentity: string;
  /** The account's SES send-rate quota (emails per second), shared by the mail senders. */
  readonly sesMaxSendRate: number;
  /** Who is emailed when a dead-letter queue holds messages: required, so no dead letter goes unseen. */
  readonly alarmEmail: string;
  /** How long an idempotency record outlives the message it guards. */
  readonly idempotencyTtlSeconds: number;
  /** The reminder policy the sweep reads (`shared/adapters/wiring.ts#reminderPolicyFromEnv`), in working days. */
  readonly reminders: ReminderPolicyConfig;
  /** The largest report file accepted: signed into each presigned upload URL and checked again at intake. */
  readonly maxReportBytes: number;
  /** The largest directive document (PDF, DOCX, text) the document function reads. */
  readonly maxDocumentBytes: number;
  /** Levels whose leaders get the weekly status digest during a reporting window. */
  readonly statusDigestLevels: string;
  /** Presigned uploads per report and clock hour: one link cannot flood a unit's inbox or the SES quota. */
  readonly maxUploadsPerHour: number;
  /** At most one rejection email per report in this many minutes (at most 15: an SQS delay ends the window). */
  readonly rejectionMailWindowMinutes: number;
  /** Concurrent executions reserved for (and capping) the public upload page; 0: none reserved (a new account's quota of 10 allows no reservation). */
  readonly uploadReservedConcurrency: number;
}

export interface ReminderPolicyConfig {
  /** Reminders this many working days before the deadline, e.g. [3, 1]. */
  readonly remindBefore: readonly number[];
  /** Overdue notices this many working days after it, e.g. [1, 3, 7]. */
  readonly overdueAfter: readonly number[];
  /** From this many working days late, leaders and the office above are told too. */
  readonly escalateFrom: number;
}

export const CONTEXT_KEYS = {
  mailFrom: 'thidua:mailFrom',
  sesIdentity: 'thidua:sesIdentity',
  sesMaxSendRate: 'thidua:sesMaxSendRate',
  alarmEmail: 'thidua:alarmEmail',
  idempotencyTtlSeconds: 'thidua:idempotencyTtlSeconds',
  remindBefore: 'thidua:remindBefore',
  overdueAfter: 'thidua:overdueAfter',
  escalateFrom: 'thidua:escalateFrom',
  maxReportBytes: 'thidua:maxReportBytes',
  maxDocumentBytes: 'thidua:maxDocumentBytes',
  statusDigestLevels: 'thidua:statusDigestLevels',
  maxUploadsPerHour: 'thidua:maxUploadsPerHour',
  rejectionMailWindowMinutes: 'thidua:rejectionMailWindowMinutes',
  uploadReservedConcurrency: 'thidua:uploadReservedConcurrency',
} as const;

/**
 * 14 days: the longest an SQS message can live (dead-letter queues keep messages that long), so a message
 * redriven from a DLQ is still recognised as already processed.
 */
const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 14 * 24 * 60 * 60;

/** 5 MiB: a filled-in report workbook is a few hundred kilobytes; the intake function parses it in memory. */
export const DEFAULT_MAX_REPORT_BYTES = 5 * 1024 * 1024;
export const DEFAULT_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

/** The `context` block of cdk.json: the defaults an app built outside the CLI (tests) starts from. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(fromRoot('cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

export function readConfig(scope: Construct): ThiduaConfig {
  const get = (key: string): unknown => scope.node.tryGetContext(key);
  const str = (key: string): string => {
    const value = get(key);
    if (typeof value !== 'string' || value.trim() === '') {
      throw new Error(`Context ${key} is required (set it in cdk.json or with -c ${key}=...)`);
    }
    return value.trim();
  };
  const num = (key: string, fallback?: number): number => {
    const raw = get(key) ?? fallback;
    const value = typeof raw === 'string' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new Error(`Context ${key} must be a positive number, got ${JSON.stringify(raw)}`);
    }
    return value;
  };
  const positiveInt = (key: string, raw: unknown, what = 'working days'): number => {
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new Error(`Context ${key} must be a positive whole number of ${what}, got ${JSON.stringify(raw)}`);
    }
    return value;
  };
  const wholeNumber = (key: string, raw: unknown, what: string): number => {
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error(`Context ${key} must be a whole number of ${what}, got ${JSON.stringify(raw)}`);
    return value;
  };
  /** "3,1" (cdk.json, or -c on the command line) or [3, 1]. */
  const days = (key: string): number[] => {
    const raw = get(key);
    const parts = typeof raw === 'string' ? raw.split(',').map((p) => p.trim()) : Array.isArray(raw) ? (raw as unknown[]) : undefined;
    if (!parts || parts.length === 0) {
      throw new Error(`Context ${key} is required: working days separated by commas, e.g. "3,1" (set it in cdk.json or with -c ${key}=...)`);
    }
    return parts.map((p) => positiveInt(key, p));
  };

  const mailFrom = str(CONTEXT_KEYS.mailFrom);
  const sesIdentity = str(CONTEXT_KEYS.sesIdentity);
  // The IAM policy only allows the identity's ARN with ses:FromAddress = mailFrom: a mismatch would deploy
  // a mail function that is denied on every send, so fail at synth instead.
  const identityIsAddress = sesIdentity.includes('@');
  if (identityIsAddress ? mailFrom !== sesIdentity : !mailFrom.toLowerCase().endsWith(`@${sesIdentity.toLowerCase()}`)) {
    throw new Error(`${CONTEXT_KEYS.mailFrom} (${mailFrom}) does not belong to ${CONTEXT_KEYS.sesIdentity} (${sesIdentity})`);
  }

  const alarmEmail = get(CONTEXT_KEYS.alarmEmail);
  if (typeof alarmEmail !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(alarmEmail.trim())) {
    throw new Error(
      `Context ${CONTEXT_KEYS.alarmEmail} must be the email address told when a dead-letter queue holds messages ` +
        `(reports or emails that could not be processed), got ${JSON.stringify(alarmEmail ?? null)}. ` +
        `Set it in cdk.json or with -c ${CONTEXT_KEYS.alarmEmail}=ops@your-domain.gov.vn`,
    );
  }
  const windowMinutes = positiveInt(CONTEXT_KEYS.rejectionMailWindowMinutes, get(CONTEXT_KEYS.rejectionMailWindowMinutes) ?? 10, 'minutes');
  if (windowMinutes > 15) throw new Error(`Context ${CONTEXT_KEYS.rejectionMailWindowMinutes} must be at most 15 (an SQS delay ends the window), got ${windowMinutes}`);
  return {
    mailFrom,
    sesIdentity,
    sesMaxSendRate: num(CONTEXT_KEYS.sesMaxSendRate),
    alarmEmail: alarmEmail.trim(),
    maxUploadsPerHour: positiveInt(CONTEXT_KEYS.maxUploadsPerHour, get(CONTEXT_KEYS.maxUploadsPerHour) ?? 10, 'uploads'),
    rejectionMailWindowMinutes: windowMinutes,
    uploadReservedConcurrency: wholeNumber(CONTEXT_KEYS.uploadReservedConcurrency, get(CONTEXT_KEYS.uploadReservedConcurrency) ?? 10, 'executions (0: none reserved)'),
    idempotencyTtlSeconds: num(CONTEXT_KEYS.idempotencyTtlSeconds, DEFAULT_IDEMPOTENCY_TTL_SECONDS),
    reminders: {
      remindBefore: days(CONTEXT_KEYS.remindBefore),
      overdueAfter: days(CONTEXT_KEYS.overdueAfter),
      escalateFrom: positiveInt(CONTEXT_KEYS.escalateFrom, get(CONTEXT_KEYS.escalateFrom)),
    },
    maxReportBytes: positiveInt(CONTEXT_KEYS.maxReportBytes, get(CONTEXT_KEYS.maxReportBytes) ?? DEFAULT_MAX_REPORT_BYTES, 'bytes'),
    maxDocumentBytes: positiveInt(CONTEXT_KEYS.maxDocumentBytes, get(CONTEXT_KEYS.maxDocumentBytes) ?? DEFAULT_MAX_DOCUMENT_BYTES, 'bytes'),
    statusDigestLevels: statusLevels(get(CONTEXT_KEYS.statusDigestLevels)),
  };
}

const LEVELS = ['province', 'district', 'commune', 'village'];

function statusLevels(value: unknown): string {
  const levels = String(value ?? 'province,district').split(',').map((x) => x.trim()).filter(Boolean);
  const unknown = levels.filter((l) => !LEVELS.includes(l));
  if (unknown.length) throw new Error(`${CONTEXT_KEYS.statusDigestLevels}: unknown level(s) ${unknown.join(', ')}; use ${LEVELS.join(', ')}`);
  return levels.join(',');
}
