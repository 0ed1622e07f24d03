/**
 * Recognising the same document however it arrived: the same file twice, its PDF and its scan's OCR text, a copy
 * in a legacy encoding. Three signs, strongest first:
 * - the bytes' SHA-256 (the same file);
 * - the document's own number and date, when both were read ("96-TB/VPTU" of 07/04/2021);
 * - a MinHash of the text's character 5-grams, taken after folding away diacritics, case, spaces and punctuation,
 *   so that lost diacritics, broken lines and page footers change little. Its values are cut into bands; two texts
 *   that agree on a whole band are candidates, then compared on all values (estimated Jaccard similarity).
 */
import { createHash } from 'node:crypto';
import { foldVi } from '../text.ts';

export const MINHASH_SIZE = 63;
/**
 * 21 bands of 3 values: texts of similarity 0.5 share a band with probability 0.94, of 0.45 with 0.87, of 0.1
 * with 0.02. Candidates are then compared on all 63 values.
 */
export const MINHASH_BANDS = 21;
const ROWS = MINHASH_SIZE / MINHASH_BANDS;
/**
 * Estimated similarity from which two texts are the same document. Measured on the seeds: copies read with up to 5%
 * of their characters misread measure 0.52–0.97; two different notices of one office 0.28.
 */
export const SAME_DOCUMENT_SIMILARITY = 0.45;

const SHINGLE = 5;
/** Below this many letters and digits (a caption, a pasted scan) every text looks alike: the text sign is not used. */
export const MIN_TEXT_FOR_SIGN = 200;

export interface DocumentFingerprint {
  bytesSha256: string;
  /** "23-CT/TU@2017-04-21": only when the document's own number and date were both read. */
  identity: string | null;
  minhash: number[];
  /** One key per band: "<band>:<hash of its values>"; none when the text is too short to tell documents apart. */
  bands: string[];
}

/** Letters and digits only, no diacritics, lower case: what survives every way a text can be damaged. */
export function skeleton(text: string): string {
  return foldVi(text).replace(/[^a-z0-9]+/g, '');
}

function fnv1a(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // final avalanche (murmur3's fmix32): FNV alone mixes the last characters poorly
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** MINHASH_SIZE minimums over the text's 5-gram shingles; the i-th hash is h1 + i·h2 (Kirsch–Mitzenmacher). */
export function minhash(text: string): number[] {
  const s = skeleton(text);
  const mins = new Array<number>(MINHASH_SIZE).fill(0xffffffff);
  const seen = new Set<string>();
  for (let i = 0; i + SHINGLE <= s.length; i++) {
    const g = s.slice(i, i + SHINGLE);
    if (seen.has(g)) continue;
    seen.add(g);
    const h1 = fnv1a(g, 0);
    const h2 = fnv1a(g, 0x9e3779b9) | 1;
    for (let k = 0; k < MINHASH_SIZE; k++) {
      const h = (h1 + Math.imul(k, h2)) >>> 0;
      if (h < mins[k]!) mins[k] = h;
    }
  }
  return mins;
}

export function bandKeys(hashes: readonly number[]): string[] {
  const keys: string[] = [];
  for (let b = 0; b < MINHASH_BANDS; b++) {
    const values = hashes.slice(b * ROWS, (b + 1) * ROWS).map((v) => v.toString(16).padStart(8, '0'));
    keys.push(`${b}:${createHash('sha256').update(values.join('')).digest('hex').slice(0, 16)}`);
  }
  return keys;
}

/** Estimated Jaccard similarity of the two texts' shingle sets. */
export function similarity(a: readonly number[], b: readonly number[]): number {
  let same = 0;
  for (let i = 0; i < MINHASH_SIZE; i++) if (a[i] === b[i]) same++;
  return same / MINHASH_SIZE;
}

export function fingerprint(bytes: Uint8Array, text: string, own: { number: string | null; issuedOn: string | null }): DocumentFingerprint {
  const hashes = minhash(text);
  return {
    bytesSha256: createHash('sha256').update(bytes).digest('hex'),
    identity: own.number && own.issuedOn ? `${own.number}@${own.issuedOn}` : null,
    minhash: hashes,
    bands: skeleton(text).length >= MIN_TEXT_FOR_SIGN ? bandKeys(hashes) : [],
  };
}
