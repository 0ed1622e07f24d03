import { createHmac, timingSafeEqual } from 'node:crypto';

/** What an upload link allows: one unit's report for one directive and period, until it expires. */
export interface UploadGrant {
  directiveId: string;
  periodId: string;
  unitId: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export function signUploadGrant(grant: UploadGrant, secret: string): string {
  const payload = b64url(JSON.stringify([grant.directiveId, grant.periodId, grant.unitId, grant.exp]));
  return `${payload}.${b64url(createHmac('sha256', secret).update(payload).digest())}`;
}

export type VerifyResult = { ok: true; grant: UploadGrant; token: string } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

const CANONICAL_PART = /^[A-Za-z0-9_-]+$/;

/**
 * Checks the signature first, in constant time; only then is the payload read. Only the canonical encoding is
 * accepted: Node's base64url decoder skips characters outside the alphabet and stops at "=", so a valid
 * signature with anything appended would decode to the same bytes. Both parts must be exactly what
 * `signUploadGrant` writes, and `token` is that canonical text (the only form a page may echo).
 */
export function verifyUploadGrant(token: string, secret: string, now: Date): VerifyResult {
  if (typeof token !== 'string' || token.length > 1024) return { ok: false, reason: 'malformed' };
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length || !CANONICAL_PART.test(payload) || !CANONICAL_PART.test(signature)) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(b64url(createHmac('sha256', secret).update(payload).digest()), 'latin1');
  const given = Buffer.from(signature, 'latin1');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  try {
    const [directiveId, periodId, unitId, exp] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [string, string, string, number];
    if (typeof directiveId !== 'string' || typeof periodId !== 'string' || typeof unitId !== 'string' || typeof exp !== 'number') return { ok: false, reason: 'malformed' };
    if (exp * 1000 < now.getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, grant: { directiveId, periodId, unitId, exp }, token: `${payload}.${signature}` };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}
