import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startStack, PROJECT_ROOT, type LocalStack } from '../../local/stack/stack.ts';
import type { StoredEmail } from '../../local/stack/ses.ts';
import { eventPublisher, repository } from '../../shared/adapters/wiring.ts';
import { systemClock } from '../../shared/app/ports.ts';
import { buildPaths, type UnitRow } from '../../shared/domain/units.ts';
import type { DirectiveInput } from '../../shared/domain/directive.ts';
import { sleep } from '../../shared/retry.ts';

export interface Flow {
  stack: LocalStack;
  repo: ReturnType<typeof repository>;
  deps: () => { directives: ReturnType<typeof repository>; units: ReturnType<typeof repository>; events: ReturnType<typeof eventPublisher>; clock: typeof systemClock };
}

/** One embedded stack per test file: real DynamoDB Local, fauxqs and SES; retries after 1 s so failures surface quickly. */
export async function startFlow(opts: { now?: () => Date; rejectionMailWindowSeconds?: number; console?: boolean } = {}): Promise<Flow> {
  // The console (and cognito-local) only for the tests that use it.
  const stack = await startStack({ logLevel: 'SILENT', retryDelaySeconds: () => 1, log: () => undefined, console: false, ...opts });
  const repo = repository();
  return { stack, repo, deps: () => ({ directives: repo, units: repo, events: eventPublisher(), clock: systemClock }) };
}

/** The mails in the local inbox with a recipient at `domain`. */
export async function mailsAt(flow: Flow, domain: string): Promise<StoredEmail[]> {
  return (await flow.stack.inbox()).filter((m) => m.destination.to.some((to) => to.endsWith(`@${domain}`)));
}

/** Polls until `check` returns a value that is not undefined, or fails with the last observation at the deadline. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(200);
  }
}

/** A province with `communes` communes (realistic names) and two villages each. */
export function provinceRows(id: string, communes: number): UnitRow[] {
  const names = ['Hàm Liêm', 'Hàm Trí', 'Hàm Phú', 'Hàm Hiệp', 'Hàm Chính', 'Hàm Thắng', 'Hàm Đức', 'Hồng Sơn', 'Hồng Liêm', 'Thuận Hòa'];
  const rows: UnitRow[] = [{ id, name: 'Tỉnh Bình Thuận', level: 'province', emails: [`vp@${id}.test.vn`], leaderEmails: [] }];
  for (let c = 0; c < communes; c++) {
    const cid = `${id}-x${c}`;
    rows.push({ id: cid, name: `Xã ${names[c % names.length]} ${Math.floor(c / names.length) + 1}`, level: 'commune', parentId: id, emails: [`ubnd.x${c}@${id}.test.vn`], leaderEmails: [`chutich.x${c}@${id}.test.vn`] });
    for (let v = 0; v < 2; v++) {
      rows.push({ id: `${cid}-t${v}`, name: `Thôn ${v + 1}`, level: 'village', parentId: cid, emails: [`thon${v}.x${c}@${id}.test.vn`], leaderEmails: [] });
    }
  }
  return rows;
}

export async function loadProvince(flow: Flow, id: string, communes: number): Promise<void> {
  await flow.repo.putUnits(buildPaths(provinceRows(id, communes)));
}

export function sampleDirective(overrides: Partial<DirectiveInput> & Pick<DirectiveInput, 'id' | 'issuerId'>): DirectiveInput {
  const base = JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'local/sample/directive-23-ct-tu-2027.json'), 'utf8')) as DirectiveInput;
  return { ...base, unitTargets: {}, ...overrides };
}
