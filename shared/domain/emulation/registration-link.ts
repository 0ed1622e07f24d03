/**
 * The registration link a reminder carries: one unit's registration for one directive's year, without signing in,
 * until the year ends. Signed like an upload link but under its own key (derived from the same secret), so a
 * registration link never opens an upload and an upload link never registers.
 */
import { createHmac } from 'node:crypto';
import { signUploadGrant, verifyUploadGrant } from '../upload-token.ts';

export interface RegistrationGrant {
  directiveId: string;
  year: number;
  unitId: string;
  /** Expiry, seconds since the epoch: the end of the directive's year in Vietnam. */
  exp: number;
}

const keyOf = (secret: string) => createHmac('sha256', secret).update('thidua registration link').digest('base64url');

/** The end of 31/12 of the year, Vietnam time (UTC+7), in seconds. */
export const endOfYearVietnam = (year: number) => Date.parse(`${year}-12-31T23:59:59+07:00`) / 1000;

export function signRegistrationGrant(grant: RegistrationGrant, secret: string): string {
  return signUploadGrant({ directiveId: grant.directiveId, periodId: `${grant.year}-DK`, unitId: grant.unitId, exp: grant.exp }, keyOf(secret));
}

export function verifyRegistrationGrant(token: string, secret: string, now: Date): { ok: true; grant: RegistrationGrant } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' } {
  const v = verifyUploadGrant(token, keyOf(secret), now);
  if (!v.ok) return v;
  const m = /^(\d{4})-DK$/.exec(v.grant.periodId);
  if (!m) return { ok: false, reason: 'malformed' };
  return { ok: true, grant: { directiveId: v.grant.directiveId, year: Number(m[1]), unitId: v.grant.unitId, exp: v.grant.exp } };
}
