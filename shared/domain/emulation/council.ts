/**
 * The council's session (phiên họp bình xét): whether enough members came (Decree 98/2023 Art. 47: at least two
 * thirds), and whether each candidate's secret ballot reached its title's threshold. Votes are counted over the
 * members present, and every comparison is in integers, so "exactly two thirds" and "exactly 70%" are decided the way
 * the law reads them, never by a rounding of 0.666….
 */
import { InputError } from '../errors.ts';
import type { Candidate, CouncilSession, EmulationRules, Fraction, Outcome, Tally, Threshold, Title } from './types.ts';

/** Whether `present` of `members` make a quorum: at least the fraction, so exactly 2/3 present is one. */
export const quorumMet = (members: number, present: number, quorum: Fraction): boolean => present * quorum.den >= quorum.num * members;

/** Whether `yes` of `present` reach the threshold: "more than half" needs more than half, "at least 70%" takes 70% itself. */
export function thresholdMet(yes: number, present: number, t: Threshold): boolean {
  const { num, den } = t.of;
  return t.rule === 'more-than' ? yes * den > num * present : yes * den >= num * present;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * A fraction the way Vietnamese rules write it: a half is "1/2" (the law's "trên 1/2"), a whole percent is a percent
 * ("70%"), anything else stays a fraction ("2/3"), which a percent could only approximate.
 */
function fractionVi(f: Fraction): string {
  const d = gcd(f.num, f.den) || 1;
  const num = f.num / d;
  const den = f.den / d;
  if (den === 2 && num === 1) return '1/2';
  if ((num * 100) % den === 0) return `${(num * 100) / den}%`;
  return `${num}/${den}`;
}

/** "trên 1/2 số thành viên có mặt", "từ 70% trở lên số thành viên có mặt". */
export function thresholdVi(t: Threshold): string {
  const f = fractionVi(t.of);
  return t.rule === 'more-than' ? `trên ${f} số thành viên có mặt` : `từ ${f} trở lên số thành viên có mặt`;
}

/** The fewest members that make a quorum: the fraction of the members, rounded up (2/3 of 9 → 6). */
const quorumPeople = (members: number, quorum: Fraction): number => Math.floor((quorum.num * members + quorum.den - 1) / quorum.den);

/** "ít nhất 2/3 tổng số thành viên (6/9 người)". */
export const quorumVi = (members: number, quorum: Fraction): string =>
  `ít nhất ${fractionVi(quorum)} tổng số thành viên (${quorumPeople(members, quorum)}/${members} người)`;

const PERCENT = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });

/** "80%", "66,67%": the share of yes among those present, for people to read (the decision itself is exact). */
const percentVi = (yes: number, present: number): string => `${PERCENT.format(present > 0 ? (yes * 100) / present : 0)}%`;

const pairKey = (unitId: string, titleId: string) => `${unitId}\u0000${titleId}`;

/** How a problem line names a unit/title pair: the candidate's name and the title's Vietnamese name when known. */
function pairVi(unitId: string, titleId: string, candidates: readonly Candidate[], titles: ReadonlyMap<string, Title>): string {
  const unit = candidates.find((c) => c.unitId === unitId)?.name ?? `đơn vị mã "${unitId}"`;
  const title = titles.get(titleId)?.nameVi ?? `danh hiệu mã "${titleId}"`;
  return `${unit} – ${title}`;
}

/** The session's own numbers: members present at all, and enough of them. */
function sessionProblems(session: CouncilSession, rules: EmulationRules): string[] {
  const { members, present } = session;
  if (!Number.isInteger(members) || members < 1) return [`Tổng số thành viên hội đồng phải là số nguyên dương (đang ghi ${members}).`];
  if (!Number.isInteger(present) || present < 0) return [`Số thành viên có mặt phải là số nguyên không âm (đang ghi ${present}).`];
  if (present > members) return [`Số thành viên có mặt (${present}) lớn hơn tổng số thành viên hội đồng (${members}).`];
  if (!quorumMet(members, present, rules.quorum)) {
    return [
      `Phiên họp không đủ số thành viên: có mặt ${present}/${members}, cần ít nhất ${fractionVi(rules.quorum)} (${quorumPeople(members, rules.quorum)} người). Chưa thể bình xét.`,
    ];
  }
  return [];
}

/** Each tally: of a candidate, once, with no more yes than members present. */
function tallyProblems(session: CouncilSession, candidates: readonly Candidate[], titles: ReadonlyMap<string, Title>): string[] {
  const problems: string[] = [];
  const candidateKeys = new Set(candidates.map((c) => pairKey(c.unitId, c.titleId)));
  const seen = new Set<string>();
  for (const t of session.tallies) {
    const key = pairKey(t.unitId, t.titleId);
    const who = pairVi(t.unitId, t.titleId, candidates, titles);
    if (!candidateKeys.has(key)) problems.push(`${who}: có kết quả bỏ phiếu nhưng không có trong danh sách đề nghị bình xét`);
    else if (seen.has(key)) problems.push(`${who}: có hai kết quả bỏ phiếu, chỉ được ghi một`);
    seen.add(key);
    if (!Number.isInteger(t.yes) || t.yes < 0) problems.push(`${who}: số phiếu đồng ý phải là số nguyên không âm (đang ghi ${t.yes})`);
    else if (t.yes > session.present) problems.push(`${who}: ${t.yes} phiếu đồng ý nhưng chỉ ${session.present} thành viên có mặt`);
  }
  return problems;
}

/** Each candidate: for a title the rules know, named once, and voted on. */
function candidateProblems(session: CouncilSession, candidates: readonly Candidate[], titles: ReadonlyMap<string, Title>): string[] {
  const problems: string[] = [];
  const voted = new Set(session.tallies.map((t) => pairKey(t.unitId, t.titleId)));
  const listed = new Set<string>();
  for (const c of candidates) {
    const key = pairKey(c.unitId, c.titleId);
    const who = `${c.name} – ${titles.get(c.titleId)?.nameVi ?? `danh hiệu mã "${c.titleId}"`}`;
    if (!titles.has(c.titleId)) problems.push(`${who}: danh hiệu không có trong quy định thi đua`);
    if (listed.has(key)) problems.push(`${who}: có tên hai lần trong danh sách đề nghị`);
    else if (!voted.has(key)) problems.push(`${who}: chưa có kết quả bỏ phiếu`);
    listed.add(key);
  }
  return problems;
}

/**
 * The session's outcome, one per candidate in the candidates' order. Everything wrong is refused at once, in one
 * error the secretary can work through line by line: the session's numbers, then the tallies, then the candidates.
 */
export function evaluateSession(session: CouncilSession, candidates: readonly Candidate[], rules: EmulationRules): Outcome[] {
  const titles = new Map(rules.titles.map((t) => [t.id, t]));
  const ofSession = sessionProblems(session, rules);
  const problems = [...ofSession, ...tallyProblems(session, candidates, titles), ...candidateProblems(session, candidates, titles)];
  if (problems.length) {
    const messageVi = ofSession[0] ?? `Kết quả bình xét chưa ghi được: ${problems.length} chỗ cần sửa (xem từng dòng dưới đây).`;
    throw new InputError(messageVi, problems);
  }
  const tallies = new Map<string, Tally>(session.tallies.map((t) => [pairKey(t.unitId, t.titleId), t]));
  return candidates.map((c) => {
    const yes = tallies.get(pairKey(c.unitId, c.titleId))!.yes;
    const threshold = titles.get(c.titleId)!.threshold;
    const passed = thresholdMet(yes, session.present, threshold);
    const explanationVi = `${yes}/${session.present} phiếu đồng ý (${percentVi(yes, session.present)}), ngưỡng ${thresholdVi(threshold)}: ${passed ? 'đạt' : 'không đạt'}`;
    return { unitId: c.unitId, name: c.name, titleId: c.titleId, yes, present: session.present, passed, explanationVi };
  });
}
