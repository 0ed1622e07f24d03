/**
 * The demo's part in the console: two sample people do what they would do in their browser, over HTTP through the
 * console's own routes (signed in, with the session's CSRF token, audited), so that the console shows it after.
 * - the officer of Thị trấn Ma Lâm gives its villages their targets (each village the town's own figure);
 * - the district's approver returns one first-quarter report with a reason and approves the rest in one request.
 */
import { openSplit } from '../../shared/app/village-targets.ts';
import { reportsUnder } from '../../shared/app/approvals.ts';
import type { Person } from '../../shared/domain/access.ts';
import type { LocalStack } from '../stack/stack.ts';
import { ConsoleClient } from './console-client.ts';

export const DEMO_OFFICER = 'canbo.ma-lam@binhthuan.thidua.local';
export const DEMO_APPROVER = 'duyet.htb@binhthuan.thidua.local';
const COMMUNE = 'bt-htb-ma-lam';
const RETURN_REASON = 'Số hộ nghèo của Khu phố 2 chưa khớp với danh sách rà soát cuối năm; đề nghị kiểm tra và nộp lại.';

export interface ConsoleStory {
  /** Villages given targets by their commune's officer. */
  villages: number;
  approved: number;
  /** The unit whose report was returned, with the reason. */
  returned?: { unitName: string; reason: string };
}

/** A sample person signed in through the sign-in form, with the session's CSRF token. */
export async function signedIn(url: string, email: string): Promise<ConsoleClient> {
  const client = new ConsoleClient(url);
  const res = await client.signIn(email);
  if (res.status !== 303) throw new Error(`sample sign-in of ${email} refused (${res.status})`);
  return client;
}

/** The officer's split: each village gets the commune's own target for every indicator (enough for any roll-up). */
async function splitVillageTargets(stack: LocalStack, directiveId: string): Promise<number> {
  const deps = stack.console!.deps;
  const commune = (await deps.units.getUnits([COMMUNE])).get(COMMUNE)!;
  const ctx = await openSplit(directiveId, commune, deps);
  const officer = await signedIn(stack.console!.url, DEMO_OFFICER);
  const form: Record<string, string> = { _csrf: officer.csrf };
  for (const v of ctx.villages) {
    for (const ind of ctx.directive.indicators) {
      const target = ctx.communeTargets[ind.id];
      if (target !== undefined) form[`v:${v.id}:${ind.id}`] = typeof target === 'boolean' ? (target ? 'có' : 'không') : String(target).replace('.', ',');
    }
  }
  const res = await officer.request('POST', `/targets/${encodeURIComponent(directiveId)}/${COMMUNE}`, { form });
  if (res.status !== 200) throw new Error(`the village targets of ${COMMUNE} were refused (${res.status}): ${(await res.text()).slice(0, 300)}`);
  return ctx.villages.length;
}

/** The approver's decisions on the first quarter: the first report returned with a reason, the rest approved at once. */
async function decideFirstQuarter(stack: LocalStack, directiveId: string): Promise<Omit<ConsoleStory, 'villages'>> {
  const deps = stack.console!.deps;
  const approver = (await deps.people.getPerson(DEMO_APPROVER)) as Person;
  const directive = (await deps.directives.getDirective(directiveId))!;
  const awaiting = (await reportsUnder(approver, directive, '2027-Q1', deps)).filter((r) => r.state === 'awaiting');
  if (!awaiting.length) return { approved: 0 };
  const client = await signedIn(stack.console!.url, DEMO_APPROVER);
  const field = (r: (typeof awaiting)[number]) => `${directiveId}|2027-Q1|${r.unit.id}`;
  const [first, ...rest] = awaiting;
  const returned = await client.request('POST', '/approvals/return', { form: { _csrf: client.csrf, r: field(first!), reason: RETURN_REASON, back: '/approvals' } });
  if (returned.status !== 303) throw new Error(`the return of ${first!.unit.id}'s report was refused (${returned.status})`);
  if (rest.length) {
    const bulk = new URLSearchParams({ _csrf: client.csrf, back: '/approvals' });
    for (const r of rest) bulk.append('r', field(r));
    const approved = await client.request('POST', '/approvals/approve', { form: bulk });
    if (approved.status !== 303) throw new Error(`the approval of ${rest.length} reports was refused (${approved.status})`);
  }
  return { approved: rest.length, returned: { unitName: first!.unit.name, reason: RETURN_REASON } };
}

export async function playConsoleStory(stack: LocalStack, directiveId: string): Promise<ConsoleStory> {
  const villages = await splitVillageTargets(stack, directiveId);
  const decisions = await decideFirstQuarter(stack, directiveId);
  await stack.settle();
  return { villages, ...decisions };
}
