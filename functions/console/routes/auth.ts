/** Signing in and out, and the password reset (the identity provider sends the code by its own email). */
import type { Hono } from 'hono';
import { callerAddress, type ConsoleContext, type ConsoleEnv } from '../context.ts';
import { esc, page, timeVi } from '../layout.ts';
import { clearSessionCookies, refreshTokenOf, setSessionCookies, SIGN_IN_ATTEMPTS, SIGN_IN_ATTEMPTS_PER_EMAIL, SIGN_IN_PATH, SIGN_IN_WINDOW_SECONDS } from '../session.ts';

/** Only a path of this console: never an absolute URL (an open redirect) or a scheme-relative one. */
const safeNext = (next: unknown) => (typeof next === 'string' && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : '/');

function signInForm(c: ConsoleContext, opts: { email?: string; next?: string; error?: string; note?: string } = {}) {
  const body = `<h1>Đăng nhập</h1>
<div class="card"><form method="post" action="${SIGN_IN_PATH}" class="stack">
<input type="hidden" name="next" value="${esc(safeNext(opts.next))}">
<label for="email">Thư điện tử</label><input type="email" id="email" name="email" autocomplete="username" required value="${esc(opts.email ?? '')}">
<label for="password">Mật khẩu</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit" class="primary">Đăng nhập</button>
</form>
<p><a href="/password/forgot">Quên mật khẩu?</a></p></div>`;
  const flash = opts.error ? { tone: 'error' as const, text: opts.error } : opts.note ? { tone: 'ok' as const, text: opts.note } : undefined;
  return page(body, { title: 'Đăng nhập', nonce: c.get('nonce'), ...(flash ? { flash } : {}) });
}


/**
 * Sign-in attempts are counted per address and email (SIGN_IN_ATTEMPTS a window), so that someone guessing from one
 * place cannot lock the person out everywhere, and per email across all addresses (SIGN_IN_ATTEMPTS_PER_EMAIL), so
 * that guessing from many places stays bounded.
 */
async function signInSlot(c: ConsoleContext, email: string) {
  const deps = c.get('deps');
  const now = deps.clock.now();
  const here = await deps.rates.takeSlot(`signin#${email}#${callerAddress(c)}`, now, SIGN_IN_WINDOW_SECONDS, SIGN_IN_ATTEMPTS);
  if (!here.ok) return here;
  return deps.rates.takeSlot(`signin#${email}`, now, SIGN_IN_WINDOW_SECONDS, SIGN_IN_ATTEMPTS_PER_EMAIL);
}

export function authRoutes(app: Hono<ConsoleEnv>): void {
  app.get(SIGN_IN_PATH, (c) => (c.get('session') ? c.redirect(safeNext(c.req.query('next')), 303) : c.html(signInForm(c, { next: c.req.query('next') ?? '/' }))));

  app.post(SIGN_IN_PATH, async (c) => {
    const deps = c.get('deps');
    const form = await c.req.parseBody();
    const email = String(form.email ?? '').trim().toLowerCase();
    const password = String(form.password ?? '');
    const next = safeNext(form.next);
    if (!email || !password) return c.html(signInForm(c, { email, next, error: 'Hãy nhập thư điện tử và mật khẩu' }), 400);
    const slot = await signInSlot(c, email);
    if (!slot.ok) {
      return c.html(signInForm(c, { email, next, error: `Đã thử đăng nhập quá nhiều lần với thư điện tử này; hãy thử lại sau ${timeVi(slot.retryAt.toISOString())}, hoặc đặt lại mật khẩu` }), 429);
    }
    const result = await deps.identity.signIn(email, password);
    if (!result.ok) {
      const error =
        result.reason === 'password-reset-required'
          ? 'Tài khoản cần đặt mật khẩu mới: hãy dùng "Quên mật khẩu?" để nhận mã qua thư điện tử'
          : result.reason === 'not-confirmed'
            ? 'Tài khoản chưa được kích hoạt; hãy liên hệ quản trị hệ thống'
            : 'Thư điện tử hoặc mật khẩu không đúng';
      return c.html(signInForm(c, { email, next, error }), 401);
    }
    const claims = await deps.tokens.verify(result.tokens.idToken);
    if (!claims || !(await deps.people.getPerson(claims.email))) {
      return c.html(signInForm(c, { email, next, error: 'Tài khoản chưa được giao vai trò nào trong hệ thống; hãy liên hệ quản trị hệ thống' }), 403);
    }
    setSessionCookies(c, result.tokens);
    return c.redirect(next, 303);
  });

  app.post('/sign-out', async (c) => {
    const refresh = refreshTokenOf(c);
    if (refresh) await c.get('deps').identity.signOut(refresh);
    clearSessionCookies(c);
    return c.html(signInForm(c, { note: 'Đã đăng xuất' }));
  });

  app.get('/password/forgot', (c) => c.html(forgotForm(c)));
  app.post('/password/forgot', async (c) => {
    const deps = c.get('deps');
    const email = String((await c.req.parseBody()).email ?? '').trim().toLowerCase();
    const slot = await deps.rates.takeSlot(`reset#${email}`, deps.clock.now(), SIGN_IN_WINDOW_SECONDS, 3);
    if (email && slot.ok) await deps.identity.forgotPassword(email);
    // The same answer whether or not the address has an account.
    return c.html(resetForm(c, { email, note: 'Nếu địa chỉ này có tài khoản, mã đặt lại mật khẩu đã được gửi tới hộp thư của bạn.' }));
  });
  app.get('/password/reset', (c) => c.html(resetForm(c, { email: c.req.query('email') ?? '' })));
  app.post('/password/reset', async (c) => {
    const form = await c.req.parseBody();
    const email = String(form.email ?? '').trim().toLowerCase();
    const outcome = await c.get('deps').identity.confirmForgotPassword(email, String(form.code ?? '').trim(), String(form.password ?? ''));
    if (outcome === 'ok') return c.html(signInForm(c, { email, note: 'Đã đặt mật khẩu mới; hãy đăng nhập.' }));
    const error = outcome === 'weak-password' ? 'Mật khẩu mới chưa đủ mạnh: ít nhất 8 ký tự, gồm chữ hoa, chữ thường, chữ số và ký tự đặc biệt' : 'Mã đặt lại không đúng hoặc đã hết hạn; hãy yêu cầu mã mới';
    return c.html(resetForm(c, { email, error }), 400);
  });
}

function forgotForm(c: ConsoleContext) {
  const body = `<h1>Quên mật khẩu</h1><div class="card"><form method="post" action="/password/forgot" class="stack">
<label for="email">Thư điện tử của tài khoản</label><input type="email" id="email" name="email" autocomplete="username" required>
<button type="submit" class="primary">Gửi mã đặt lại</button></form></div>`;
  return page(body, { title: 'Quên mật khẩu', nonce: c.get('nonce') });
}

function resetForm(c: ConsoleContext, opts: { email: string; note?: string; error?: string }) {
  const body = `<h1>Đặt mật khẩu mới</h1><div class="card"><form method="post" action="/password/reset" class="stack">
<label for="email">Thư điện tử</label><input type="email" id="email" name="email" autocomplete="username" required value="${esc(opts.email)}">
<label for="code">Mã trong thư</label><input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
<label for="password">Mật khẩu mới</label><input type="password" id="password" name="password" autocomplete="new-password" required>
<button type="submit" class="primary">Đặt mật khẩu</button></form></div>`;
  const flash = opts.error ? { tone: 'error' as const, text: opts.error } : opts.note ? { tone: 'ok' as const, text: opts.note } : undefined;
  return page(body, { title: 'Đặt mật khẩu mới', nonce: c.get('nonce'), ...(flash ? { flash } : {}) });
}
