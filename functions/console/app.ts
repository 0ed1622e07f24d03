/**
 * The thidua console: one web app for every person who runs a movement, on AWS (a Lambda behind CloudFront) and on
 * the embedded stack (a local server), built from the same use cases the CLI calls. A primary adapter: HTTP in,
 * HTML out.
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { InputError } from '../../shared/domain/errors.ts';
import { ReportLocked } from '../../shared/app/uploads.ts';
import { newNonce, pageHeaders } from '../../shared/web/html.ts';
import type { ConsoleDeps, ConsoleEnv } from './context.ts';
import { esc, page } from './layout.ts';
import { csrfGuard, sessions } from './session.ts';
import { authRoutes } from './routes/auth.ts';
import { homeRoutes, type HomeSection } from './routes/home.ts';
import { adminRoutes } from './routes/admin.ts';
import { auditRoutes } from './routes/audit.ts';
import { approvalsHome, approvalsRoutes } from './routes/approvals.ts';
import { directiveRoutes, officeHome } from './routes/directives.ts';
import { statusRoutes } from './routes/status.ts';
import { resultsHome, resultsRoutes } from './routes/results.ts';
import { officerGroup } from './routes/officer.ts';
import { targetRoutes } from './routes/targets.ts';
import { reviewRoutes } from './routes/review.ts';
import { emulationHome, emulationRoutes } from './routes/emulation.ts';
import { councilRoutes } from './routes/council.ts';
import { publicRoutes } from './routes/public.ts';
import { rulesRoutes } from './routes/rules.ts';
import { registrationLinkRoutes } from './routes/registration-link.ts';

/** A part of the console: its routes, and what it adds to the home page (what needs the person now). */
export interface RouteGroup {
  routes(app: Hono<ConsoleEnv>): void;
  home?: HomeSection;
}

export const ROUTE_GROUPS: RouteGroup[] = [{ routes: authRoutes }, { routes: adminRoutes }, { routes: auditRoutes }];
ROUTE_GROUPS.push({ routes: approvalsRoutes, home: approvalsHome });
ROUTE_GROUPS.push({ routes: directiveRoutes, home: officeHome });
ROUTE_GROUPS.push({ routes: statusRoutes }, { routes: resultsRoutes, home: resultsHome });
ROUTE_GROUPS.push(officerGroup, { routes: targetRoutes });
// The review first: `/emulation/review` is not a directive's year.
ROUTE_GROUPS.push({ routes: reviewRoutes }, { routes: emulationRoutes, home: emulationHome }, { routes: rulesRoutes }, { routes: councilRoutes }, { routes: publicRoutes }, { routes: registrationLinkRoutes });

export function createConsoleApp(deps: ConsoleDeps, opts: { groups?: RouteGroup[]; log?: (m: string) => void } = {}): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const log = opts.log ?? (() => undefined);

  app.use(async (c, next) => {
    c.set('deps', deps);
    c.set('nonce', newNonce());
    c.set('requestId', c.req.header('x-amzn-requestid') ?? c.req.header('x-amz-cf-id') ?? randomUUID());
    await next();
    const origin = await deps.storage.uploadOrigin().catch(() => undefined);
    if (c.res.headers.get('content-type')?.startsWith('text/html')) {
      for (const [k, v] of Object.entries(pageHeaders(c.get('nonce'), origin ? [origin] : [], { forms: true }))) c.res.headers.set(k, v);
    } else {
      c.res.headers.set('x-content-type-options', 'nosniff');
      c.res.headers.set('cache-control', 'no-store');
      c.res.headers.set('referrer-policy', 'no-referrer');
    }
  });
  // Changes come from the console's own pages: a cross-site form or fetch is refused by its Origin.
  app.use(csrf());
  app.use(sessions);
  app.use(csrfGuard);

  app.get('/health', (c) => c.json({ ok: true }));
  const groups = opts.groups ?? ROUTE_GROUPS;
  homeRoutes(app, groups.flatMap((g) => (g.home ? [g.home] : [])));
  for (const group of groups) group.routes(app);

  app.notFound((c) => c.html(page(`<h1>Không có trang này</h1><p><a href="/">Về trang chủ</a></p>`, { title: 'Không có trang này', nonce: c.get('nonce'), ...sessionOpt(c.get('session')) }), 404));
  app.onError((e, c) => {
    // A locked report is a conflict with its state (409), as the signed link's page answers it.
    const status = e instanceof HTTPException ? e.status : e instanceof ReportLocked ? 409 : e instanceof InputError ? 400 : 500;
    if (status >= 500) log(`console error ${c.req.method} ${c.req.path}: ${(e as Error).stack ?? e}`);
    const message = e instanceof InputError ? e.messageVi : e instanceof HTTPException ? e.message || (HTTP_MESSAGE_VI[status] ?? HTTP_MESSAGE_VI[400]!) : 'Hệ thống gặp lỗi ngoài dự kiến; vui lòng thử lại sau ít phút';
    const details = e instanceof InputError ? e.details : [];
    if (c.req.path.startsWith('/api/') || (c.req.header('accept') ?? '').includes('application/json')) {
      return c.json({ error: message, details, requestId: c.get('requestId') }, status as 400);
    }
    const body = `<h1>${esc(message)}</h1>${details.length ? `<ul>${details.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>` : ''}<p class="muted">Mã yêu cầu: ${esc(c.get('requestId'))}</p><p><a href="/">Về trang chủ</a></p>`;
    return c.html(page(body, { title: message, nonce: c.get('nonce'), ...sessionOpt(c.get('session')) }), status as 400);
  });
  return app;
}

/** What a refusal says when the middleware that raised it gave no words (hono's CSRF Origin check, for one). */
const HTTP_MESSAGE_VI: Record<number, string> = {
  400: 'Yêu cầu không hợp lệ; hãy tải lại trang rồi thử lại',
  403: 'Yêu cầu bị từ chối: hãy mở trang từ địa chỉ của thidua rồi gửi lại',
  404: 'Không có trang này',
};

const sessionOpt = (s: ConsoleEnv['Variables']['session']) => (s ? { session: s } : {});
