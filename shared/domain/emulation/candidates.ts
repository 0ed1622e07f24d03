/**
 * Who the council considers at year end (Law Art. 83, 84): the units the results proposed (every target met, the
 * "4 không" kept, every period reported), for the titles they registered, and the units the level below nominated
 * with an achievement report. A unit that did not register is not considered where the rules say so (a provincial
 * rule seen in practice); each one left out carries its reason, for the council's file.
 */
import type { Commendations } from '../results/commendations.ts';
import { LEVEL_NAME_VI, type UnitLevel } from '../units.ts';
import type { Candidate, EmulationRules, Registration, Title } from './types.ts';

export interface Excluded {
  unitId: string;
  name: string;
  titleId: string;
  reasonVi: string;
}

export const NOT_REGISTERED_VI = 'chưa đăng ký thi đua (quy định: đơn vị không đăng ký thì không xét)';

type UnitInfo = { id: string; name: string; level: string };

const pairKey = (unitId: string, titleId: string) => `${unitId}\u0000${titleId}`;

const levelVi = (level: string): string => LEVEL_NAME_VI[level as UnitLevel] ?? level;

/**
 * The candidates and those left out, each sorted by the title's place in the rules, then by name. A unit both
 * proposed by the results and nominated for the same title is one candidate: the results' (it needs no one's
 * word), carrying the nomination's achievement report.
 */
export function candidatesOf(input: {
  commendations: Commendations;
  nominations: readonly Candidate[];
  registrations: readonly Registration[];
  rules: EmulationRules;
  units: ReadonlyMap<string, UnitInfo>;
}): { candidates: Candidate[]; excluded: Excluded[] } {
  const { commendations, nominations, registrations, rules, units } = input;
  const titles = new Map(rules.titles.map((t) => [t.id, t]));
  const approved = new Map(registrations.filter((r) => r.state === 'approved').map((r) => [r.unitId, r]));
  const chosen = new Map<string, Candidate>();
  const excluded = new Map<string, Excluded>();
  const exclude = (unitId: string, name: string, titleId: string, reasonVi: string) => {
    if (!excluded.has(pairKey(unitId, titleId))) excluded.set(pairKey(unitId, titleId), { unitId, name, titleId, reasonVi });
  };
  const titleVi = (titleId: string) => titles.get(titleId)?.nameVi ?? `mã "${titleId}"`;
  const otherLevelVi = (title: Title, unit: UnitInfo) =>
    `danh hiệu "${title.nameVi}" dành cho cấp ${levelVi(title.level)}, đơn vị thuộc cấp ${levelVi(unit.level)}`;

  for (const p of commendations.proposals) {
    const unit = units.get(p.unitId);
    const registration = approved.get(p.unitId);
    if (!unit) {
      exclude(p.unitId, p.name, rules.resultsTitleId, 'không có trong danh mục đơn vị');
      continue;
    }
    if (rules.registrationRequired && !registration) {
      exclude(p.unitId, p.name, rules.resultsTitleId, NOT_REGISTERED_VI);
      continue;
    }
    // The titles it registered that are of its level; a unit that registered none stands for the results' own title.
    const registered = (registration?.titleIds ?? []).filter((id) => titles.get(id)?.level === unit.level);
    for (const titleId of registered.length ? registered : [rules.resultsTitleId]) {
      const title = titles.get(titleId);
      if (!title) exclude(p.unitId, p.name, titleId, `danh hiệu ${titleVi(titleId)} không có trong quy định thi đua`);
      else if (title.level !== unit.level) exclude(p.unitId, p.name, titleId, otherLevelVi(title, unit));
      else chosen.set(pairKey(p.unitId, titleId), { unitId: p.unitId, name: p.name, titleId, source: 'results', achievementReportKey: null, nominatedBy: null });
    }
  }

  for (const n of nominations) {
    const key = pairKey(n.unitId, n.titleId);
    const title = titles.get(n.titleId);
    const unit = units.get(n.unitId);
    const registration = approved.get(n.unitId);
    const already = chosen.get(key);
    if (already) {
      // One candidate per unit and title: the first one found stays, and keeps the report a nomination brings.
      already.achievementReportKey ??= n.achievementReportKey;
      already.nominatedBy ??= n.nominatedBy;
    } else if (!title) exclude(n.unitId, n.name, n.titleId, `danh hiệu ${titleVi(n.titleId)} không có trong quy định thi đua`);
    else if (!unit) exclude(n.unitId, n.name, n.titleId, 'không có trong danh mục đơn vị');
    else if (title.level !== unit.level) exclude(n.unitId, n.name, n.titleId, otherLevelVi(title, unit));
    else if (rules.registrationRequired && !registration) exclude(n.unitId, n.name, n.titleId, NOT_REGISTERED_VI);
    else if (rules.registrationRequired && !registration!.titleIds.includes(n.titleId)) {
      exclude(n.unitId, n.name, n.titleId, `chưa đăng ký danh hiệu "${title.nameVi}" (quy định: đơn vị không đăng ký thì không xét)`);
    } else chosen.set(key, { ...n, source: 'nomination' });
  }

  const order = new Map(rules.titles.map((t, i) => [t.id, i]));
  const byTitleThenName = (a: { titleId: string; name: string }, b: { titleId: string; name: string }) =>
    (order.get(a.titleId) ?? order.size) - (order.get(b.titleId) ?? order.size) || a.name.localeCompare(b.name, 'vi');
  // A pair both excluded (say, the results' unit without registration) and chosen (nominated later) is a candidate.
  const kept = [...excluded.values()].filter((e) => !chosen.has(pairKey(e.unitId, e.titleId)));
  return { candidates: [...chosen.values()].sort(byTitleThenName), excluded: kept.sort(byTitleThenName) };
}
