/**
 * A commune gives each of its villages its targets (seed 002 §2): the split is read from a form or a workbook,
 * checked against the commune's own targets by each indicator's roll-up, and stored whole only when every indicator
 * reaches the commune's figure; otherwise nothing is stored and every shortfall is told.
 */
import type { Directive, Indicator, TargetValue } from '../domain/directive.ts';
import { InputError } from '../domain/errors.ts';
import { checkVillageSplit, type RawSplit, type SplitVillage, type VillageTargetMap } from '../domain/targets-split.ts';
import { buildSplitWorkbook } from '../domain/village-targets-workbook.ts';
import type { Unit } from '../domain/units.ts';
import type { AssignmentStore, Clock, DirectiveStore, ObligationIndex, UnitDirectory, VillageTargets, VillageTargetStore } from './ports.ts';

export interface VillageTargetDeps {
  directives: DirectiveStore;
  units: UnitDirectory;
  assignments: AssignmentStore;
  obligations: ObligationIndex;
  villageTargets: VillageTargetStore;
  clock: Clock;
}

/** What the split of one commune for one directive starts from. */
export interface SplitContext {
  directive: Directive;
  commune: Unit;
  villages: (Unit & SplitVillage)[];
  communeTargets: Record<string, TargetValue>;
  saved?: VillageTargets;
  /** The saved split no longer meets the commune's targets since the directive was amended: what to give again. */
  outdated?: string[];
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

/** The commune's split of a directive: its active assignment's targets, its villages, what was saved before. */
export async function openSplit(directiveId: string, commune: Unit, deps: Pick<VillageTargetDeps, 'directives' | 'units' | 'assignments' | 'villageTargets'>): Promise<SplitContext> {
  const directive = await deps.directives.getDirective(directiveId, { consistent: false });
  if (!directive || directive.status === 'withdrawn') throw new InputError('Không tìm thấy văn bản đang có hiệu lực này', ['Hãy chọn lại văn bản từ trang Chỉ tiêu các thôn.']);
  const assignment = (await deps.assignments.getAssignments(directiveId, [commune.id])).get(commune.id);
  if (!assignment || assignment.status !== 'active') throw new InputError(`${commune.name} chưa được giao chỉ tiêu của văn bản này`);
  const villages = (await collect(deps.units.childrenOf(commune.id))).filter((u) => u.level === 'village').sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  const saved = (await deps.villageTargets.getVillageTargets(directiveId, [commune.id])).get(commune.id);
  const outdated = saved ? outdatedBy(saved, directive, assignment.targets, villages) : [];
  return { directive, commune, villages, communeTargets: assignment.targets, ...(saved ? { saved } : {}), ...(outdated.length ? { outdated } : {}) };
}

/**
 * A split saved against an earlier version of the directive, checked again against the commune's targets now: what
 * no longer holds (empty when the amendment did not touch it, or when it still holds).
 */
function outdatedBy(saved: VillageTargets, directive: Directive, communeTargets: Record<string, TargetValue>, villages: readonly SplitVillage[]): string[] {
  if (saved.directiveVersion === directive.version) return [];
  const again = checkVillageSplit(directive.indicators, communeTargets, villages, saved.targets);
  return again.ok ? [] : again.problems;
}

/** The directives a commune was given targets of (from its obligations: one Query), with their saved splits. */
export async function splitsOfCommune(commune: Unit, deps: Pick<VillageTargetDeps, 'directives' | 'obligations' | 'villageTargets'>): Promise<{ directive: Directive; saved?: VillageTargets }[]> {
  const ids = [...new Set((await deps.obligations.obligationsOfUnit(commune.id)).map((o) => o.directiveId))];
  const directives = (await Promise.all(ids.map((id) => deps.directives.getDirective(id, { consistent: false })))).filter((d): d is Directive => !!d && d.status !== 'withdrawn');
  const saved = await Promise.all(directives.map((d) => deps.villageTargets.getVillageTargets(d.id, [commune.id])));
  return directives.map((directive, i) => {
    const s = saved[i]!.get(commune.id);
    return { directive, ...(s ? { saved: s } : {}) };
  });
}

/**
 * Checks and stores the split (one item, replaced whole). A split that falls short anywhere is an InputError listing
 * every problem, and nothing is stored.
 */
export async function saveSplit(ctx: SplitContext, raw: RawSplit, by: string, deps: Pick<VillageTargetDeps, 'villageTargets' | 'clock'>): Promise<VillageTargets> {
  const checked = checkVillageSplit(ctx.directive.indicators, ctx.communeTargets, ctx.villages, raw);
  if (!checked.ok) throw new InputError(`Chưa lưu: chỉ tiêu giao cho các thôn chưa khớp với chỉ tiêu của ${ctx.commune.name}`, checked.problems);
  const split: VillageTargets = {
    directiveId: ctx.directive.id,
    communeId: ctx.commune.id,
    directiveVersion: ctx.directive.version,
    targets: checked.targets,
    updatedAt: deps.clock.now().toISOString(),
    updatedBy: by,
  };
  await deps.villageTargets.putVillageTargets(split);
  return split;
}

export const splitWorkbook = (ctx: SplitContext): Promise<Uint8Array> =>
  buildSplitWorkbook({
    title: `Chỉ tiêu giao cho các thôn – ${ctx.commune.name} – ${ctx.directive.kind} số ${ctx.directive.number}`,
    indicators: ctx.directive.indicators,
    communeTargets: ctx.communeTargets,
    villages: ctx.villages,
    current: ctx.saved?.targets ?? ({} as VillageTargetMap),
  });

/** How an uploaded split is read: the console passes the worker under the parse budget (shared/runtime/parse-budget.ts). */
export type SplitReader = (bytes: Uint8Array, expected: { indicators: Indicator[]; villages: SplitVillage[] }) => Promise<RawSplit>;

export const readSplitUpload = (ctx: SplitContext, bytes: Uint8Array, read: SplitReader): Promise<RawSplit> =>
  read(bytes, { indicators: ctx.directive.indicators, villages: ctx.villages.map(({ id, name, households, population }) => ({ id, name, ...(households !== undefined ? { households } : {}), ...(population !== undefined ? { population } : {}) })) });
