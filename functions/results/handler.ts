import { z } from 'zod';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parseEvent } from '../../events/schemas.ts';
import { computePeriodResults } from '../../shared/app/results.ts';
import { sendCommendations, sendDigests } from '../../shared/app/digests.ts';
import { systemClock } from '../../shared/app/ports.ts';
import { mailQueue, reportStorage, repository, resultsStore } from '../../shared/adapters/wiring.ts';
import { sqsConsumer } from '../../shared/lambda/sqs-handler.ts';
import { vietnamDate } from '../../shared/domain/calendar/index.ts';

const repo = repository();
const storage = reportStorage();
const results = resultsStore();
const mail = mailQueue();

/**
 * ResultsDue (compute, then the digests), ReportAccepted (a late report: compute again, no new digests), or a
 * decision of the level above (ReportApproved, ReportReturned: what results count changed; compute again).
 */
const ResultsWork = z.unknown().transform((raw) => {
  const e = parseEvent(raw, ['ResultsDue', 'ReportAccepted', 'ReportApproved', 'ReportReturned']);
  if (e.type === 'ResultsDue') {
    return { key: `results:${e.detail.directiveId}:${e.detail.periodId}:${vietnamDate(e.detail.scheduledTime)}`, directiveId: e.detail.directiveId, periodId: e.detail.periodId, digests: true, asOf: e.detail.scheduledTime };
  }
  if (e.type === 'ReportAccepted') {
    return { key: `results:${e.detail.reportKey}:${e.detail.receivedAt}`, directiveId: e.detail.directiveId, periodId: e.detail.periodId, digests: false, asOf: e.detail.receivedAt };
  }
  const d = e.detail;
  return { key: `results:${e.type}:${d.directiveId}/${d.periodId}/${d.unitId}:${d.at}`, directiveId: d.directiveId, periodId: d.periodId, digests: false, asOf: d.at };
});

export const handler = sqsConsumer({
  name: 'results',
  queue: 'results',
  schema: ResultsWork,
  process: async (work, { metrics, logger }) => {
    // Before the period's results are out, a report is simply part of them when they are computed; after, a
    // late one (or one within an extension) computes them again.
    if (!work.digests && !(await repo.resultsComputedAt(work.directiveId, work.periodId))) return { key: work.key, recomputed: false };
    const deps = { directives: repo, units: repo, assignments: repo, obligations: repo, reports: repo, results, clock: systemClock, villageTargets: repo };
    const computed = await computePeriodResults(work.directiveId, work.periodId, deps, new Date(work.asOf));
    metrics.addMetric('ResultsComputed', MetricUnit.Count, 1);
    if (!work.digests) return { key: work.key, recomputed: true };
    const directive = (await repo.getDirective(work.directiveId))!;
    const sent = await sendDigests(computed, directive, { units: repo, storage, mail, obligations: repo });
    metrics.addMetric('DigestsQueued', MetricUnit.Count, sent.sent);
    // The year's own report closes the year: the proposals for commendation go to the council.
    const proposals = work.periodId.endsWith('-Y') ? await sendCommendations(computed, directive, { units: repo, storage, mail, results }) : undefined;
    logger.info('Results and digests', { key: work.key, units: Object.keys(computed.units).length, ...sent, ...(proposals ? { proposals } : {}) });
    return { key: work.key, recomputed: true, digests: sent.sent, ...(proposals ? { proposed: proposals.proposed } : {}) };
  },
});
