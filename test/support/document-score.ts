/**
 * Field accuracy of the document reader on the corpus of real documents (test/fixtures/corpus, a copy of
 * ../shared/documents), scored by the rules of that corpus's README: strings compared normalised (no diacritics,
 * đ → d, lower case, no whitespace), lists as sets, a field missing from the expectation not scored.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { extractDocument, type ExtractedDocument } from '../../shared/domain/document/index.ts';

const CORPUS = fileURLToPath(new URL('../fixtures/corpus/', import.meta.url));

interface ExpectedReference {
  number: string;
  date: string | null;
}
export interface CorpusExpectation {
  kind?: string | null;
  number?: string | null;
  issuedOn?: string | null;
  place?: string | null;
  issuer?: string | null;
  subject?: string | null;
  recipients?: string[] | null;
  signer?: { name: string | null; title: string | null } | null;
  references?: ExpectedReference[];
  reporting?: { cadences: string[]; to: string | null } | null;
  minItems?: number;
  ocr?: string | null;
}

export const FIELDS = ['kind', 'number', 'issuedOn', 'place', 'issuer', 'subject', 'recipients', 'signer.name', 'signer.title', 'references', 'reporting', 'minItems'] as const;
export type Field = (typeof FIELDS)[number];

/** The README's normalisation: đ → d, no combining marks, lower case, no whitespace (U+00A0 included). */
export const norm = (s: string | null | undefined): string =>
  (s ?? '')
    .replace(/[đĐ]/g, 'd')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, '');
/** Numbers also treat the dashes as equal by dropping them (13 lost its hyphens, 11 prints an en dash). */
const normNumber = (s: string | null | undefined): string => norm(s).replace(/[-–—]/g, '');

const sameScalar = (expected: string | null | undefined, actual: string | null | undefined, n = norm): number => (n(expected) === n(actual) ? 1 : 0);

/** F1 of two sets; both empty is a full match. */
function f1(expected: string[], actual: string[]): number {
  const e = new Set(expected);
  const a = new Set(actual);
  if (e.size === 0 && a.size === 0) return 1;
  const hits = [...a].filter((x) => e.has(x)).length;
  if (hits === 0) return 0;
  const precision = hits / a.size;
  const recall = hits / e.size;
  return (2 * precision * recall) / (precision + recall);
}

/** A reference is found when its number is, with its date where the expectation gives one. */
function scoreReferences(expected: ExpectedReference[], actual: ExtractedDocument['references']): number {
  const key = (number: string, date: string | null) => `${normNumber(number)}@${date ?? ''}`;
  const expectedKeys = expected.map((r) => key(r.number, r.date));
  const actualKeys = actual.map((r) => {
    const e = expected.find((x) => normNumber(x.number) === normNumber(r.number));
    return key(r.number, e && e.date === null ? null : r.date);
  });
  return f1(expectedKeys, actualKeys);
}

export function scoreDocument(expected: CorpusExpectation, d: ExtractedDocument): Partial<Record<Field, number>> {
  const s: Partial<Record<Field, number>> = {};
  if ('kind' in expected) s.kind = sameScalar(expected.kind, d.kind);
  if ('number' in expected) s.number = sameScalar(expected.number, d.number, normNumber);
  if ('issuedOn' in expected) s.issuedOn = sameScalar(expected.issuedOn, d.issuedOn);
  if ('place' in expected) s.place = sameScalar(expected.place, d.place);
  if ('issuer' in expected) s.issuer = sameScalar(expected.issuer, d.issuer);
  if ('subject' in expected) s.subject = sameScalar(expected.subject, d.subject);
  if ('recipients' in expected) s.recipients = f1((expected.recipients ?? []).map(norm), d.recipients.map(norm)) === 1 ? 1 : 0;
  if ('signer' in expected) {
    s['signer.name'] = sameScalar(expected.signer?.name, d.signer.name);
    s['signer.title'] = sameScalar(expected.signer?.title, d.signer.title);
  }
  if ('references' in expected) s.references = scoreReferences(expected.references ?? [], d.references);
  if ('reporting' in expected) {
    const e = expected.reporting;
    const a = d.reporting;
    s.reporting = e === null || e === undefined ? (a === null ? 1 : 0) : a !== null && [...e.cadences].sort().join() === [...a.cadences].sort().join() && norm(e.to) === norm(a.to) ? 1 : 0;
  }
  if ('minItems' in expected) s.minItems = d.items.length >= (expected.minItems ?? 0) ? 1 : 0;
  return s;
}

export interface CorpusScore {
  perDocument: { file: string; ocr: boolean; score: number; fields: Partial<Record<Field, number>> }[];
  perField: Record<Field, number>;
  overall: number;
  clean: number;
  ocr: number;
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 1);

/** Reads every document of the corpus and scores it. */
export function scoreCorpus(read: (text: string) => ExtractedDocument = extractDocument): CorpusScore {
  const expected = JSON.parse(readFileSync(`${CORPUS}expected.json`, 'utf8')) as Record<string, CorpusExpectation>;
  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.txt')).sort();
  const perDocument = files.map((file) => {
    const e = expected[file];
    if (!e) throw new Error(`${file}: no expectation in expected.json`);
    const fields = scoreDocument(e, read(readFileSync(`${CORPUS}${file}`, 'utf8')));
    return { file, ocr: Boolean(e.ocr), score: mean(Object.values(fields)), fields };
  });
  const all = (docs: typeof perDocument) => mean(docs.flatMap((d) => Object.values(d.fields)));
  const perField = Object.fromEntries(FIELDS.map((f) => [f, mean(perDocument.flatMap((d) => (d.fields[f] === undefined ? [] : [d.fields[f]])))])) as Record<Field, number>;
  return { perDocument, perField, overall: all(perDocument), clean: all(perDocument.filter((d) => !d.ocr)), ocr: all(perDocument.filter((d) => d.ocr)) };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** The table printed by the test: one row per document (its misses named), then per field and overall. */
export function formatScore(s: CorpusScore): string {
  const rows = s.perDocument.map((d) => {
    const misses = Object.entries(d.fields).filter(([, v]) => v < 1).map(([k, v]) => (v > 0 ? `${k} ${v.toFixed(2)}` : k));
    return `  ${d.file.padEnd(44)} ${pct(d.score).padStart(6)}  ${misses.join(', ')}`;
  });
  const fields = FIELDS.map((f) => `  ${f.padEnd(14)} ${pct(s.perField[f]).padStart(6)}`);
  return [
    'Field accuracy on the corpus of real documents (test/fixtures/corpus):',
    ...rows,
    'Per field:',
    ...fields,
    `Overall ${pct(s.overall)} (clean texts ${pct(s.clean)}, OCR copies ${pct(s.ocr)})`,
  ].join('\n');
}
