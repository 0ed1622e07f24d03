/**
 * cognito-local as the local stack's identity provider: a real part, started as a child process on the machine's
 * Node (its data in `<dataDir>/cognito`, so pools and users survive restarts), called with the same SDK calls as
 * Amazon Cognito. Its signing key is public (it ships in the package): only the local stack trusts its issuer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { sleep } from '../../shared/retry.ts';
import { freePort } from './ports.ts';

export const POOL_NAME = 'thidua';
export const CLIENT_NAME = 'thidua-console';

export interface LocalCognito {
  endpoint: string;
  userPoolId: string;
  clientId: string;
  /** What cognito-local writes into its tokens' `iss`. */
  issuer: string;
  jwks: unknown;
  client: CognitoIdentityProviderClient;
  /** The reset codes it "sent" (it prints them instead of emailing), newest last, by address. */
  resetCodes(email: string): string[];
  stop(): Promise<void>;
}

function keptPort(dataDir: string | undefined, name: string): number | undefined {
  if (!dataDir) return undefined;
  const file = resolve(dataDir, name);
  const port = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : NaN;
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

export async function startCognito(opts: { dataDir?: string; log?: (m: string) => void } = {}): Promise<LocalCognito> {
  const log = opts.log ?? (() => undefined);
  const home = opts.dataDir ? resolve(opts.dataDir, 'cognito') : mkdtempSync(resolve(tmpdir(), 'thidua-cognito-'));
  mkdirSync(home, { recursive: true });
  let port = keptPort(opts.dataDir, 'cognito-port') ?? (await freePort());
  const entry = resolve(dirname(createRequire(import.meta.url).resolve('cognito-local/package.json')), 'lib/bin/start.js');
  let output = '';
  const codes = new Map<string, string[]>();
  const start = (p: number): ChildProcess => {
    output = '';
    const child = spawn(process.execPath, [entry], { cwd: home, env: { ...process.env, PORT: String(p), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const read = (d: Buffer) => {
      output = (output + String(d)).slice(-20_000);
      collectResetCodes(String(d), codes);
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    return child;
  };
  let child = start(port);
  const endpoint = () => `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      // The port was free when chosen, but another server of this process (or of the machine) may bind it first.
      if (/EADDRINUSE/.test(output)) {
        log(`cognito-local: port ${port} is taken; using a new one`);
        port = await freePort();
        child = start(port);
        continue;
      }
      throw new Error(`cognito-local exited (${child.exitCode}): ${output.slice(-500)}`);
    }
    // Ready when this child says it listens (not when whatever holds the port answers) and its port answers.
    if (/Cognito Local running on/.test(output)) {
      try {
        const res = await fetch(`${endpoint()}/health`, { signal: AbortSignal.timeout(1_000) });
        if (res.status < 500) break;
      } catch {
        // not answering yet
      }
    }
    if (Date.now() > deadline) throw new Error(`cognito-local did not start in 30 s: ${output.slice(-500)}`);
    await sleep(150);
  }
  if (opts.dataDir) writeFileSync(resolve(opts.dataDir, 'cognito-port'), `${port}\n`);

  const client = new CognitoIdentityProviderClient({ endpoint: endpoint(), region: 'ap-southeast-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 3 });
  const { userPoolId, clientId } = await ensurePool(client);
  // cognito-local's issuer is `http://<HOST>:<port>/<pool>` (HOST is 127.0.0.1 here).
  const issuer = `${endpoint()}/${userPoolId}`;
  const jwks = await (await fetch(`${endpoint()}/${userPoolId}/.well-known/jwks.json`)).json();
  return {
    endpoint: endpoint(),
    userPoolId,
    clientId,
    issuer,
    jwks,
    client,
    resetCodes: (email) => codes.get(email.toLowerCase()) ?? [],
    stop: () =>
      new Promise<void>((done) => {
        client.destroy();
        if (!opts.dataDir) rmSync(home, { recursive: true, force: true });
        // A child that died of a signal (the terminal's Ctrl-C reaches the whole group) has no exit code, only a signal.
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
      }),
  };
}

/** The pool and the console's client, created on first start and found by name afterwards. */
async function ensurePool(client: CognitoIdentityProviderClient): Promise<{ userPoolId: string; clientId: string }> {
  const pools = await client.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  let userPoolId = pools.UserPools?.find((p) => p.Name === POOL_NAME)?.Id;
  if (!userPoolId) {
    const created = await client.send(new CreateUserPoolCommand({ PoolName: POOL_NAME, UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'] }));
    userPoolId = created.UserPool!.Id!;
  }
  const clients = await client.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }));
  let clientId = clients.UserPoolClients?.find((c) => c.ClientName === CLIENT_NAME)?.ClientId;
  if (!clientId) {
    const created = await client.send(
      new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: CLIENT_NAME, ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
    );
    clientId = created.UserPoolClient!.ClientId!;
  }
  return { userPoolId, clientId };
}

/** cognito-local prints a box with "Username: …" and "Code: …" for each code it would have emailed. */
function collectResetCodes(text: string, codes: Map<string, string[]>): void {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\u001b\[[0-9;]*m/g, '');
  for (const m of plain.matchAll(/Username:\s*(\S+)[\s\S]*?Destination:\s*(\S+)[\s\S]*?Code:\s*(\d{4,8})/g)) {
    const email = (m[2]!.includes('@') ? m[2]! : m[1]!).toLowerCase();
    codes.set(email, [...(codes.get(email) ?? []), m[3]!]);
  }
}
