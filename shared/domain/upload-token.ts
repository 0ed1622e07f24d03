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

export type VerifyResult = { ok: true; grant: UploadGrant } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

/** Checks the signature first, in constant time; only then is the payload read. */
export function verifyUploadGrant(token: string, secret: string, now: Date): VerifyResult {
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length) return { ok: false, reason: 'malformed' };
  const expected = createHmac('sha256', secret).update(payload).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  try {
    const [directiveId, periodId, unitId, exp] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [string, string, string, number];
    if (typeof directiveId !== 'string' || typeof periodId !== 'string' || typeof unitId !== 'string' || typeof exp !== 'number') return { ok: false, reason: 'malformed' };
    if (exp * 1000 < now.getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, grant: { directiveId, periodId, unitId, exp } };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}
