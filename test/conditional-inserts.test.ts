import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws } from '../shared/adapters/aws.ts';
import { repository } from '../shared/adapters/wiring.ts';
import type { Assignment } from '../shared/domain/assignment.ts';
import { startFlow, type Flow } from './support/flow.ts';

// Issue #15: a fan-out's new assignments and the mail log's claims are PartiQL INSERTs batched 25 to a request
// (a plain write's cost, where a transaction bills two). These tests hold the guarantees the transactions gave, on
// DynamoDB Local: an insert never overwrites what appeared after the read, and a throttled statement is sent again.
let flow: Flow;

beforeAll(async () => {
  flow = await startFlow();
});

afterAll(async () => {
  await flow?.stack.stop();
});

function assignment(directiveId: string, unitId: string, version: number): Assignment {
  return {
    directiveId,
    version,
    unitId,
    unitName: `Thôn ${unitId}`,
    unitLevel: 'village',
    targets: { quy: 2_340_000 },
    status: 'active',
    assignedAt: '2027-01-05T01:00:00.000Z',
    shard: 0,
    notice: 'assigned',
  };
}

/** Answers the first BatchExecuteStatement as DynamoDB does when some statements are throttled: per statement. */
function throttleFirstBatch(positions: readonly number[]) {
  let done = false;
  const seen = { requests: 0 };
  const name = `throttle-${randomUUID()}`;
  aws().dynamo.middlewareStack.add(
    ((next: (args: unknown) => Promise<{ output: { Responses?: { Error?: { Code: string; Message: string } }[] } }>, ctx: { commandName?: string }) =>
      async (args: { input: { Statements: unknown[] } }) => {
        if (ctx.commandName !== 'BatchExecuteStatementCommand') return next(args);
        seen.requests++;
        if (done) return next(args);
        done = true;
        // Only the other statements reach the table; the throttled ones come back with their error.
        const kept = args.input.Statements.filter((_, i) => !positions.includes(i));
        const out = await next({ ...args, input: { ...args.input, Statements: kept } });
        const answers = [...(out.output.Responses ?? [])];
        const Responses = args.input.Statements.map((_, i) =>
          positions.includes(i) ? { Error: { Code: 'ThrottlingError', Message: 'Throughput exceeds the current capacity' } } : answers.shift(),
        );
        return { ...out, output: { ...out.output, Responses } };
      }) as never,
    { step: 'initialize', name },
  );
  return { seen, restore: () => aws().dynamo.middlewareStack.remove(name) };
}

describe('conditional inserts: what the transactions guaranteed, at a plain write\'s cost', () => {
  it('inserts the assignments read as absent, and never overwrites one that appeared meanwhile with a newer version', async () => {
    // Prepare: unit B gets version 2 from another delivery after this one read it as absent.
    const repo = repository();
    const directiveId = `ins-${randomUUID()}`;
    await repo.putAssignmentIfNewer(assignment(directiveId, 'B', 2));

    // Act
    const written = await repo.putAssignmentsIfNewer(
      ['A', 'B', 'C'].map((u) => assignment(directiveId, u, 1)),
      new Set(['A', 'B', 'C']),
    );
    const newer = await repo.putAssignmentsIfNewer([assignment(directiveId, 'B', 3)], new Set(['B']));

    // Assess
    expect([...written].sort()).toEqual(['A', 'C']);
    expect([...newer]).toEqual(['B']);
    const stored = await repo.getAssignments(directiveId, ['A', 'B', 'C']);
    expect([...stored.values()].map((a) => `${a.unitId}:${a.version}`).sort()).toEqual(['A:1', 'B:3', 'C:1']);
  });

  it('sends throttled inserts again until each is written once, in batches of 25', async () => {
    // Prepare: 60 new units; in the first request the 2nd and the 20th statements are throttled.
    const repo = repository();
    const directiveId = `ins-${randomUUID()}`;
    const units = Array.from({ length: 60 }, (_, i) => `U${i}`);
    const { seen, restore } = throttleFirstBatch([1, 19]);

    // Act
    let written: Set<string>;
    try {
      written = await repo.putAssignmentsIfNewer(units.map((u) => assignment(directiveId, u, 1)), new Set(units));
    } finally {
      restore();
    }

    // Assess
    expect(seen.requests).toBe(4); // 25 + 25 + 10, and the two throttled again
    expect(written.size).toBe(60);
    const stored = await repo.getAssignments(directiveId, units);
    expect(stored.size).toBe(60);
    expect(stored.get('U1')?.targets).toEqual({ quy: 2_340_000 });
    expect(stored.get('U19')?.unitName).toBe('Thôn U19');
  });

  it('claims mail keys one by one: a key another sender holds is reported held, the free ones are claimed', async () => {
    // Prepare: another sender holds k1 with a live lease.
    const repo = repository();
    const base = `claim-${randomUUID()}`;
    const at = new Date('2027-01-05T01:00:00Z');
    const leaseUntil = new Date(at.getTime() + 180_000);
    await repo.claimMails([`${base}:1`], { attempt: 'other', at, leaseUntil, takeOverStale: false });

    // Act
    const claims = await repo.claimMails([0, 1, 2].map((i) => `${base}:${i}`), { attempt: 'mine', at, leaseUntil, takeOverStale: false });

    // Assess
    expect(Object.fromEntries([...claims].map(([k, c]) => [k.slice(base.length + 1), c.state]))).toEqual({ 0: 'claimed', 1: 'held', 2: 'claimed' });
  });
});
