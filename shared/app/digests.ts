import type { MailMessage } from '../../events/schemas.ts';
import type { Directive } from '../domain/directive.ts';
import { periodById, periodsOf } from '../domain/calendar/index.ts';
import { proposeCommendations, type PeriodResults } from '../domain/results/index.ts';
import { commendationsWorkbook, renderCommendations } from '../mail/commendation-email.ts';
import type { Unit } from '../domain/units.ts';
import { renderDigest } from '../mail/digest-email.ts';
import { digestWorkbook } from '../mail/digest-xlsx.ts';
import { digestTableKey, TEMPLATES_PREFIX } from '../contract/bucket.ts';
import type { MailQueue, ObligationIndex, ReportStorage, ResultsStore, UnitDirectory } from './ports.ts';
import { awaitsApproval } from '../domain/approval.ts';
import { XLSX_CONTENT_TYPE } from './uploads.ts';
import { mapLimit } from '../retry.ts';

/**
 * One digest per leader, for the part of the hierarchy they lead and nothing else: the issuer's office its
 * communes (or districts), each district its communes, each commune chairman the commune's villages.
 */
export async function sendDigests(
  results: PeriodResults,
  directive: Directive,
  deps: { units: UnitDirectory; storage: ReportStorage; mail: MailQueue; obligations?: ObligationIndex },
): Promise<{ sent: number; withoutAddress: string[] }> {
  const periodLabel = periodById(results.periodId, directive.cutoff).label;
  const childrenOf = new Map<string, string[]>();
  for (const u of Object.values(results.units)) {
    if (u.parentId && results.units[u.parentId]) childrenOf.set(u.parentId, [...(childrenOf.get(u.parentId) ?? []), u.unitId]);
  }
  const leaders = [...childrenOf.keys()];
  const awaiting = await awaitingUnder(results, directive, deps.obligations);
  const units = await deps.units.getUnits(leaders);
  const withoutAddress: string[] = [];
  // Eight tables written at a time; the messages are queued together once every table is in place.
  const built = await mapLimit(leaders, 8, async (id): Promise<MailMessage | undefined> => {
    const unit: Unit | undefined = units.get(id);
    if (!unit) return undefined;
    const to = unit.leaderEmails.length ? unit.leaderEmails : unit.emails;
    if (to.length === 0) {
      withoutAddress.push(id);
      return undefined;
    }
    const args = { directive, periodLabel, results, leader: { unitId: id, name: unit.name }, childIds: childrenOf.get(id) ?? [], ...(awaiting.has(id) ? { awaitingApproval: awaiting.get(id)! } : {}) };
    const key = digestTableKey(directive.id, results.periodId, id);
    await deps.storage.put(key, await digestWorkbook(args), XLSX_CONTENT_TYPE);
    return {
      key: `digest:${directive.id}:${results.periodId}:${id}`,
      to,
      cc: unit.leaderEmails.length ? unit.emails.filter((e) => !to.includes(e)) : [],
      ...renderDigest(args),
      kind: 'digest',
      directiveId: directive.id,
      unitId: id,
      attachments: [{ fileName: `ket-qua-${results.periodId}-${id}.xlsx`, contentType: XLSX_CONTENT_TYPE, s3Key: key }],
    };
  });
  const messages = built.filter((m): m is MailMessage => !!m);
  await deps.mail.sendAll(messages);
  return { sent: messages.length, withoutAddress };
}

/**
 * With approval by the level above: how many reports under each unit await it (their unit and every unit above it
 * in the results count one). Empty for directives without approval.
 */
async function awaitingUnder(results: PeriodResults, directive: Directive, obligations: ObligationIndex | undefined): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (directive.approval !== 'parent' || !obligations) return counts;
  for (const o of (await obligations.obligationsOfPeriod(directive, results.periodId)).filter(awaitsApproval)) {
    for (let id = results.units[o.unitId]?.parentId; id && results.units[id]; id = results.units[id]?.parentId) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/**
 * Year end: the proposals for commendation go to the emulation council (Hội đồng Thi đua - Khen thưởng) of the
 * issuing level, as an email and an XLSX list, with every period's results as evidence.
 */
export async function sendCommendations(
  yearResults: PeriodResults,
  directive: Directive,
  deps: { units: UnitDirectory; storage: ReportStorage; mail: MailQueue; results: ResultsStore },
): Promise<{ proposed: number; sent: boolean }> {
  const periodIds = directive.cadences.flatMap((c) => periodsOf(directive.year, c, directive.cutoff).map((p) => p.id));
  const periods = (await Promise.all(periodIds.map((id) => deps.results.getResults(directive.id, id)))).filter((r): r is PeriodResults => !!r);
  const commendations = proposeCommendations({ results: yearResults, yearPeriodId: yearResults.periodId }, periods);
  const issuer = (await deps.units.getUnits([directive.issuerId])).get(directive.issuerId);
  const to = issuer ? [...new Set([...issuer.emails, ...issuer.leaderEmails])] : [];
  if (!issuer || to.length === 0) return { proposed: commendations.proposals.length, sent: false };
  const key = `${TEMPLATES_PREFIX}commendations/${directive.id}/${directive.year}.xlsx`;
  await deps.storage.put(key, await commendationsWorkbook(commendations, directive), XLSX_CONTENT_TYPE);
  await deps.mail.sendAll([
    {
      key: `commendations:${directive.id}:${directive.year}`,
      to,
      cc: [],
      ...renderCommendations(commendations, directive, `Hội đồng Thi đua - Khen thưởng ${issuer.name.replace(/^(Tỉnh|Huyện|Xã) /, '')}`),
      kind: 'commendations',
      directiveId: directive.id,
      unitId: issuer.id,
      attachments: [{ fileName: `de-nghi-khen-thuong-${directive.year}.xlsx`, contentType: XLSX_CONTENT_TYPE, s3Key: key }],
    },
  ]);
  return { proposed: commendations.proposals.length, sent: true };
}
