import type { PeriodResults, UnitResult } from './types.ts';

/** One unit proposed for commendation, with the evidence a council checks. */
export interface Proposal {
  unitId: string;
  name: string;
  parentId: string | null;
  rank: number;
  /** The year report's score. */
  score: number;
  /** Every period of the year: how the unit reported and what it scored. */
  evidence: { periodId: string; status: string; submittedAt: string | null; score: number | null; targetsMet: string }[];
}

export interface Commendations {
  directiveId: string;
  year: number;
  /** The level the proposals are about (the reporting units: communes). */
  proposals: Proposal[];
  /** Why the others were not proposed, one line each (for the council's file). */
  notProposed: { unitId: string; name: string; reason: string }[];
}

const met = (u: UnitResult) => {
  const all = Object.values(u.indicators).filter((i) => i.met !== null);
  return { met: all.filter((i) => i.met).length, of: all.length };
};

/**
 * Đề nghị khen thưởng: the reporting units that, in the year report, met every target they were given, kept the
 * "4 không" in every period of the year, and reported every period; ranked by the year's score.
 */
export function proposeCommendations(year: { results: PeriodResults; yearPeriodId: string }, periods: readonly PeriodResults[]): Commendations {
  const yearResults = year.results;
  const reporting = Object.values(yearResults.units).filter((u) => u.reporting && u.reporting.status !== 'cancelled');
  const proposals: Proposal[] = [];
  const notProposed: Commendations['notProposed'] = [];
  for (const u of reporting) {
    const history = periods.map((p) => ({ periodId: p.periodId, r: p.units[u.unitId] }));
    const evidence = history.map(({ periodId, r }) => ({
      periodId,
      status: r?.reporting?.status ?? 'không có',
      submittedAt: r?.reporting?.submittedAt ?? null,
      score: r?.score ?? null,
      targetsMet: r ? `${met(r).met}/${met(r).of}` : '—',
    }));
    const missing = history.filter(({ r }) => !r?.reporting || r.reporting.status === 'overdue' || r.reporting.status === 'pending');
    const breaches = history.flatMap(({ r }) => r?.fourNo ?? []);
    const yearMet = met(u);
    if (missing.length) notProposed.push({ unitId: u.unitId, name: u.name, reason: `chưa nộp báo cáo: ${missing.map((m) => m.periodId).join(', ')}` });
    else if (breaches.length) notProposed.push({ unitId: u.unitId, name: u.name, reason: `vi phạm "4 không" (${breaches.length} lần)` });
    else if (yearMet.met < yearMet.of) notProposed.push({ unitId: u.unitId, name: u.name, reason: `đạt ${yearMet.met}/${yearMet.of} chỉ tiêu năm` });
    else proposals.push({ unitId: u.unitId, name: u.name, parentId: u.parentId, rank: 0, score: u.score ?? 0, evidence });
  }
  proposals.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name, 'vi'));
  proposals.forEach((p, i) => (p.rank = i > 0 && proposals[i - 1]!.score === p.score ? proposals[i - 1]!.rank : i + 1));
  return { directiveId: yearResults.directiveId, year: Number(year.yearPeriodId.slice(0, 4)), proposals, notProposed };
}
