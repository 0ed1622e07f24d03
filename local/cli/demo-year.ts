/**
 * The demo's emulation year, from January's registration to the two-year review, played as the people would:
 * - the year before (2026) as history: the same directive relayed for 2026 with only its year report, every commune
 *   reporting, so that a two-year review has two years to compare;
 * - the province office saves the year's clusters (a CSV through the console) as soon as the directive is out;
 * - the communes register their titles and sign their cluster's pledge (the sample officer in the console, the others
 *   through the same use case), the office approves each in the console, a few do not register and the morning
 *   sweep reminds them (before, on and after the deadline), two of them register late;
 * - at year end the council's secretary records the session, the list is posted publicly, a citizen leaves an
 *   opinion, the office issues the decision once the posting has ended and sends the two-year review to its leaders.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { issueDirective } from '../../shared/app/directives.ts';
import { register, rulesOf, type EmulationDeps } from '../../shared/app/emulation-year.ts';
import { systemClock } from '../../shared/app/ports.ts';
import { computePeriodResults } from '../../shared/app/results.ts';
import { currentClock } from '../../shared/adapters/clock.ts';
import { eventPublisher, repository, resultsStore } from '../../shared/adapters/wiring.ts';
import type { Directive, DirectiveInput } from '../../shared/domain/directive.ts';
import { moneyVi } from '../../shared/domain/emulation/money.ts';
import { fillTemplate, goodValue } from '../sample/reports.ts';
import { PROJECT_ROOT, type LocalStack } from '../stack/stack.ts';
import { ConsoleClient } from './console-client.ts';
import { signedIn } from './demo-console.ts';
import { templateFor, uploadReport } from './report.ts';

export const PREVIOUS_DIRECTIVE_ID = 'bt-23-ct-tu-2026';
export const SAMPLE_CLUSTERS = resolve(PROJECT_ROOT, 'local/sample/clusters-2027.csv');
export const DEMO_OFFICE = 'vanphong.tinh@binhthuan.thidua.local';
export const DEMO_SECRETARY = 'thuky.tinh@binhthuan.thidua.local';
const DEMO_OFFICER = 'canbo.ma-lam@binhthuan.thidua.local';
const OFFICER_COMMUNE = 'bt-htb-ma-lam';
const DECISION_NUMBER = '125/QĐ-UBND';
/** The council: fifteen members, thirteen at the session (quorum two thirds: ten). */
const COUNCIL = { members: 15, present: 13, chairName: 'Nguyễn Văn Hòa', signerName: 'Đoàn Anh Dũng' };

const vn = (isoDate: string, time: string) => new Date(`${isoDate}T${time}:00+07:00`);
const pathOf = (directiveId: string) => `/emulation/${encodeURIComponent(directiveId)}`;

function emulationDepsOf(stack: LocalStack): EmulationDeps {
  const d = stack.console!.deps;
  return { emulation: d.emulation, directives: d.directives, assignments: d.assignments, units: d.units, results: d.results, mail: d.mail, clock: d.clock };
}

/** Runs `work` over `items`, a few at a time (each upload waits for the stack to settle, so they overlap well). */
async function inPool<T>(items: readonly T[], size: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: size }, worker));
}

async function expectRedirect(res: Response, what: string): Promise<void> {
  if (res.status !== 303) throw new Error(`${what} was refused (${res.status}): ${(await res.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 400)}`);
}

export interface PreviousYear {
  directiveId: string;
  year: number;
  communes: number;
  reported: number;
  seconds: number;
}

/**
 * 2026's values: poverty and road work a little behind 2027's, health insurance and waste collection lower, so most
 * communes rise; every third commune did better in 2026 than it will in 2027, so some fall too.
 */
function values2026(communeIndex: number) {
  const better = communeIndex % 3 === 0;
  const shift: Record<string, number> = better
    ? { 'ho-ngheo': -0.4, bhyt: 1.2, 'thu-gom-rac': 6, 'giao-thong': 0.6 }
    : { 'ho-ngheo': 0.7, bhyt: -1.4, 'thu-gom-rac': -5, 'giao-thong': -0.4, 'gia-dinh-van-hoa': -1.5 };
  return (row: number, id: string): number | boolean => {
    const v = goodValue(row, id);
    return typeof v === 'number' && shift[id] !== undefined ? Math.round((v + shift[id]) * 10) / 10 : v;
  };
}

/**
 * The year before, quickly: Chỉ thị 23-CT/TU relayed for 2026 with its year report only, every commune uploads the
 * report on 15/12/2026 and the year's results are computed (the period-close job's use case, without its digests:
 * 2026's commendations are not the story here).
 */
export async function playPreviousYear(stack: LocalStack, sample: DirectiveInput, setNow: (at: Date) => void): Promise<PreviousYear> {
  const t0 = Date.now();
  const repo = repository();
  const input: DirectiveInput = { ...sample, id: PREVIOUS_DIRECTIVE_ID, year: 2026, issuedOn: '2026-01-10', cadences: ['year'] };
  const { directive } = await issueDirective(input, { directives: repo, units: repo, events: eventPublisher(), clock: systemClock });
  await stack.settle();
  const communes: string[] = [];
  for await (const page of repo.assignmentsOfDirective(directive)) communes.push(...page.filter((a) => a.status === 'active').map((a) => a.unitId));
  communes.sort();
  setNow(vn('2026-12-15', '09:00'));
  // The workbooks are filled a few at a time; the uploads go one after another (as 47 browsers would, not all in the
  // same millisecond), and the stack settles once after them rather than after each: the year before is kept short.
  const refs = communes.map((unitId) => ({ directiveId: directive.id, periodId: '2026-Y', unitId }));
  const workbooks: Uint8Array[] = [];
  await inPool(refs, 8, async (ref, i) => {
    workbooks[i] = await fillTemplate(await templateFor(ref), directive, values2026(i));
  });
  const noWait = { inboxUrl: stack.inboxUrl, settle: async () => undefined, close: async () => undefined };
  for (const [i, ref] of refs.entries()) await uploadReport(ref, { name: 'bao-cao-nam-2026.xlsx', bytes: workbooks[i]! }, noWait);
  await stack.settle();
  let reported = 0;
  for (const ref of refs) {
    const last = (await repo.reportsOf(ref)).at(-1);
    if (last?.status !== 'accepted') throw new Error(`The 2026 report of ${ref.unitId} was not accepted: ${((last?.problems ?? []) as { messageVi: string }[]).map((p) => p.messageVi).join('; ') || (last?.status ?? 'not processed')}`);
    reported++;
  }
  const closedAt = vn('2026-12-22', '07:00');
  setNow(closedAt);
  await computePeriodResults(directive.id, '2026-Y', { directives: repo, units: repo, assignments: repo, obligations: repo, reports: repo, results: resultsStore(), clock: currentClock(), villageTargets: repo }, closedAt);
  return { directiveId: directive.id, year: 2026, communes: communes.length, reported, seconds: (Date.now() - t0) / 1000 };
}

/** The province office saves the year's clusters from the sample CSV, through the console's form. */
export async function uploadClusters(stack: LocalStack, directiveId: string): Promise<{ clusters: number; members: number; districts: number }> {
  const office = await signedIn(stack.console!.url, DEMO_OFFICE);
  const form = new FormData();
  form.append('_csrf', office.csrf);
  form.append('file', new Blob([readFileSync(SAMPLE_CLUSTERS)], { type: 'text/csv' }), 'clusters-2027.csv');
  await expectRedirect(await office.request('POST', `${pathOf(directiveId)}/clusters`, { multipart: form }), 'the clusters file');
  const deps = emulationDepsOf(stack);
  const directive = (await deps.directives.getDirective(directiveId))!;
  const clusters = await deps.emulation.clustersOf(directive.id, directive.year);
  const members = clusters.flatMap((c) => c.memberIds);
  const units = await deps.units.getUnits(members);
  return { clusters: clusters.length, members: members.length, districts: new Set(members.map((id) => units.get(id)?.parentId)).size };
}

export interface Registrations {
  /** Registered in January, before the deadline. */
  onTime: number;
  approved: number;
  /** Communes that had not registered when the reminders went out. */
  notRegistered: string[];
  /** Registered after the deadline (after the reminders). */
  late: number;
}

/** What a commune registers: the units of a cluster aim higher (their pledge signed), the others for the results' title. */
const titlesOf = (unitId: string, clustered: ReadonlySet<string>) => (clustered.has(unitId) ? ['tap-the-lao-dong-xuat-sac'] : ['tap-the-lao-dong-tien-tien']);

/** Who sends a commune's registration: its office's address, as the units file gives it. */
const officeEmailOf = (unit: { emails: readonly string[] } | undefined, unitId: string) => unit?.emails[0] ?? `${unitId}@binhthuan.thidua.local`;

/** The office approves each registration awaiting it, in the console (one decision per unit, as the page asks). */
async function approveAll(stack: LocalStack, directive: Directive, unitIds: readonly string[]): Promise<number> {
  const office = await signedIn(stack.console!.url, DEMO_OFFICE);
  for (const unitId of unitIds) {
    const res = await office.request('POST', `${pathOf(directive.id)}/registrations/${encodeURIComponent(unitId)}/decide`, { form: { _csrf: office.csrf, decision: 'approve' } });
    await expectRedirect(res, `the approval of ${unitId}'s registration`);
  }
  return unitIds.length;
}

/**
 * January 2027: the sample officer registers Thị trấn Ma Lâm in the console; the other communes' registrations go
 * through the same use case (`register()`, as their officers' forms would), all but `skip`; the office approves.
 */
export async function registerEarly(stack: LocalStack, directiveId: string, communeIds: readonly string[], skip: readonly string[], setNow: (at: Date) => void): Promise<Registrations> {
  const deps = emulationDepsOf(stack);
  const directive = (await deps.directives.getDirective(directiveId))!;
  const clustered = new Set((await deps.emulation.clustersOf(directive.id, directive.year)).flatMap((c) => c.memberIds));
  setNow(vn('2027-01-12', '09:00'));
  const officer = await signedIn(stack.console!.url, DEMO_OFFICER);
  const form = new URLSearchParams({ _csrf: officer.csrf, unitId: OFFICER_COMMUNE, pledge: 'yes' });
  for (const t of titlesOf(OFFICER_COMMUNE, clustered)) form.append('title', t);
  await expectRedirect(await officer.request('POST', `${pathOf(directive.id)}/register`, { form }), `the registration of ${OFFICER_COMMUNE}`);
  const others = communeIds.filter((id) => id !== OFFICER_COMMUNE && !skip.includes(id));
  const units = await deps.units.getUnits(others);
  for (const [i, unitId] of others.entries()) {
    setNow(new Date(vn('2027-01-12', '09:00').getTime() + (i + 1) * 3 * 3600_000)); // spread over the following days
    await register(deps, { directive, unitId, titleIds: titlesOf(unitId, clustered), pledgeSigned: clustered.has(unitId), by: officeEmailOf(units.get(unitId), unitId) });
  }
  setNow(vn('2027-01-25', '14:00'));
  const approved = await approveAll(stack, directive, [OFFICER_COMMUNE, ...others]);
  return { onTime: others.length + 1, approved, notRegistered: [...skip], late: 0 };
}

/** After the reminders: some of the communes that had not registered do so, late; the office approves them. */
export async function registerLate(stack: LocalStack, directiveId: string, unitIds: readonly string[], setNow: (at: Date) => void): Promise<{ approved: number; names: string[] }> {
  const deps = emulationDepsOf(stack);
  const directive = (await deps.directives.getDirective(directiveId))!;
  const clustered = new Set((await deps.emulation.clustersOf(directive.id, directive.year)).flatMap((c) => c.memberIds));
  setNow(vn('2027-04-06', '10:00'));
  const units = await deps.units.getUnits(unitIds);
  for (const unitId of unitIds) {
    const r = await register(deps, { directive, unitId, titleIds: titlesOf(unitId, clustered), pledgeSigned: clustered.has(unitId), by: officeEmailOf(units.get(unitId), unitId) });
    if (!r.late) throw new Error(`the registration of ${unitId} on 06/04/2027 was not marked late`);
  }
  setNow(vn('2027-04-07', '09:00'));
  return { approved: await approveAll(stack, directive, unitIds), names: unitIds.map((id) => units.get(id)?.name ?? id) };
}

export interface CouncilStory {
  candidates: number;
  passed: number;
  failed: { name: string; titleVi: string; explanationVi: string }[];
  members: number;
  present: number;
  postingId: string;
  postingPath: string;
  postingEndsOn: string;
}

/**
 * The secretary opens the session form (the candidates as the year's results and registrations make them), enters
 * the secret ballot's counts: twelve of thirteen for most, nine (69%, under the 70% of "Tập thể lao động xuất sắc")
 * for the last candidate of that title, so that one fails; the minutes and the public posting follow.
 */
export async function recordCouncilSession(stack: LocalStack, directiveId: string): Promise<CouncilStory> {
  const secretary = await signedIn(stack.console!.url, DEMO_SECRETARY);
  const formPage = await secretary.request('GET', `${pathOf(directiveId)}/session`);
  const html = await formPage.text();
  if (formPage.status !== 200) throw new Error(`the session form was refused (${formPage.status}): ${html.slice(0, 300)}`);
  const fields = [...html.matchAll(/name="(yes:[a-z0-9-]+:[a-z0-9-]+)"/g)].map((m) => m[1]!);
  if (!fields.length) throw new Error('the session form lists no candidate');
  const sessionId = /name="sessionId" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const heldOn = /name="heldOn" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const failing = fields.filter((f) => f.endsWith(':tap-the-lao-dong-xuat-sac')).at(-1) ?? fields.at(-1)!;
  const form: Record<string, string> = {
    _csrf: secretary.csrf,
    sessionId,
    heldOn,
    members: String(COUNCIL.members),
    present: String(COUNCIL.present),
    chairName: COUNCIL.chairName,
    secretaryName: 'Võ Thị Mai',
  };
  for (const f of fields) form[f] = f === failing ? '9' : '12';
  await expectRedirect(await secretary.request('POST', `${pathOf(directiveId)}/session`, { form }), 'the council session');
  const deps = emulationDepsOf(stack);
  const directive = (await deps.directives.getDirective(directiveId))!;
  const [posting] = await deps.emulation.postingsOf(directive.id, directive.year);
  if (!posting) throw new Error('the session was recorded but nothing was posted');
  const rules = await rulesOf(deps, directive);
  const titleVi = (id: string) => rules.titles.find((t) => t.id === id)?.nameVi ?? id;
  const failed = posting.outcomes.filter((o) => !o.passed).map((o) => ({ name: o.name, titleVi: titleVi(o.titleId), explanationVi: o.explanationVi }));
  return {
    candidates: fields.length,
    passed: posting.outcomes.filter((o) => o.passed).length,
    failed,
    members: COUNCIL.members,
    present: COUNCIL.present,
    postingId: posting.id,
    postingPath: `/cong-khai/${encodeURIComponent(posting.id)}`,
    postingEndsOn: posting.endsOn,
  };
}

/** A citizen reads the public posting and leaves an opinion, without signing in. */
export async function leaveOpinion(stack: LocalStack, postingPath: string): Promise<number> {
  const citizen = new ConsoleClient(stack.console!.url);
  const text =
    'Tôi là người dân Thị trấn Ma Lâm, thống nhất với danh sách. Đề nghị năm tới quan tâm thêm việc thu gom rác ở các khu phố xa trung tâm.';
  const res = await citizen.request('POST', `${postingPath}/y-kien`, { form: { name: 'Trần Thị Hồng', text } });
  if (res.status !== 200) throw new Error(`the opinion was refused (${res.status})`);
  const postingId = decodeURIComponent(postingPath.split('/').at(-1)!);
  return (await emulationDepsOf(stack).emulation.opinionsOf(postingId, { includeSpam: false, limit: 100 })).length;
}

export interface DecisionStory {
  number: string;
  issuedOn: string;
  awards: number;
  total: number;
  totalVi: string;
  byTitle: { titleVi: string; units: number; amountVi: string }[];
  documentPath: string;
}

/** Once the posting has ended: the office issues the decision for every passed outcome; awardees are emailed. */
export async function issueDecision(stack: LocalStack, directiveId: string, postingId: string, issuedOn: string): Promise<DecisionStory> {
  const deps = emulationDepsOf(stack);
  const directive = (await deps.directives.getDirective(directiveId))!;
  const posting = (await deps.emulation.getPosting(postingId))!;
  const office = await signedIn(stack.console!.url, DEMO_OFFICE);
  const form = new URLSearchParams({ _csrf: office.csrf, postingId, number: DECISION_NUMBER, issuedOn, signerTitle: 'CHỦ TỊCH', signerName: COUNCIL.signerName });
  for (const o of posting.outcomes.filter((x) => x.passed)) form.append('award', `${o.unitId}|${o.titleId}`);
  await expectRedirect(await office.request('POST', `${pathOf(directiveId)}/decision`, { form }), 'the decision');
  await stack.settle();
  const decision = (await deps.emulation.decisionsOf(directive.id, directive.year)).find((d) => d.number === DECISION_NUMBER);
  if (!decision) throw new Error(`decision ${DECISION_NUMBER} was not stored`);
  const total = decision.awards.reduce((s, a) => s + a.amount, 0);
  const titles = [...new Set(decision.awards.map((a) => a.titleVi))];
  return {
    number: decision.number,
    issuedOn: decision.issuedOn,
    awards: decision.awards.length,
    total,
    totalVi: moneyVi(total),
    byTitle: titles.map((t) => {
      const of = decision.awards.filter((a) => a.titleVi === t);
      return { titleVi: t, units: of.length, amountVi: moneyVi(of.reduce((s, a) => s + a.amount, 0)) };
    }),
    documentPath: `${pathOf(directiveId)}/decisions/${encodeURIComponent(decision.id)}`,
  };
}

/** At year end the office sends each cluster's ranking to the unit leading it this year (which proposes the cluster's flag). */
export async function sendClusterRankings(stack: LocalStack, directiveId: string): Promise<void> {
  const office = await signedIn(stack.console!.url, DEMO_OFFICE);
  await expectRedirect(await office.request('POST', `${pathOf(directiveId)}/cluster-digests`, { form: { _csrf: office.csrf } }), 'the cluster rankings');
  await stack.settle();
}

/**
 * Whether each place the summary points to answers as it should: the year page and the review for the office, the
 * decision as a DOCX, the public posting for anyone without signing in. Returns the paths that did not.
 */
export async function checkLinks(stack: LocalStack, links: { yearPath: string; reviewPath: string; decisionPath: string; postingPath: string }): Promise<string[]> {
  const office = await signedIn(stack.console!.url, DEMO_OFFICE);
  const broken: string[] = [];
  for (const [path, expect] of [
    [links.yearPath, /Năm thi đua 2027/],
    [links.reviewPath, /Sơ kết nhiều năm/],
  ] as const) {
    const res = await office.request('GET', path);
    if (res.status !== 200 || !expect.test(await res.text())) broken.push(path);
  }
  const docx = await office.request('GET', links.decisionPath);
  const bytes = new Uint8Array(await docx.arrayBuffer());
  if (docx.status !== 200 || !/wordprocessingml/.test(docx.headers.get('content-type') ?? '') || bytes[0] !== 0x50 || bytes[1] !== 0x4b) broken.push(links.decisionPath);
  const posting = await new ConsoleClient(stack.console!.url).request('GET', links.postingPath);
  if (posting.status !== 200) broken.push(links.postingPath);
  return broken;
}

/** The office sends the two years' review to the province's leaders (the workbook attached). */
export async function sendReview(stack: LocalStack, directiveIds: readonly string[]): Promise<{ path: string; years: number[] }> {
  const query = directiveIds.map((id) => `d=${encodeURIComponent(id)}`).join('&');
  const office = await signedIn(stack.console!.url, DEMO_OFFICE);
  await expectRedirect(await office.request('POST', `/emulation/review/send?${query}`, { form: { _csrf: office.csrf } }), 'the review');
  await stack.settle();
  const deps = emulationDepsOf(stack);
  const years = (await Promise.all(directiveIds.map((id) => deps.directives.getDirective(id)))).map((d) => d!.year).sort();
  return { path: `/emulation/review?${query}`, years };
}
