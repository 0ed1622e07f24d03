/**
 * A reproducible corpus of malformed report files (seeded PRNG): mutations of a valid filled XLSX, a valid CSV and a
 * valid JSON body, and the hostile shapes of issue 11 (test/fixtures/reports/adversarial.ts). Every one must
 * resolve — no throw, no hang — to an acceptance or to problems with a message; the CSV reader's work must grow
 * linearly with the input.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReportTemplate, parseReport, type ParseOutcome } from '../shared/domain/report/index.ts';
import { DELIMITERS, splitCsv } from '../shared/domain/csv.ts';
import type { Directive } from '../shared/domain/directive.ts';
import { ALL_VALUES, COMMUNE, csvOf, encodeCp1258, expectedFor, fillTemplate, prng, sampleDirective, templateInput, utf8, VILLAGES } from './fixtures/reports/build.ts';
import { CSV_SHAPES, JSON_SHAPES, XLSX_SHAPES } from './fixtures/reports/adversarial.ts';

const SEED = 20_270_315;
const PER_CASE_MS = 10_000;

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)] as T;

const TEXTS = [
  '',
  '   ',
  'Có',
  'không',
  'x',
  '1.234,5',
  '12,5%',
  '-3',
  '1e309',
  'NaN',
  'Infinity',
  '0,000001',
  '99999999999999999999',
  '=SUM(A1:A9)',
  '+1',
  '@cmd',
  '-2+3',
  '<img src=x onerror=alert(1)>',
  '<script>alert("x")</script>',
  'Thôn Phú Sơn',
  'thon phu son',
  'Khu phố 1',
  'Tổng cộng',
  'Chỉ tiêu được giao',
  '😀🇻🇳',
  '\u202Eđảo chiều',
  '\u0000\u0001\u0002',
  'ﾃｽﾄ',
  '"',
  '""',
  ',;\t|',
  '\r\n',
  'a'.repeat(5_000),
  'Tỷ lệ người dân tham gia bảo hiểm y tế',
  'bhyt',
  '2027-Q2',
  'bt-htb-ham-tri',
];

const randomText = (r: Rand): string => {
  if (r() < 0.7) return pick(r, TEXTS);
  const n = 1 + int(r, 40);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCodePoint(pick(r, [0x20 + int(r, 95), 0xc0 + int(r, 0x200), 0x1ea0 + int(r, 0x5a), 0x3040 + int(r, 0x60)]));
  return s;
};

const xmlEscape = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

function flipBytes(r: Rand, bytes: Uint8Array, count: number, from = 0, to = bytes.length): Uint8Array {
  const out = bytes.slice();
  if (to <= from) return out;
  for (let i = 0; i < count; i++) {
    const at = from + int(r, to - from);
    out[at] = (out[at] as number) ^ (1 + int(r, 255));
  }
  return out;
}

function rezip(entries: Record<string, Uint8Array>, edit: (e: Record<string, Uint8Array>) => void): Uint8Array {
  const copy: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(entries)) if (!k.endsWith('/')) copy[k] = v;
  edit(copy);
  return zipSync(copy);
}

function editXml(entries: Record<string, Uint8Array>, name: string, f: (xml: string) => string): void {
  const data = entries[name];
  if (data) entries[name] = strToU8(f(strFromU8(data)));
}

interface Base {
  xlsx: Uint8Array;
  entries: Record<string, Uint8Array>;
  csv: string;
  json: string;
  directive: Directive;
}

type Maker = (r: Rand, base: Base) => { bytes: Uint8Array; fileName: string };

const HUGE: ((xml: string) => string)[] = [
  (x) => x.replace(/<dimension ref="[^"]*"\/>/, '<dimension ref="A1:XFD1048576"/>'),
  (x) => x.replace('</sheetData>', '</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'),
  (x) => x.replace(/<mergeCell ref="[^"]*"\/>/, '<mergeCell ref="B20:XFD1048576"/>'),
  (x) => x.replace(/<c r="B10"/, '<c r="XFD1048576"'),
  (x) => x.replace(/<c r="C11"/, '<c r="ZZZZ99999999"'),
  (x) => x.replace(/<row r="12"/, '<row r="99999999999"'),
  (x) => x.replace(/<cols>[\s\S]*?<\/cols>/, '<cols><col min="1" max="999999999" width="9"/></cols>'),
  (x) => x.replace(/<dataValidation ([^>]*)sqref="[^"]*"/, '<dataValidation $1sqref="A1:XFD1048576"'),
  (x) => x.replace(/<c r="D12"([^>]*)>/, '<c r="D12"$1 s="99999">'),
  (x) => x.replace(/<row r="13"/, '<row r="13" spans="1:999999999"'),
  (x) => x.replace(/<sheetData>/, `<sheetData>${'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'}`),
  (x) => x.replace(/<c r="E10"/, '<c r="E0"'),
];

const ENCODINGS = ['utf8', 'utf8-bom', 'utf16le-bom', 'utf16be-bom', 'utf16le', 'windows1258', 'windows1252', 'latin1', 'koi8-r', 'shift_jis'] as const;

function encode(text: string, encoding: (typeof ENCODINGS)[number]): Uint8Array {
  switch (encoding) {
    case 'utf8':
      return utf8(text);
    case 'utf8-bom':
      return utf8(`\uFEFF${text}`);
    case 'utf16le-bom':
      return new Uint8Array(iconv.encode(text, 'utf16le', { addBOM: true }));
    case 'utf16be-bom':
      return new Uint8Array(iconv.encode(`\uFEFF${text}`, 'utf16be'));
    case 'utf16le':
      return new Uint8Array(iconv.encode(text, 'utf16le'));
    case 'windows1258':
      return encodeCp1258(text);
    default:
      return new Uint8Array(iconv.encode(text, encoding));
  }
}

const KINDS: { kind: string; count: number; make: Maker }[] = [
  { kind: 'xlsx-truncate', count: 20, make: (r, b) => ({ bytes: b.xlsx.slice(0, int(r, b.xlsx.length)), fileName: 'bao-cao.xlsx' }) },
  { kind: 'xlsx-zip-byte-flip', count: 25, make: (r, b) => ({ bytes: flipBytes(r, b.xlsx, 1 + int(r, 20)), fileName: 'bao-cao.xlsx' }) },
  {
    kind: 'xlsx-xml-byte-flip',
    count: 15,
    make: (r, b) => {
      const name = pick(r, ['xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml', 'xl/sharedStrings.xml', 'xl/workbook.xml', 'xl/styles.xml', 'xl/_rels/workbook.xml.rels']);
      return { bytes: rezip(b.entries, (e) => void (e[name] && (e[name] = flipBytes(r, e[name], 1 + int(r, 30))))), fileName: 'bao-cao.xlsx' };
    },
  },
  {
    kind: 'xlsx-delete-entry',
    count: 12,
    make: (r, b) => {
      const names = Object.keys(b.entries).filter((n) => !n.endsWith('/'));
      const victims = [pick(r, names), ...(r() < 0.3 ? [pick(r, names)] : [])];
      return { bytes: rezip(b.entries, (e) => victims.forEach((v) => delete e[v])), fileName: 'bao-cao.xlsx' };
    },
  },
  {
    kind: 'xlsx-garble-entry',
    count: 15,
    make: (r, b) => {
      const name = pick(r, ['xl/worksheets/sheet1.xml', 'xl/sharedStrings.xml', 'xl/workbook.xml', 'xl/styles.xml', 'xl/worksheets/sheet2.xml', '[Content_Types].xml']);
      return {
        bytes: rezip(b.entries, (e) => {
          const data = e[name];
          if (!data) return;
          const at = int(r, data.length);
          const mode = int(r, 3);
          if (mode === 0) e[name] = data.slice(0, at);
          else if (mode === 1) e[name] = new Uint8Array([...data.slice(0, at), ...Array.from({ length: 1 + int(r, 500) }, () => int(r, 256)), ...data.slice(at)]);
          else e[name] = strToU8(`<garbage>${randomText(r)}</garbage>`);
        }),
        fileName: 'bao-cao.xlsx',
      };
    },
  },
  {
    kind: 'xlsx-huge-refs',
    count: 15,
    make: (r, b) => {
      const edits = [pick(r, HUGE), ...(r() < 0.4 ? [pick(r, HUGE)] : [])];
      return { bytes: rezip(b.entries, (e) => edits.forEach((f) => editXml(e, 'xl/worksheets/sheet1.xml', f))), fileName: 'bao-cao.xlsx' };
    },
  },
  {
    kind: 'xlsx-random-cell-text',
    count: 20,
    make: (r, b) => ({
      bytes: rezip(b.entries, (e) => {
        editXml(e, 'xl/sharedStrings.xml', (x) => x.replace(/<t([^>]*)>([^<]*)<\/t>/g, (m, attrs: string) => (r() < 0.3 ? `<t${attrs}>${r() < 0.9 ? xmlEscape(randomText(r)) : randomText(r)}</t>` : m)));
        // numbers only: a shared-string cell's <v> is an index, and a garbage index is plain corruption
        editXml(e, 'xl/worksheets/sheet1.xml', (x) => x.replace(/(<c r="[A-Z]+\d+"(?: s="\d+")?>)<v>([^<]*)<\/v>/g, (m, open: string) => (r() < 0.15 ? `${open}<v>${xmlEscape(randomText(r))}</v>` : m)));
      }),
      fileName: 'bao-cao.xlsx',
    }),
  },
  {
    kind: 'xlsx-sheet-names',
    count: 8,
    make: (r, b) => ({
      bytes: rezip(b.entries, (e) =>
        editXml(e, 'xl/workbook.xml', (x) => x.replace(/name="([^"]*)"/g, () => `name="${xmlEscape(pick(r, ['thidua', 'Báo cáo', 'Sheet1', '', randomText(r).slice(0, 31)]))}"`).replace(/state="[^"]*"/g, () => `state="${pick(r, ['visible', 'hidden', 'veryHidden', 'weird'])}"`)),
      ),
      fileName: 'bao-cao.xlsx',
    }),
  },
  { kind: 'csv-truncate', count: 15, make: (r, b) => ({ bytes: utf8(b.csv).slice(0, int(r, utf8(b.csv).length)), fileName: 'bao-cao.csv' }) },
  { kind: 'csv-random-encoding', count: 15, make: (r, b) => ({ bytes: encode(b.csv, pick(r, ENCODINGS)), fileName: pick(r, ['bao-cao.csv', 'bao-cao.txt', 'bao-cao.xlsx']) }) },
  {
    kind: 'csv-random-delimiter',
    count: 15,
    make: (r, b) => {
      const d = pick(r, [';', '\t', '|', ':', ' ', '#']);
      const mixed = r() < 0.3;
      return { bytes: utf8(b.csv.replace(/,/g, () => (mixed && r() < 0.2 ? pick(r, [',', ';']) : d))), fileName: 'bao-cao.csv' };
    },
  },
  {
    kind: 'csv-random-cell-text',
    count: 20,
    make: (r, b) => {
      const lines = b.csv.split('\r\n').map((line) =>
        line
          .split(',')
          .map((c) => (r() < 0.12 ? (r() < 0.5 ? `"${randomText(r).replaceAll('"', '""')}"` : randomText(r)) : c))
          .join(','),
      );
      return { bytes: utf8(lines.join('\r\n')), fileName: 'bao-cao.csv' };
    },
  },
  { kind: 'csv-byte-flip', count: 15, make: (r, b) => ({ bytes: flipBytes(r, utf8(b.csv), 1 + int(r, 15)), fileName: 'bao-cao.csv' }) },
  {
    kind: 'csv-structure',
    count: 12,
    make: (r, b) => {
      const lines = b.csv.split('\r\n');
      const mode = int(r, 6);
      let text: string;
      if (mode === 0) text = lines.slice(1).join('\r\n'); // no header
      else if (mode === 1) text = [...lines, ...lines.slice(1)].join('\n'); // every village twice, LF endings
      else if (mode === 2) text = lines.join('\r'); // old Mac line endings
      else if (mode === 3) text = b.csv.replace(/,/, ',"'); // a quote left open
      else if (mode === 4) text = [lines[0], ...lines.slice(1).map((l) => `${l}${',x'.repeat(600)}`)].join('\r\n'); // too many columns
      else text = `${'\r\n'.repeat(int(r, 50))}${lines.reverse().join('\r\n')}`; // header last
      return { bytes: utf8(text), fileName: 'bao-cao.csv' };
    },
  },
  {
    kind: 'json-mutation',
    count: 12,
    make: (r, b) => {
      const mode = int(r, 5);
      if (mode === 0) return { bytes: utf8(b.json.slice(0, int(r, b.json.length))), fileName: 'r.json' };
      if (mode === 1) return { bytes: flipBytes(r, utf8(b.json), 1 + int(r, 10)), fileName: 'r.json' };
      const obj = JSON.parse(b.json) as { rows: { values: Record<string, unknown>; unitId?: string; name?: string }[] };
      if (mode === 2) for (const row of obj.rows) for (const k of Object.keys(row.values)) if (r() < 0.2) row.values[k] = pick(r, [randomText(r), null, -1, 1e308, true, 0.5, {}, []]);
      if (mode === 3) obj.rows = obj.rows.map((row) => (r() < 0.5 ? { values: row.values, name: randomText(r) } : row));
      if (mode === 4) return { bytes: utf8(JSON.stringify(pick(r, [[], 1, null, 'x', { rows: 'x' }, { rows: [{}] }, { ...obj, periodId: 42 }]))), fileName: 'r.json' };
      return { bytes: utf8(JSON.stringify(obj)), fileName: pick(r, ['r.json', 'r.xlsx']) };
    },
  },
];

/** Issue 11: the size at which the old reader took 128 s on "",… repeated. */
const HOSTILE_CSV_CHARS = 400_000;
const headerOf = (b: Base) => b.csv.slice(0, b.csv.indexOf('\r\n'));
const ADVERSARIAL: { kind: string; count: number; make: Maker }[] = [
  ...Object.entries(CSV_SHAPES).map(([shape, make]) => ({ kind: `csv-hostile ${shape}`, count: 1, make: (_r: Rand, b: Base) => ({ bytes: utf8(make(HOSTILE_CSV_CHARS, headerOf(b))), fileName: 'bao-cao.csv' }) })),
  ...Object.entries(XLSX_SHAPES).map(([shape, make]) => ({ kind: `xlsx-hostile ${shape}`, count: 1, make: (_r: Rand, b: Base) => ({ bytes: make(b.entries), fileName: 'bao-cao.xlsx' }) })),
  ...Object.entries(JSON_SHAPES).map(([shape, make]) => ({ kind: `json-hostile ${shape}`, count: 1, make: () => ({ bytes: utf8(make()), fileName: 'bao-cao.json' }) })),
];
const CASES = [...KINDS, ...ADVERSARIAL].flatMap(({ kind, count, make }) => Array.from({ length: count }, (_, i) => ({ kind, i, make })));
const stats = new Map<string, { accepted: number; rejected: number; codes: Map<string, number>; sample?: string }>();
let base: Base;

function settle(p: Promise<ParseOutcome>): Promise<ParseOutcome | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([p, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), PER_CASE_MS)))]).finally(() => clearTimeout(timer));
}

describe('report parser fuzz corpus', () => {
  beforeAll(async () => {
    const directive = sampleDirective();
    const xlsx = await fillTemplate(await buildReportTemplate(templateInput(directive)), directive);
    const json = JSON.stringify({ directiveId: directive.id, periodId: '2027-Q1', unitId: COMMUNE.id, rows: VILLAGES.map((v, k) => ({ unitId: v.unitId, values: ALL_VALUES[k] })) });
    base = { xlsx, entries: unzipSync(xlsx), csv: csvOf(directive), json, directive };
  });

  afterAll(() => {
    const table = [...stats].map(([kind, s]) => ({
      kind,
      accepted: s.accepted,
      rejected: s.rejected,
      codes: [...s.codes]
        .sort((a, b) => b[1] - a[1])
        .map(([c, n]) => `${c}×${n}`)
        .join(' '),
      ...(process.env.FUZZ_SAMPLES ? { sample: s.sample } : {}),
    }));
    const total = table.reduce((acc, t) => ({ accepted: acc.accepted + t.accepted, rejected: acc.rejected + t.rejected }), { accepted: 0, rejected: 0 });
    console.log(`report fuzz: ${CASES.length} cases (seed ${SEED}), ${total.accepted} accepted, ${total.rejected} rejected`);
    console.table(table);
  });

  it(`has at least 200 cases`, () => expect(CASES.length).toBeGreaterThanOrEqual(200));

  it.each(CASES.map((c) => [`${c.kind} #${c.i}`, c] as const))(
    '%s resolves to a result or to explained problems',
    async (_name, c) => {
      // Prepare
      const r = prng(SEED + CASES.indexOf(c) * 7919);
      const { bytes, fileName } = c.make(r, base);

      // Act
      const outcome = await settle(parseReport({ bytes, fileName }, expectedFor(base.directive)));

      // Assess
      if (process.env.FUZZ_DEBUG === c.kind) console.log(c.kind, c.i, JSON.stringify(outcome).slice(0, 1500));
      expect(outcome).not.toBe('timeout');
      if (outcome === 'timeout') return;
      const s = stats.get(c.kind) ?? { accepted: 0, rejected: 0, codes: new Map<string, number>() };
      stats.set(c.kind, s);
      if (outcome.ok) {
        s.accepted++;
        expect(outcome.rows).toHaveLength(VILLAGES.length);
        for (const row of outcome.rows) for (const v of Object.values(row.values)) expect(typeof v === 'number' ? Number.isFinite(v) : typeof v === 'boolean').toBe(true);
      } else {
        s.rejected++;
        s.sample ??= outcome.problems[0]?.messageVi.slice(0, 160);
        expect(outcome.problems.length).toBeGreaterThan(0);
        for (const p of outcome.problems) {
          expect(typeof p.messageVi).toBe('string');
          expect(p.messageVi.trim().length).toBeGreaterThan(0);
          s.codes.set(p.code, (s.codes.get(p.code) ?? 0) + 1);
        }
        expect(outcome.problems.length).toBeLessThanOrEqual(51);
      }
    },
    PER_CASE_MS + 5_000,
  );
});

describe('CSV reading works in linear time (issue 11)', () => {
  const N = 50_000;
  const HEADER = 'Thôn, khu phố,thu-quy,giao-thong,ho-ngheo,bhyt';
  const figures: Record<string, string> = {};

  afterAll(() => {
    console.log(`CSV work (characters examined + copied) at ${N}, ${2 * N}, ${4 * N} characters, summed over the ${DELIMITERS.length} delimiters:`);
    console.table(figures);
  });

  it.each(Object.keys(CSV_SHAPES))('%s: work grows in proportion to the input under every delimiter', (shape) => {
    // Prepare
    const texts = [N, 2 * N, 4 * N].map((n) => CSV_SHAPES[shape]!(n, HEADER));

    // Act: the splitter alone, with no cell or size cap (the units import runs it so)
    const work = texts.map((text) => DELIMITERS.map((d) => splitCsv(text, d, Number.POSITIVE_INFINITY).work));

    // Assess: each character examined once and copied at most once; 2n and 4n cost 2 and 4 times n
    texts.forEach((text, i) => work[i]!.forEach((w) => expect(w).toBeLessThanOrEqual(2 * text.length)));
    DELIMITERS.forEach((_d, k) => {
      const [w1, w2, w4] = work.map((perDelimiter) => perDelimiter[k]!) as [number, number, number];
      expect(w2 / w1).toBeLessThan(2.25);
      expect(w4 / w1).toBeLessThan(4.5);
    });
    figures[shape] = work.map((perDelimiter) => perDelimiter.reduce((a, b) => a + b, 0)).join(' / ') as string;
  });
});
