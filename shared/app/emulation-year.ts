/**
 * The emulation year of a directive, from January's registration to the candidates the council reviews in
 * December: the rules the year runs by, each unit's registration and its cluster's pledge, the clusters and their
 * rankings, the nominations from the level below. Use cases the console and the CLI share.
 */
import type { Directive } from '../domain/directive.ts';
import type { Unit } from '../domain/units.ts';
import { InputError } from '../domain/errors.ts';
import { vietnamDate, formatDateVi } from '../domain/calendar/index.ts';
import { proposeCommendations, type PeriodResults } from '../domain/results/index.ts';
import { endOfYearVietnam, signRegistrationGrant } from '../domain/emulation/registration-link.ts';
import { Rubric, rubricProblems } from '../domain/results/rubric.ts';
import { DEFAULT_RULES, EmulationRules, type Candidate, type Cluster, type HistoryEntry, type Registration } from '../domain/emulation/types.ts';
import { decideRegistration, emptyRegistration, submitRegistration, unitsToRemind } from '../domain/emulation/registration.ts';
import { checkClusters, rankWithinClusters, readClustersCsv, type ClusterRanking } from '../domain/emulation/clusters.ts';
import { candidatesOf } from '../domain/emulation/candidates.ts';
import { historyNotes } from '../domain/emulation/history.ts';
import { isIsoDate, periodById, periodsOf } from '../domain/calendar/index.ts';
import { clusterDigest, registrationDecided, registrationReminder } from '../mail/emulation-email.ts';
import type { AssignmentStore, Clock, DirectiveStore, EmulationStore, MailQueue, ResultsStore, UnitDirectory } from './ports.ts';

export interface EmulationDeps {
  emulation: EmulationStore;
  directives: DirectiveStore;
  assignments: AssignmentStore;
  units: UnitDirectory;
  results: ResultsStore;
  mail: MailQueue;
  clock: Clock;
}

/** What the morning sweep's registration reminders need (no results); with the links' secret, each carries a link. */
export type ReminderDeps = Omit<EmulationDeps, 'results'> & { linkSecret?: string };

/** The unit's registration link (no sign-in), valid until the directive's year ends. */
export function registrationLink(consoleUrl: string, directive: Pick<Directive, 'id' | 'year'>, unitId: string, secret: string): string {
  const token = signRegistrationGrant({ directiveId: directive.id, year: directive.year, unitId, exp: endOfYearVietnam(directive.year) }, secret);
  return `${consoleUrl.replace(/\/+$/, '')}/dang-ky/${token}`;
}

export class RegistrationConflict extends InputError {
  constructor() {
    super('Đăng ký vừa được thay đổi ở nơi khác; hãy tải lại trang rồi gửi lại');
  }
}

/** The year's rules: the office's, else the law's defaults. */
export async function rulesOf(deps: Pick<EmulationDeps, 'emulation'>, directive: Pick<Directive, 'id' | 'year'>): Promise<EmulationRules> {
  return (await deps.emulation.getRules(directive.id, directive.year)) ?? DEFAULT_RULES;
}

/** The units the directive's year concerns: those it assigned targets to (the units that register and report). */
export async function unitsOfYear(deps: Pick<EmulationDeps, 'assignments' | 'units'>, directive: Directive): Promise<Unit[]> {
  const ids: string[] = [];
  for await (const page of deps.assignments.assignmentsOfDirective(directive)) ids.push(...page.filter((a) => a.status === 'active').map((a) => a.unitId));
  const units = await deps.units.getUnits(ids);
  return ids.flatMap((id) => units.get(id) ?? []).sort((a, b) => a.path.join('/').localeCompare(b.path.join('/')));
}

async function assignedUnit(deps: EmulationDeps, directive: Directive, unitId: string): Promise<Unit> {
  const [assignment] = [...(await deps.assignments.getAssignments(directive.id, [unitId])).values()];
  const unit = (await deps.units.getUnits([unitId])).get(unitId);
  if (!assignment || assignment.status !== 'active' || !unit) throw new InputError(`Đơn vị không thuộc phong trào của ${directive.kind} số ${directive.number}`);
  return unit;
}

/** A unit registers its titles and signs its cluster's pledge (again after a return); a repeat changes nothing. */
export async function register(
  deps: EmulationDeps,
  input: { directive: Directive; unitId: string; titleIds: readonly string[]; pledgeSigned: boolean; by: string },
): Promise<Registration> {
  const { directive } = input;
  const unit = await assignedUnit(deps, directive, input.unitId);
  const [rules, current, clusters] = await Promise.all([
    rulesOf(deps, directive),
    deps.emulation.getRegistration(directive.id, directive.year, unit.id),
    deps.emulation.clustersOf(directive.id, directive.year),
  ]);
  const inCluster = clusters.some((c) => c.memberIds.includes(unit.id));
  const next = submitRegistration(current, input, { directiveId: directive.id, year: directive.year, unit, rules, now: deps.clock.now(), by: input.by, inCluster });
  if (next === current) return next;
  if ((await deps.emulation.putRegistration(next, current?.version ?? 0)) === 'conflict') throw new RegistrationConflict();
  return next;
}

/** The office approves or returns a registration awaiting it. */
export async function decideOnRegistration(
  deps: EmulationDeps,
  input: { directive: Directive; unitId: string; decision: { kind: 'approve' } | { kind: 'return'; reasonVi: string }; by: string },
): Promise<Registration> {
  const { directive } = input;
  const current = await deps.emulation.getRegistration(directive.id, directive.year, input.unitId);
  if (!current) throw new InputError('Đơn vị chưa gửi đăng ký thi đua');
  // The same decision again (a retry after the write, before the email): tell the unit, change nothing.
  const same = current.decidedBy === input.by && current.state === (input.decision.kind === 'approve' ? 'approved' : 'returned');
  if (same) {
    await tellRegistrationDecided(deps, directive, current);
    return current;
  }
  const next = decideRegistration(current, input.decision, input.by, deps.clock.now());
  if ((await deps.emulation.putRegistration(next, current.version)) === 'conflict') throw new RegistrationConflict();
  await tellRegistrationDecided(deps, directive, next);
  return next;
}

/** The unit hears of the decision on its registration (a return with its reason), once per version. */
async function tellRegistrationDecided(deps: EmulationDeps, directive: Directive, r: Registration): Promise<void> {
  const units = await deps.units.getUnits([r.unitId, directive.issuerId]);
  const unit = units.get(r.unitId);
  const to = unit ? (unit.emails.length ? unit.emails : unit.leaderEmails) : [];
  if (!unit || !to.length) return;
  const rendered = registrationDecided({ directive, unitName: unit.name, registration: r, deciderName: units.get(directive.issuerId)?.name ?? 'Cấp trên' });
  await deps.mail.sendAll([{ key: `registration-decided:${directive.id}:${directive.year}:${r.unitId}:${r.version}`, to, cc: [], ...rendered, kind: 'registration-decided', directiveId: directive.id, unitId: r.unitId }]);
}

/** Every registering unit's registration, 'not-sent' for those without one. */
export async function registrationsOfYear(deps: ReminderDeps, directive: Directive): Promise<{ units: Unit[]; registrations: Map<string, Registration> }> {
  const [units, stored] = await Promise.all([unitsOfYear(deps, directive), deps.emulation.registrationsOf(directive.id, directive.year)]);
  const byUnit = new Map(stored.map((r) => [r.unitId, r]));
  const registrations = new Map(units.map((u) => [u.id, byUnit.get(u.id) ?? emptyRegistration(directive.id, directive.year, u.id)]));
  return { units, registrations };
}

/**
 * The reminder machinery's registration step: units that have not registered (or were returned) are emailed, once
 * per step (`before` a week ahead, `due` on the deadline day, `late` after it) under a key the mail log keeps.
 */
export async function remindRegistrations(deps: ReminderDeps, directive: Directive, consoleUrl: string): Promise<{ reminded: string[]; step: string | null }> {
  const rules = await rulesOf(deps, directive);
  const deadline = `${directive.year}-${rules.registrationDeadline}`;
  const today = vietnamDate(deps.clock.now());
  const step = registrationStep(today, deadline, directive.year);
  if (!step) return { reminded: [], step: null };
  const { units, registrations } = await registrationsOfYear(deps, directive);
  const ids = new Set(unitsToRemind(units, registrations));
  const due = units.filter((u) => ids.has(u.id) && (u.emails.length || u.leaderEmails.length));
  await deps.mail.sendAll(
    due.map((u) => ({
      key: `registration-reminder:${directive.id}:${directive.year}:${u.id}:${step}`,
      to: u.emails.length ? u.emails : u.leaderEmails,
      cc: step === 'late' ? u.leaderEmails.filter((e) => !u.emails.includes(e)) : [],
      ...registrationReminder({
        directive, unitName: u.name, deadlineVi: formatDateVi(deadline), step, registration: registrations.get(u.id)!, consoleUrl: consoleUrl.replace(/\/+$/, ''),
        ...(deps.linkSecret && consoleUrl ? { link: registrationLink(consoleUrl, directive, u.id, deps.linkSecret) } : {}),
      }),
      kind: 'registration-reminder',
      directiveId: directive.id,
      unitId: u.id,
    })),
  );
  return { reminded: due.map((u) => u.id), step };
}

/** The morning sweep's part: every issued directive of the sweep's year reminds its units not yet registered. */
export async function remindRegistrationsOfYear(scheduledTime: string, deps: ReminderDeps, consoleUrl: string): Promise<number> {
  const year = Number(vietnamDate(scheduledTime).slice(0, 4));
  const directives = (await deps.directives.directivesOfYear(year)).filter((d) => d.status === 'issued');
  let reminded = 0;
  for (const d of directives) reminded += (await remindRegistrations(deps, d, consoleUrl)).reminded.length;
  return reminded;
}

/** A week before the deadline, on it, and once after it (until the year ends). */
function registrationStep(today: string, deadline: string, year: number): 'before' | 'due' | 'late' | null {
  if (today > `${year}-12-31`) return null;
  if (today > deadline) return 'late';
  if (today === deadline) return 'due';
  const weekBefore = new Date(Date.parse(`${deadline}T00:00:00Z`) - 7 * 86_400_000).toISOString().slice(0, 10);
  return today >= weekBefore ? 'before' : null;
}

/** The office sets the year's clusters from a CSV; every problem is named and nothing is stored unless all are right. */
export async function importClusters(deps: EmulationDeps, directive: Directive, csv: string): Promise<Cluster[]> {
  const units = new Map((await unitsOfYear(deps, directive)).map((u) => [u.id, u]));
  const { clusters, problems } = readClustersCsv(csv, units);
  if (problems.length) throw new InputError('Tệp cụm, khối thi đua có lỗi; chưa lưu gì', problems.map((p) => p.messageVi));
  checkClusters(clusters, units);
  await deps.emulation.putClusters(directive.id, directive.year, clusters);
  return clusters;
}

/** The year's results, as the period-close job stored them. */
export async function yearResults(deps: Pick<EmulationDeps, 'results'>, directive: Directive): Promise<PeriodResults | undefined> {
  return deps.results.getResults(directive.id, `${directive.year}-Y`);
}

/** Units ranked within each cluster, beside their rank under their parent; the leading unit of the year named. */
export async function clusterRankings(deps: EmulationDeps, directive: Directive): Promise<{ rankings: ClusterRanking[]; periodId: string | null }> {
  const clusters = await deps.emulation.clustersOf(directive.id, directive.year);
  const periodIds = directive.cadences.flatMap((c) => periodsOf(directive.year, c, directive.cutoff).map((p) => p.id));
  for (const id of [`${directive.year}-Y`, ...periodIds.reverse()]) {
    const results = await deps.results.getResults(directive.id, id);
    if (results) return { rankings: rankWithinClusters(results, clusters, directive.year, directive.indicators), periodId: id };
  }
  return { rankings: [], periodId: null };
}

/** Each cluster's ranking to its leading unit of the year (which proposes the cluster's flag), once per period. */
export async function sendClusterDigests(deps: EmulationDeps, directive: Directive): Promise<number> {
  const { rankings, periodId } = await clusterRankings(deps, directive);
  if (!periodId) return 0;
  const leaders = await deps.units.getUnits(rankings.map((r) => r.leaderId));
  const label = periodId.endsWith('-Y') ? `năm ${directive.year}` : periodById(periodId, directive.cutoff).label;
  const messages = rankings.flatMap((r) => {
    const leader = leaders.get(r.leaderId);
    const to = leader ? [...new Set([...leader.leaderEmails, ...leader.emails])] : [];
    if (!leader || !to.length) return [];
    const rendered = clusterDigest({ directive, clusterName: r.nameVi, leaderName: leader.name, periodLabel: label, rows: r.rows });
    return [{ key: `cluster-digest:${directive.id}:${periodId}:${r.clusterId}`, to, cc: [], ...rendered, kind: 'cluster-digest', directiveId: directive.id, unitId: leader.id }];
  });
  await deps.mail.sendAll(messages);
  return messages.length;
}

/** The level below nominates a unit for a title with its achievement report (already in the bucket). */
export async function nominate(
  deps: EmulationDeps,
  input: { directive: Directive; unitId: string; titleId: string; achievementReportKey: string; nominatedBy: string },
): Promise<Candidate> {
  const { directive } = input;
  const [unit, rules] = await Promise.all([assignedUnit(deps, directive, input.unitId), rulesOf(deps, directive)]);
  const title = rules.titles.find((t) => t.id === input.titleId);
  if (!title) throw new InputError('Danh hiệu đề nghị không có trong danh mục của năm thi đua');
  if (title.level !== unit.level) throw new InputError(`Danh hiệu "${title.nameVi}" không dành cho cấp của ${unit.name}`);
  const nomination: Candidate = {
    unitId: unit.id,
    name: unit.name,
    titleId: title.id,
    source: 'nomination',
    achievementReportKey: input.achievementReportKey,
    nominatedBy: input.nominatedBy,
  };
  if ((await deps.emulation.sessionsOf(directive.id, directive.year)).length) throw new InputError('Hội đồng đã họp bình xét năm này; không nhận thêm đề nghị');
  if ((await deps.emulation.putNomination(directive.id, directive.year, nomination)) === 'taken') {
    throw new InputError(`${unit.name} đã được một đơn vị khác đề nghị danh hiệu "${title.nameVi}"; mỗi đơn vị chỉ một đề nghị cho mỗi danh hiệu`);
  }
  return nomination;
}

export interface CandidateView extends Candidate {
  titleVi: string;
  /** What the title's history rules say of this unit: shown beside it, the council decides. */
  historyNotes: { met: boolean; explanationVi: string }[];
}

/** The year's candidates per title: the units the results qualify plus those nominated, with their history. */
export async function yearCandidates(deps: EmulationDeps, directive: Directive): Promise<{ candidates: CandidateView[]; excluded: { unitId: string; name: string; titleId: string; reasonVi: string }[]; rules: EmulationRules }> {
  const results = await yearResults(deps, directive);
  if (!results) throw new InputError(`Chưa có kết quả cả năm ${directive.year}: chỉ bình xét sau khi khóa sổ kỳ báo cáo năm`);
  const [rules, nominations, { units, registrations }] = await Promise.all([rulesOf(deps, directive), deps.emulation.nominationsOf(directive.id, directive.year), registrationsOfYear(deps, directive)]);
  const periodIds = directive.cadences.flatMap((c) => periodsOf(directive.year, c, directive.cutoff).map((p) => p.id));
  const periods = (await Promise.all(periodIds.map((id) => deps.results.getResults(directive.id, id)))).filter((r): r is PeriodResults => !!r);
  const commendations = proposeCommendations({ results, yearPeriodId: results.periodId }, periods);
  const { candidates, excluded } = candidatesOf({ commendations, nominations, registrations: [...registrations.values()], rules, units: new Map(units.map((u) => [u.id, u])) });
  const history = await deps.emulation.historyOf([...new Set(candidates.map((c) => c.unitId))]);
  const titleName = (id: string) => rules.titles.find((t) => t.id === id)?.nameVi ?? id;
  return {
    rules,
    excluded,
    candidates: candidates.map((c) => {
      const title = rules.titles.find((t) => t.id === c.titleId)!;
      return { ...c, titleVi: title.nameVi, historyNotes: historyNotes(title, history.get(c.unitId) ?? ([] as HistoryEntry[]), directive.year, titleName) };
    }),
  };
}

/**
 * The office sets the year's rules (titles, thresholds, quorum, award money, posting, registration). Every problem
 * is named and nothing is stored unless all are right; once the council has met, the year's rules no longer change.
 */
export async function setRules(deps: EmulationDeps, directive: Directive, input: unknown): Promise<EmulationRules> {
  const parsed = EmulationRules.safeParse(input, { error: ruleIssueVi });
  if (!parsed.success) throw new InputError('Quy tắc của năm thi đua chưa hợp lệ; chưa lưu gì', parsed.error.issues.map((i) => `${ruleFieldVi(i.path)}: ${i.message}`));
  const rules = parsed.data;
  const ids = rules.titles.map((t) => t.id);
  const problems = [
    ...ids.filter((id, i) => ids.indexOf(id) !== i).map((id) => `danh hiệu "${id}" bị lặp`),
    ...(ids.includes(rules.resultsTitleId) ? [] : [`danh hiệu theo kết quả "${rules.resultsTitleId}" không có trong danh mục`]),
    ...(isIsoDate(`${directive.year}-${rules.registrationDeadline}`) ? [] : [`hạn đăng ký ${rules.registrationDeadline} không phải một ngày có thật`]),
  ];
  if (problems.length) throw new InputError('Quy tắc của năm thi đua chưa hợp lệ; chưa lưu gì', problems);
  if ((await deps.emulation.sessionsOf(directive.id, directive.year)).length) throw new InputError('Hội đồng đã họp bình xét năm này; quy tắc của năm không còn thay đổi được');
  await deps.emulation.putRules(directive.id, directive.year, rules);
  return rules;
}

const RULE_FIELDS_VI: Record<string, string> = {
  titles: 'danh mục danh hiệu',
  quorum: 'số thành viên có mặt tối thiểu',
  baseSalary: 'mức lương cơ sở',
  postingDays: 'số ngày niêm yết',
  registrationDeadline: 'hạn đăng ký',
  registrationRequired: 'quy định phải đăng ký',
  resultsTitleId: 'danh hiệu theo kết quả',
  nameVi: 'tên',
  level: 'cấp',
  multiplier: 'hệ số tiền thưởng',
  threshold: 'ngưỡng phiếu',
  id: 'mã',
};

/** "titles.2.multiplier" → "danh hiệu thứ 3, hệ số tiền thưởng": where in the form the problem is. */
function ruleFieldVi(path: readonly PropertyKey[]): string {
  if (path[0] === 'titles' && typeof path[1] === 'number') {
    const rest = path.slice(2).filter((p): p is string => typeof p === 'string' && p in RULE_FIELDS_VI);
    return [`danh hiệu thứ ${path[1] + 1}`, ...(rest[0] ? [RULE_FIELDS_VI[rest[0]]] : [])].join(', ');
  }
  return RULE_FIELDS_VI[String(path[0])] ?? 'quy tắc';
}

/** The schema's problems in the words of the form (the library's own are English). */
function ruleIssueVi(issue: { code?: string; minimum?: unknown; maximum?: unknown; message?: string }): string {
  switch (issue.code) {
    case 'too_small':
      return `phải từ ${String(issue.minimum)} trở lên`;
    case 'too_big':
      return `không được lớn hơn ${String(issue.maximum)}`;
    case 'invalid_type':
      return 'chưa nhập, hoặc không phải một số';
    case 'invalid_value':
      return 'không có trong danh mục';
    case 'invalid_format':
      return 'chưa đúng dạng (tỷ lệ như 2/3 hay 70%, ngày như 31/03)';
    default:
      return issue.message ?? 'chưa hợp lệ';
  }
}

/**
 * A cluster agrees its own scoring table (points per indicator, "4 không" deduction, cap): checked against the
 * directive's indicators as the directive's own rubric is, stored with the year's clusters.
 */
export async function setClusterRubric(deps: EmulationDeps, directive: Directive, clusterId: string, input: unknown): Promise<Cluster> {
  const clusters = await deps.emulation.clustersOf(directive.id, directive.year);
  const cluster = clusters.find((c) => c.id === clusterId);
  if (!cluster) throw new InputError('Không có cụm thi đua này trong năm');
  const parsed = Rubric.safeParse(input, { error: ruleIssueVi });
  if (!parsed.success) throw new InputError('Bảng điểm của cụm chưa hợp lệ; chưa lưu gì', parsed.error.issues.map((i) => `${i.path.join('.') || 'bảng điểm'}: ${i.message}`));
  const problems = rubricProblems(parsed.data, directive);
  if (problems.length) throw new InputError('Bảng điểm của cụm chưa hợp lệ; chưa lưu gì', problems);
  const next = { ...cluster, rubric: parsed.data };
  await deps.emulation.putClusters(directive.id, directive.year, clusters.map((c) => (c.id === clusterId ? next : c)));
  return next;
}
