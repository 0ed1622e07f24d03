/** Malformed report files, reproducibly: mutations of a valid workbook and a valid CSV from a seeded generator. */
export interface CorpusFile {
  name: string;
  kind: string;
  bytes: Uint8Array;
}

export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function corpus(validXlsx: Uint8Array, validCsv: string, count: number, seed = 20261125): CorpusFile[] {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]) => xs[int(xs.length)] as T;
  const csvLines = validCsv.split('\n');
  const mutations: [string, () => { bytes: Uint8Array; ext: string }][] = [
    ['xlsx-truncated', () => ({ bytes: validXlsx.slice(0, 1 + int(validXlsx.length - 1)), ext: 'xlsx' })],
    [
      'xlsx-byte-flips',
      () => {
        const b = validXlsx.slice();
        for (let i = 0, n = 1 + int(40); i < n; i++) b[int(b.length)] = int(256);
        return { bytes: b, ext: 'xlsx' };
      },
    ],
    [
      'xlsx-zeroed-range',
      () => {
        const b = validXlsx.slice();
        const at = int(b.length);
        b.fill(0, at, Math.min(b.length, at + 1 + int(2000)));
        return { bytes: b, ext: 'xlsx' };
      },
    ],
    ['random-bytes', () => ({ bytes: Uint8Array.from({ length: 1 + int(4000) }, () => int(256)), ext: pick(['xlsx', 'csv']) })],
    ['text-as-xlsx', () => ({ bytes: Buffer.from(pick(['xin chào', '<html><b>báo cáo</b></html>', 'PK', validCsv.slice(0, int(validCsv.length))])), ext: 'xlsx' })],
    [
      'csv-garbled-cells',
      () => {
        const lines = csvLines.map((l, i) =>
          i === 0 || rnd() < 0.6 ? l : l.split(',').map((c) => (rnd() < 0.3 ? pick(['=1+1', '+cmd', '@SUM(A1)', '<script>x</script>', '12,5%', '1.234,5', 'có', 'x', '-3', '1e9', '', '"', 'NaN']) : c)).join(','),
        );
        return { bytes: Buffer.from(lines.join('\n')), ext: 'csv' };
      },
    ],
    ['csv-dropped-lines', () => ({ bytes: Buffer.from(csvLines.filter(() => rnd() < 0.6).join('\n') || 'x'), ext: 'csv' })],
    ['csv-semicolons', () => ({ bytes: Buffer.from(validCsv.replaceAll(',', pick([';', '\t', '|']))), ext: 'csv' })],
    ['csv-latin1', () => ({ bytes: Buffer.from(validCsv, 'latin1'), ext: 'csv' })],
    ['csv-shuffled-columns', () => ({ bytes: Buffer.from(csvLines.map((l) => l.split(',').reverse().join(',')).join('\n')), ext: 'csv' })],
  ];
  return Array.from({ length: count }, (_, i) => {
    const [kind, make] = mutations[i % mutations.length] as (typeof mutations)[number];
    const { bytes, ext } = make();
    return { name: `hong-${String(i).padStart(3, '0')}.${ext}`, kind, bytes };
  });
}
