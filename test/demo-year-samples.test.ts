/**
 * The sample files `npm start` plays the emulation year with: the clusters it uploads must be accepted as they are
 * (four clusters of communes across districts, each with its leader), and the sample people must include the
 * council's secretary who records the session. The demo would stop halfway otherwise.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkClusters, leadingUnitOf, readClustersCsv } from '../shared/domain/emulation/clusters.ts';
import { readPeopleCsv } from '../shared/domain/people-csv.ts';
import { buildPaths } from '../shared/domain/units.ts';
import { readUnitsCsv } from '../shared/domain/units-csv.ts';
import { SAMPLE_CLUSTERS } from '../local/cli/demo-year.ts';
import { SAMPLE_PEOPLE, SAMPLE_UNITS } from '../local/cli/samples.ts';

describe('the demo year\'s sample files', () => {
  it('groups communes of several districts into clusters of one block, each led in 2027 by a member', () => {
    // Prepare
    const units = new Map(buildPaths(readUnitsCsv(readFileSync(SAMPLE_UNITS, 'utf8')).rows).map((u) => [u.id, u]));

    // Act
    const { clusters, problems } = readClustersCsv(readFileSync(SAMPLE_CLUSTERS, 'utf8'), units);

    // Assess
    expect(problems).toEqual([]);
    expect(() => checkClusters(clusters, units)).not.toThrow();
    expect(clusters.length).toBeGreaterThanOrEqual(3);
    expect(clusters.length).toBeLessThanOrEqual(4);
    for (const c of clusters) {
      expect(c.block).toBe('Xã, thị trấn');
      expect(c.memberIds.every((id) => units.get(id)?.level === 'commune')).toBe(true);
      expect(new Set(c.memberIds.map((id) => units.get(id)?.parentId)).size).toBeGreaterThan(1);
      expect(c.memberIds).toContain(leadingUnitOf(c, 2027));
    }
  });

  it('has the province council\'s secretary among the sample people', () => {
    // Prepare
    const text = readFileSync(SAMPLE_PEOPLE, 'utf8');

    // Act
    const { people, problems } = readPeopleCsv(text);

    // Assess
    expect(problems).toEqual([]);
    const secretaries = people.flatMap((p) => p.grants.filter((g) => g.role === 'secretary').map((g) => ({ email: p.email, unitId: g.unitId })));
    expect(secretaries).toEqual([{ email: 'thuky.tinh@binhthuan.thidua.local', unitId: 'binh-thuan' }]);
    expect(people.flatMap((p) => p.grants)).toHaveLength(7);
  });
});
