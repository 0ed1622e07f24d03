import { describe, expect, it } from 'vitest';
import { formatScore, scoreCorpus } from './support/document-score.ts';

/** The floor the reader must keep on the corpus of real documents; raised with every class of miss fixed. */
const FLOOR = 0.98;

describe('reading the corpus of real documents (test/fixtures/corpus, scored by its README)', () => {
  it('reads at least the floor of the fields an officer reads, and prints the table', () => {
    // Prepare / Act: every document of the corpus read and scored field by field
    const score = scoreCorpus();
    console.log(formatScore(score));

    // Assess
    expect(score.perDocument).toHaveLength(16);
    expect(score.overall).toBeGreaterThanOrEqual(FLOOR);
  });
});
