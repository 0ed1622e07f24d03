/**
 * Sessions: the identity provider's tokens in HttpOnly, Secure, SameSite=Strict cookies, verified on every request;
 * a CSRF token bound to the session on every change; sign-in rate-limited per address.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import type { SignInTokens } from '../../shared/app/ports.ts';
import type { ConsoleContext, ConsoleEnv, Session } from './context.ts';

const ID_COOKIE = 'thidua-id';
const REFRESH_COOKIE = 'thidua-rt';
/** A refresh token lives 30 days at Cognito (the pool's default); the cookie no longer. */
const REFRESH_MAX_AGE = 30 * 86_400;
export const SIGN_IN_PATH = '/sign-in';
/** Sign-in attempts per address and quarter hour: enough for typos, too few to guess a password. */
export const SIGN_IN_ATTEMPTS = 8;
/** Across every address: guessing from many places at once stays bounded. */
export const SIGN_IN_ATTEMPTS_PER_EMAIL = 40;
export const SIGN_IN_WINDOW_SECONDS = 15 * 60;

const cookieName = (c: ConsoleContext, name: string) => (c.get('deps').secureCookies ? `__Host-${name}` : name);

function cookieOptions(c: ConsoleContext, maxAge: number) {
  return { httpOnly: true, secure: c.get('deps').secureCookies, sameSite: 'Strict' as const, path: '/', maxAge };
}

export function setSessionCookies(c: ConsoleContext, tokens: SignInTokens): void {
  setCookie(c, cookieName(c, ID_COOKIE), tokens.idToken, cookieOptions(c, tokens.expiresIn));
  if (tokens.refreshToken) setCookie(c, cookieName(c, REFRESH_COOKIE), tokens.refreshToken, cookieOptions(c, REFRESH_MAX_AGE));
}

export function clearSessionCookies(c: ConsoleContext): void {
  for (const name of [ID_COOKIE, REFRESH_COOKIE]) deleteCookie(c, cookieName(c, name), { path: '/', secure: c.get('deps').secureCookies });
}

export const refreshTokenOf = (c: ConsoleContext): string | undefined => getCookie(c, cookieName(c, REFRESH_COOKIE));

/** The CSRF token of a session: an HMAC of who signed in and when, so it dies with the session. */
export function csrfToken(key: string, sub: string, authTime: number): string {
  return createHmac('sha256', key).update(`csrf:${sub}:${authTime}`).digest('base64url');
}

const sameToken = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Who is asking: the ID token, renewed with the refresh token when it has expired; undefined when signed out. */
async function resolveSession(c: ConsoleContext): Promise<Session | undefined> {
  const deps = c.get('deps');
  let idToken = getCookie(c, cookieName(c, ID_COOKIE));
  let claims = idToken ? await deps.tokens.verify(idToken) : undefined;
  if (!claims) {
    const refresh = refreshTokenOf(c);
    const renewed = refresh ? await deps.identity.refresh(refresh) : undefined;
    if (!renewed) return undefined;
    idToken = renewed.idToken;
    claims = await deps.tokens.verify(idToken);
    if (!claims) return undefined;
    setSessionCookies(c, renewed);
  }
  const person = await deps.people.getPerson(claims.email);
  if (!person) return undefined;
  return { person, sub: claims.sub, csrf: csrfToken(deps.csrfKey, claims.sub, claims.authTime) };
}

/** Loads the session for every request; pages other than sign-in and password reset need one. */
export const sessions: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
  const session = await resolveSession(c);
  if (session) c.set('session', session);
  // The public posting is read and commented on without an account (it shows nothing else); a registration link
  // carries its own signed grant for one unit.
  const open = c.req.path === SIGN_IN_PATH || c.req.path.startsWith('/password') || c.req.path === '/health' || c.req.path.startsWith('/cong-khai/') || c.req.path.startsWith('/dang-ky/');
  if (!session && !open) {
    if (c.req.method === 'GET' && !c.req.path.startsWith('/api/')) {
      return c.redirect(`${SIGN_IN_PATH}?next=${encodeURIComponent(c.req.path + (new URL(c.req.url).search || ''))}`, 303);
    }
    throw new HTTPException(401, { message: 'Phiên làm việc đã hết; hãy đăng nhập lại' });
  }
  return next();
};

/** Every change carries the session's CSRF token (a form field `_csrf`, or the `x-csrf-token` header). */
export const csrfGuard: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
  if (['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) return next();
  const session = c.get('session');
  if (!session) return next(); // sign-in and password reset: no session yet (the Origin check still applies)
  let given = c.req.header('x-csrf-token') ?? '';
  if (!given && /form/.test(c.req.header('content-type') ?? '')) {
    const body = await c.req.parseBody();
    given = typeof body._csrf === 'string' ? body._csrf : '';
  }
  if (!given || !sameToken(given, session.csrf)) throw new HTTPException(403, { message: 'Phiên của biểu mẫu đã hết hạn; hãy tải lại trang rồi gửi lại' });
  return next();
};
