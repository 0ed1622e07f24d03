/**
 * The console on one machine: the same Hono app the Lambda serves, on a local server (@hono/node-server), with the
 * stack's adapters and cognito-local's tokens. Its port is kept in the data folder, like the upload page's.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { createConsoleApp, ROUTE_GROUPS, type RouteGroup } from '../../functions/console/app.ts';
import type { ConsoleDeps } from '../../functions/console/context.ts';
import { consoleDeps } from '../../functions/console/deps.ts';
import { CognitoIdentity, localTokenVerifier } from '../../shared/adapters/cognito.ts';
import type { LocalCognito } from './cognito.ts';

export interface LocalConsole {
  url: string;
  port: number;
  deps: ConsoleDeps;
  stop(): Promise<void>;
}

function keptPort(dataDir: string | undefined): number | undefined {
  if (!dataDir) return undefined;
  const file = resolve(dataDir, 'console-port');
  const port = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : NaN;
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

/** The console's dependencies on the local stack: the composition root's adapters, cognito-local for sign-in. */
export function localConsoleDeps(opts: { cognito: LocalCognito; uploadBaseUrl: string; uploadSecret: string }): ConsoleDeps {
  return consoleDeps({
    identity: new CognitoIdentity(opts.cognito.client, opts.cognito),
    tokens: localTokenVerifier({ issuer: opts.cognito.issuer, clientId: opts.cognito.clientId, jwks: opts.cognito.jwks }),
    uploadBaseUrl: opts.uploadBaseUrl,
    uploadSecret: opts.uploadSecret,
  });
}

export async function startConsole(opts: { deps: ConsoleDeps; dataDir?: string; groups?: RouteGroup[]; log?: (m: string) => void }): Promise<LocalConsole> {
  const app = createConsoleApp(opts.deps, { groups: opts.groups ?? ROUTE_GROUPS, ...(opts.log ? { log: opts.log } : {}) });
  const listen = (port: number) =>
    new Promise<ServerType>((resolveServer, reject) => {
      const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolveServer(server));
      server.once('error', reject);
    });
  const wanted = keptPort(opts.dataDir);
  let server: ServerType;
  try {
    server = await listen(wanted ?? 0);
  } catch (e) {
    if (!wanted) throw e;
    opts.log?.(`console: port ${wanted} is taken; using a new one`);
    server = await listen(0);
  }
  const port = (server.address() as AddressInfo).port;
  if (opts.dataDir) writeFileSync(resolve(opts.dataDir, 'console-port'), `${port}\n`);
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    deps: opts.deps,
    stop: () =>
      new Promise<void>((done) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => done());
      }),
  };
}
