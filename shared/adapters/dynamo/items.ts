/**
 * The items DynamoRepository writes, one builder per item type: the repository stores them, and the benches size
 * them (bench/*.bench.ts) from the same shapes, so a cost estimate cannot drift from what is stored.
 */
import type { Assignment, Obligation } from '../../domain/assignment.ts';
import type { Directive } from '../../domain/directive.ts';
import type { Unit } from '../../domain/units.ts';
import type { ReportRecord } from '../../app/ports.ts';
import { keys } from './keys.ts';

export const itemOf = {
  unit: (u: Unit) => ({
    ...keys.unit(u.id),
    ...keys.unitTree(u.path[0] as string, u.level, u.path),
    ...(u.parentId ? keys.unitChildren(u.parentId, u.id) : {}),
    type: 'unit',
    ...u,
  }),
  /** The current version of a directive, listed with its year's directives. */
  directive: (d: Directive) => ({ ...keys.directive(d.id), ...keys.directivesOfYear(d.year, d.id), type: 'directive', ...d }),
  /** The immutable copy of one version. */
  directiveVersion: (d: Directive) => ({ ...keys.directiveVersion(d.id, d.version), type: 'directive', ...d }),
  assignment: (a: Assignment) => ({
    ...keys.assignment(a.unitId, a.directiveId),
    GSI1PK: keys.assignmentsOfDirective(a.directiveId, a.shard),
    GSI1SK: `${a.status}#${a.unitId}`,
    type: 'assignment',
    ...a,
  }),
  /** Only an open obligation carries the due-date index (GSI2): the sweep reads nothing already in. */
  obligation: (o: Obligation) => ({
    ...keys.obligation(o.unitId, o.directiveId, o.periodId),
    GSI1PK: keys.obligationsOfDirective(o.directiveId, o.periodId, o.shard),
    GSI1SK: `${o.status}#${o.unitId}`,
    ...(o.status === 'open' ? { GSI2PK: keys.openByDueDate(o.dueDate, o.directiveId, o.unitId), GSI2SK: `${o.directiveId}#${o.unitId}#${o.periodId}` } : {}),
    type: 'obligation',
    ...o,
  }),
  report: (r: ReportRecord) => ({ ...keys.report(r), type: 'report', ...r }),
  uploadOutcome: (r: ReportRecord) => ({
    ...keys.uploadOutcome(r),
    type: 'upload-outcome',
    directiveId: r.directiveId,
    periodId: r.periodId,
    unitId: r.unitId,
    reportKey: r.reportKey,
    versionId: r.versionId,
    status: r.status,
    receivedAt: r.receivedAt,
  }),
  resultsIndex: (directiveId: string, periodId: string, computedAt: string) => ({ ...keys.results(directiveId, periodId), type: 'results', directiveId, periodId, computedAt }),
};
