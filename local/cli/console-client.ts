/**
 * A person at the console without a browser: an HTTP client with a cookie jar, signed in through the sign-in form, that
 * sends the session's CSRF token with its changes. The demo plays the console's part of the story with it, and tests
 * use it for the routes a browser test does not need to drive.
 */
import { SAMPLE_PASSWORD } from './samples.ts';

export class ConsoleClient {
  private cookies = new Map<string, string>();
  csrf = '';
  constructor(readonly base: string) {}

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, ...v] = pair!.split('=');
      const value = v.join('=');
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(c) || value === '') this.cookies.delete(k!.trim());
      else this.cookies.set(k!.trim(), value);
    }
  }

  async request(method: string, path: string, opts: { form?: Record<string, string> | URLSearchParams; json?: unknown; multipart?: FormData; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { cookie: this.cookieHeader(), origin: new URL(this.base).origin, ...opts.headers };
    let body: string | FormData | undefined;
    if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
    } else if (opts.multipart) {
      body = opts.multipart; // fetch sets the multipart content type with its boundary
    } else if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    const res = await fetch(new URL(path, this.base), { method, headers, ...(body !== undefined ? { body } : {}), redirect: 'manual' });
    this.keep(res);
    return res;
  }

  async signIn(email: string, password = SAMPLE_PASSWORD): Promise<Response> {
    const res = await this.request('POST', '/sign-in', { form: { email, password, next: '/' } });
    if (res.status === 303) {
      const home = await this.request('GET', '/');
      const html = await home.text();
      this.csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    }
    return res;
  }
}
