import { createHash } from 'node:crypto';
import type { AssignmentWorkItem } from '../../events/schemas.ts';
import type { Directive } from '../domain/directive.ts';
import type { Unit } from '../domain/units.ts';
import { chunk } from '../retry.ts';
import { PermanentError } from '../domain/errors.ts';
import type { AssignmentQueue, AssignmentStore, DirectiveStore, UnitDirectory } from './ports.ts';

/** Units per work item: 50 ids keep a message far below 256 KB and a worker's batch writes busy. */
export const UNITS_PER_WORK_ITEM = 50;

export interface FanOutDeps {
  directives: DirectiveStore;
  units: UnitDirectory;
  assignments: AssignmentStore;
  queue: AssignmentQueue;
}

export interface FanOutResult {
  directiveId: string;
  version: number;
  outcome: 'queued' | 'superseded';
  assign: number;
  withdraw: number;
  workItems: number;
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

export async function resolveTargetUnits(directive: Directive, units: UnitDirectory): Promise<string[]> {
  const scope = directive.targetUnits;
  if (scope.scope === 'list') return [...scope.unitIds];
  if (scope.scope === 'children') return (await collect(units.childrenOf(directive.issuerId))).map((u) => u.id);
  const issuer: Unit | undefined = (await units.getUnits([directive.issuerId])).get(directive.issuerId);
  if (!issuer) throw new PermanentError(`Issuer ${directive.issuerId} of directive ${directive.id} is not in the hierarchy`);
  return (await collect(units.descendantsAt(issuer, scope.level))).map((u) => u.id);
}

function workItems(directive: Directive, action: AssignmentWorkItem['action'], unitIds: string[]): AssignmentWorkItem[] {
  // Sorted, so a redelivered event yields the same chunks and the same keys; the digest makes a chunk whose
  // units changed in between (units imported meanwhile) a new piece of work instead of a skipped duplicate.
  return chunk([...unitIds].sort(), UNITS_PER_WORK_ITEM).map((ids, i) => ({
    key: `${directive.id}:v${directive.version}:${action}:${i}:${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 12)}`,
    directiveId: directive.id,
    version: directive.version,
    action,
    unitIds: ids,
  }));
}

/** DirectiveIssued / Amended / Withdrawn → work items for the assignment workers. Idempotent: same event, same messages. */
export async function fanOutDirective(ref: { directiveId: string; version: number }, deps: FanOutDeps): Promise<FanOutResult> {
  const directive = await deps.directives.getDirective(ref.directiveId, { consistent: true });
  if (!directive || directive.version < ref.version) {
    throw new PermanentError(`Directive ${ref.directiveId} v${ref.version} is not stored (found v${directive?.version ?? 'none'})`);
  }
  if (directive.version > ref.version) {
    // A newer version's event fans out the current state; acting on this one would only be undone.
    return { directiveId: directive.id, version: ref.version, outcome: 'superseded', assign: 0, withdraw: 0, workItems: 0 };
  }

  const previouslyActive = directive.version > 1 ? (await collect(deps.assignments.assignmentsOfDirective(directive))).filter((a) => a.status === 'active').map((a) => a.unitId) : [];
  let assign: string[] = [];
  let withdraw: string[];
  if (directive.status === 'withdrawn') {
    withdraw = previouslyActive;
  } else {
    assign = await resolveTargetUnits(directive, deps.units);
    const targeted = new Set(assign);
    withdraw = previouslyActive.filter((u) => !targeted.has(u));
  }
  const items = [...workItems(directive, 'assign', assign), ...workItems(directive, 'withdraw', withdraw)];
  await deps.queue.sendAll(items);
  return { directiveId: directive.id, version: directive.version, outcome: 'queued', assign: assign.length, withdraw: withdraw.length, workItems: items.length };
}
