import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import * as sesModule from 'aws-ses-v2-local';
import { inboxPage, mailFrame } from './inbox-page.ts';
import { MailStore, type InboxMail } from './inbox-store.ts';
import { recipientsOfRequest } from './ses-recipients.ts';

export interface LocalSes {
  endpoint: string;
  inboxUrl: string;
  stop(): Promise<void>;
}

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  at: number;
}

/** aws-ses-v2-local's in-process store (the module its server saves into). */
interface PackageStore {
  getStoreReadonly(): { emails: InboxMail[] };
  clearStore(): void;
}

const PAGE_SIZE = 50;
const MAX_REQUEST_BYTES = 40 * 1024 * 1024; // SES v2's largest message

async function readAll(stream: IncomingMessage, limit = Infinity): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) return undefined;
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/**
 * The local SES: aws-ses-v2-local in this process, behind a small front on the SES endpoint that keeps the inbox.
 *
 * aws-ses-v2-local parses the calls (SES v1 SendEmail and SendRawEmail, v2 SendEmail, templates) and answers them, but
 * keeps mail in memory and, for a v1 SendEmail, only the first To, Cc and Bcc. The front forwards every call to it,
 * reads the recipients from the request itself (ses-recipients.ts), takes the saved mail out of the package's memory
 * by the message id it answered, and appends it with every recipient to `file` (the data folder's, so the inbox
 * survives restarts; a temporary file without one). It serves the inbox: `GET /` (a page listing every recipient),
 * `GET /store` (aws-ses-v2-local's JSON, `?since=` epoch seconds), `POST /clear-store`, and `GET /_local/count`.
 * A v1 call the package does not implement gets an InvalidAction error here instead of no answer at all.
 */
export async function startSes(opts: { port?: number; file?: string; log?: (m: string) => void } = {}): Promise<LocalSes> {
  const log = opts.log ?? (() => undefined);
  // A CommonJS module with an ES default export: Node's interop nests it one level deeper than TypeScript expects.
  const mod = sesModule as unknown as { default: ((c: object) => Promise<Server>) | { default: (c: object) => Promise<Server> } };
  const start = typeof mod.default === 'function' ? mod.default : mod.default.default;
  const packageStore = createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js') as PackageStore;
  const inner: Server = await start({ host: '127.0.0.1', port: 0 });
  const innerPort = (inner.address() as AddressInfo).port;
  const store = MailStore.open(opts.file);

  /** The mail the package saved under this id, out of its memory, with the request's recipients. */
  const keep = (messageId: string, recipients: InboxMail['destination'] | undefined) => {
    const emails = packageStore.getStoreReadonly().emails;
    const i = emails.findIndex((e) => e.messageId === messageId);
    if (i === -1) {
      log(`The local SES answered ${messageId} but saved no such mail`);
      return;
    }
    const [saved] = emails.splice(i, 1) as [InboxMail];
    store.append({ ...saved, replyTo: saved.replyTo ?? [], attachments: saved.attachments ?? [], destination: recipients ?? saved.destination });
  };

  const forward = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const body = await readAll(req, MAX_REQUEST_BYTES);
    if (!body) {
      res.writeHead(413, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Request too large' }));
      return;
    }
    const method = req.method ?? 'GET';
    if (method === 'POST' && path === '/' && /x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) {
      const action = new URLSearchParams(body.toString('utf8')).get('Action');
      if (action !== 'SendEmail' && action !== 'SendRawEmail' && req.headers.authorization?.startsWith('AWS')) {
        const xml = `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${String(action).replace(/[<>&]/g, '')} is not implemented by the local SES</Message></Error><RequestId>local</RequestId></ErrorResponse>`;
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(xml);
        return;
      }
    }
    const recipients = recipientsOfRequest(method, path, body);
    const headers = { ...req.headers, host: `127.0.0.1:${innerPort}`, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    delete headers.connection;
    delete headers.expect;
    const answer = await new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      const up = httpRequest({ host: '127.0.0.1', port: innerPort, method, path: req.url, headers }, (r) => {
        readAll(r).then((b) => resolve({ status: r.statusCode ?? 502, headers: r.headers, body: b! }), reject);
      });
      up.on('error', reject);
      up.end(body);
    });
    if (answer.status >= 200 && answer.status < 300) {
      const text = answer.body.toString('utf8');
      const ids = [...text.matchAll(/<MessageId>([^<]+)<\/MessageId>|"MessageId"\s*:\s*"([^"]+)"/g)].map((m) => m[1] ?? m[2]!);
      // One message per send; a bulk send's messages keep the package's record of their recipients.
      for (const id of ids) keep(id, ids.length === 1 ? recipients : undefined);
    }
    const out = { ...answer.headers };
    delete out['transfer-encoding'];
    delete out.connection;
    res.writeHead(answer.status, { ...out, 'content-length': String(answer.body.length) });
    res.end(answer.body);
  };

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/') {
      const page = Math.max(1, Math.floor(Number(url.searchParams.get('page') ?? 1)) || 1);
      const total = await store.count();
      const nonce = randomBytes(12).toString('base64');
      const html = inboxPage({ mails: await store.newest((page - 1) * PAGE_SIZE, PAGE_SIZE), total, page, pageSize: PAGE_SIZE, nonce });
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        // Mails' HTML is shown in sandboxed frames of its own (`/_local/mail`, each with the hashes of its styles).
        'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; frame-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'`,
      });
      res.end(html);
      return;
    }
    if (method === 'GET' && path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (method === 'GET' && path === '/store') {
      const since = url.searchParams.get('since');
      const from = url.searchParams.get('from');
      if ((since !== null && !/^\d+$/.test(since)) || (from !== null && !/^\d+$/.test(from))) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Bad since or from query param, expected integers (epoch seconds; a count of mails to skip)' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      await store.writeJson(res, since === null ? undefined : Number(since), from === null ? undefined : Number(from));
      return;
    }
    if (method === 'GET' && path === '/_local/count') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ count: await store.count() }));
      return;
    }
    if (method === 'GET' && path === '/_local/mail') {
      const mail = await store.byMessageId(url.searchParams.get('m') ?? '');
      if (!mail?.body.html) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Không có thư này');
        return;
      }
      const frame = mailFrame(mail.body.html);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': frame.csp });
      res.end(frame.body);
      return;
    }
    if (method === 'GET' && path === '/_local/attachment') {
      const mail = await store.byMessageId(url.searchParams.get('m') ?? '');
      const a = mail?.attachments[Number(url.searchParams.get('i'))];
      if (!a) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Không có tệp này');
        return;
      }
      const bytes = Buffer.from(a.content, 'base64');
      res.writeHead(200, {
        'content-type': a.contentType ?? 'application/octet-stream',
        'content-length': String(bytes.length),
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(a.filename ?? 'tep')}`,
        'x-content-type-options': 'nosniff',
      });
      res.end(bytes);
      return;
    }
    if (method === 'POST' && path === '/clear-store') {
      req.resume();
      store.clear();
      packageStore.clearStore();
      if (/text\/html/.test(req.headers.accept ?? '')) {
        res.writeHead(303, { location: '/' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Store cleared' }));
      return;
    }
    await forward(req, res, path);
  };

  const front = createServer((req, res) => {
    serve(req, res).catch((e: unknown) => {
      log(`The local SES failed on ${req.method} ${req.url}: ${(e as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: (e as Error).message }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  const close = (s: Server) =>
    new Promise<void>((resolve) => {
      s.closeAllConnections?.();
      s.close(() => resolve());
    });
  return {
    endpoint,
    inboxUrl: `${endpoint}/`,
    stop: async () => {
      await close(front);
      await close(inner);
      store.close();
    },
  };
}

/** The mails of the local inbox, oldest first; `from`: only those after the first `from` (a count taken before). */
export async function readInbox(endpoint: string, opts: { from?: number } = {}): Promise<StoredEmail[]> {
  const res = await fetch(`${endpoint}/store${opts.from !== undefined ? `?from=${opts.from}` : ''}`, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`SES inbox answered ${res.status}`);
  return ((await res.json()) as { emails: StoredEmail[] }).emails;
}

/** How many mails the inbox holds, without reading them. */
export async function countInbox(endpoint: string): Promise<number> {
  const res = await fetch(`${endpoint}/_local/count`, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`SES inbox answered ${res.status}`);
  return ((await res.json()) as { count: number }).count;
}

export async function clearInbox(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/clear-store`, { method: 'POST', signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`SES inbox answered ${res.status}`);
}
