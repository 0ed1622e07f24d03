import type { Server } from 'node:http';
import * as sesModule from 'aws-ses-v2-local';
import { freePort } from './ports.ts';

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

/** aws-ses-v2-local in this process: SES v1/v2 SendEmail, a web inbox at `/`, the mails as JSON at `/store`. */
export async function startSes(port?: number): Promise<LocalSes> {
  const p = port ?? (await freePort());
  // A CommonJS module with an ES default export: Node's interop nests it one level deeper than TypeScript expects.
  const mod = sesModule as unknown as { default: ((c: object) => Promise<Server>) | { default: (c: object) => Promise<Server> } };
  const start = typeof mod.default === 'function' ? mod.default : mod.default.default;
  const server: Server = await start({ host: '127.0.0.1', port: p });
  const endpoint = `http://127.0.0.1:${p}`;
  return {
    endpoint,
    inboxUrl: `${endpoint}/`,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

export async function readInbox(endpoint: string): Promise<StoredEmail[]> {
  const res = await fetch(`${endpoint}/store`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`SES inbox answered ${res.status}`);
  return ((await res.json()) as { emails: StoredEmail[] }).emails;
}

export async function clearInbox(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/clear-store`, { method: 'POST', signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`SES inbox answered ${res.status}`);
}
