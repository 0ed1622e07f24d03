/**
 * From the council's outcomes to the commendation decision (quyết định khen thưởng): who is awarded and how much
 * (Decree 152/2025: multiplier × base salary), and the checks before a decision may be issued — the public posting
 * has run its full time (Decree 98/2023 Art. 31 practice), and it names only those who passed, each once.
 */
import { addDays, formatDateVi } from '../calendar/index.ts';
import { InputError } from '../errors.ts';
import { awardAmount, moneyVi } from './money.ts';
import type { Award, EmulationRules, Outcome, Posting } from './types.ts';

const pairKey = (unitId: string, titleId: string) => `${unitId}\u0000${titleId}`;

/** The awards of the outcomes that passed, in their order, each with its money. */
export function awardsOf(outcomes: readonly Outcome[], rules: EmulationRules): Award[] {
  const titles = new Map(rules.titles.map((t) => [t.id, t]));
  return outcomes
    .filter((o) => o.passed)
    .map((o) => {
      const title = titles.get(o.titleId);
      if (!title) throw new InputError(`Danh hiệu mã "${o.titleId}" của ${o.name} không có trong quy định thi đua năm nay.`, []);
      return { unitId: o.unitId, name: o.name, titleId: o.titleId, titleVi: title.nameVi, amount: awardAmount(title.multiplier, rules.baseSalary) };
    });
}

/** The decision's whole money, as its last line reads it: "5.382.000 đồng". */
export const totalVi = (awards: readonly Pick<Award, 'amount'>[]): string => moneyVi(awards.reduce((sum, a) => sum + a.amount, 0));

/**
 * Refuses a decision issued before the posting ended, or naming anyone the posting does not hold as passed, or anyone
 * twice, or no one. `today` is Vietnam's date. The titles' Vietnamese names come from `rules` when given (a problem
 * line otherwise names the title by its id).
 */
export function checkDecisionAwards(
  named: readonly { unitId: string; titleId: string }[],
  posting: Posting,
  today: string,
  rules?: Pick<EmulationRules, 'titles'>,
): void {
  const titleVi = (titleId: string) => rules?.titles.find((t) => t.id === titleId)?.nameVi ?? `danh hiệu mã "${titleId}"`;
  const unitVi = (unitId: string) => posting.outcomes.find((o) => o.unitId === unitId)?.name ?? `đơn vị mã "${unitId}"`;
  const outcomes = new Map(posting.outcomes.map((o) => [pairKey(o.unitId, o.titleId), o]));
  const problems: string[] = [];
  let messageVi: string | undefined;
  if (today <= posting.endsOn) {
    messageVi = `Thời gian niêm yết công khai đến hết ngày ${formatDateVi(posting.endsOn)}; chỉ ban hành quyết định từ ngày ${formatDateVi(addDays(posting.endsOn, 1))}.`;
    problems.push(messageVi);
  }
  if (named.length === 0) {
    messageVi ??= 'Quyết định chưa có đơn vị nào được khen thưởng.';
    problems.push('Quyết định chưa có đơn vị nào được khen thưởng.');
  }
  const seen = new Set<string>();
  for (const { unitId, titleId } of named) {
    const key = pairKey(unitId, titleId);
    const who = `${unitVi(unitId)} – ${titleVi(titleId)}`;
    const outcome = outcomes.get(key);
    if (seen.has(key)) problems.push(`${who}: có tên hai lần trong quyết định`);
    else if (!outcome) problems.push(`${who}: không có trong danh sách đã niêm yết công khai`);
    else if (!outcome.passed) problems.push(`${who}: không đạt ở phiên bình xét (${outcome.yes}/${outcome.present} phiếu)`);
    seen.add(key);
  }
  if (problems.length) throw new InputError(messageVi ?? `Chưa thể ban hành quyết định: ${problems.length} chỗ cần sửa trong danh sách khen thưởng.`, problems);
}
