/** An open obligation for Quý I/2027 under decree 09: figures from 15/12/2026 to 14/03/2027, due Friday 19/03/2027. */
import type { Obligation } from '../../shared/domain/assignment.ts';

export const OPEN_Q1: Obligation = {
  directiveId: 'd',
  unitId: 'x0',
  parentId: 'p',
  periodId: '2027-Q1',
  cadence: 'quarterly',
  periodLabel: 'Quý I/2027',
  periodStart: '2026-12-15',
  periodEnd: '2027-03-14',
  dueDate: '2027-03-19',
  status: 'open',
  version: 1,
  shard: 0,
};
