/**
 * The multi-year review (sơ kết, tổng kết) of a movement that runs several years: one directive per year from the
 * same issuer (the plan relayed each year). Per unit and indicator the trend across the years, who improved and who
 * declined most, the "4 không" by year, registrations and titles — as a page, an XLSX and an email to the issuing
 * level's leaders.
 */
import type { Directive } from '../domain/directive.ts';
import { InputError } from '../domain/errors.ts';
import type { PeriodResults } from '../domain/results/index.ts';
import type { HistoryEntry, Registration } from '../domain/emulation/types.ts';
import { buildReview, type MultiYearReview } from '../domain/emulation/review.ts';
import { renderReviewEmail } from '../mail/review-email.ts';
import { reviewWorkbook } from '../mail/review-xlsx.ts';
import { reviewKey } from '../contract/bucket.ts';
import type { EmulationDeps } from './emulation-year.ts';
import type { ReportStorage } from './ports.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The directives of one movement, oldest year first: one per year, one issuer, each with its year's results. */
export async function reviewOf(deps: EmulationDeps, directiveIds: readonly string[]): Promise<{ review: MultiYearReview; directives: Directive[] }> {
  const directives = (await Promise.all(directiveIds.map((id) => deps.directives.getDirective(id)))).filter((d): d is Directive => !!d);
  if (directives.length !== directiveIds.length) throw new InputError('Có chỉ thị không tìm thấy trong danh sách sơ kết');
  directives.sort((a, b) => a.year - b.year);
  checkMovement(directives);
  const years = await Promise.all(directives.map(async (d) => ({ year: d.year, results: await deps.results.getResults(d.id, `${d.year}-Y`) })));
  const missing = years.filter((y) => !y.results).map((y) => y.year);
  if (missing.length) throw new InputError(`Chưa có kết quả cả năm của năm ${missing.join(', ')}: chỉ sơ kết những năm đã khóa sổ`);
  const registrations = new Map<number, Registration[]>(await Promise.all(directives.map(async (d) => [d.year, await deps.emulation.registrationsOf(d.id, d.year)] as [number, Registration[]])));
  const decided = (await Promise.all(directives.map((d) => deps.emulation.decisionsOf(d.id, d.year)))).flat();
  const titles: HistoryEntry[] = decided.flatMap((dec) =>
    dec.awards.map((a) => ({ unitId: a.unitId, year: dec.year, titleId: a.titleId, titleVi: a.titleVi, decisionNumber: dec.number, decidedOn: dec.issuedOn, issuerName: null, source: 'decision' as const })),
  );
  const last = directives.at(-1)!;
  const level = last.targetUnits.scope === 'level' && last.targetUnits.level === 'village' ? 'village' : 'commune';
  const review = buildReview({ directive: last, years: years.map((y) => ({ year: y.year, results: y.results as PeriodResults })), registrations, titles, level });
  return { review, directives };
}

function checkMovement(directives: readonly Directive[]): void {
  if (directives.length < 2) throw new InputError('Sơ kết nhiều năm cần ít nhất hai năm thi đua');
  const issuers = new Set(directives.map((d) => d.issuerId));
  if (issuers.size > 1) throw new InputError('Các chỉ thị sơ kết phải cùng một cơ quan ban hành');
  const years = directives.map((d) => d.year);
  if (new Set(years).size !== years.length) throw new InputError(`Mỗi năm chỉ một chỉ thị: năm ${years.find((y, i) => years.indexOf(y) !== i)} bị lặp`);
}

/** Sends the review to the issuing level's leaders, the XLSX attached; once per set of years. */
export async function sendReview(deps: EmulationDeps & { storage: ReportStorage }, directiveIds: readonly string[], consoleUrl: string): Promise<{ sentTo: string[]; key: string }> {
  const { review, directives } = await reviewOf(deps, directiveIds);
  const last = directives.at(-1)!;
  const issuer = (await deps.units.getUnits([last.issuerId])).get(last.issuerId);
  const years = directives.map((d) => d.year);
  const key = reviewKey(last.id, years);
  await deps.storage.put(key, await reviewWorkbook(review), XLSX);
  const to = issuer ? [...new Set(issuer.leaderEmails.length ? issuer.leaderEmails : issuer.emails)] : [];
  if (!issuer || !to.length) return { sentTo: [], key };
  const rendered = renderReviewEmail(review, { issuerName: issuer.name, consoleUrl });
  await deps.mail.sendAll([
    {
      key: `review:${last.id}:${years.join('-')}`,
      to,
      cc: [],
      ...rendered,
      kind: 'review',
      directiveId: last.id,
      unitId: issuer.id,
      attachments: [{ fileName: `so-ket-${years[0]}-${years.at(-1)}.xlsx`, contentType: XLSX, s3Key: key }],
    },
  ]);
  return { sentTo: to, key };
}
