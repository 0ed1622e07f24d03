import { foldVi } from '../text.ts';

export interface ExpectedRow {
  unitId: string;
  name: string;
}

export type RowMatch =
  | { kind: 'match'; row: ExpectedRow; matchedFrom?: string }
  | { kind: 'ambiguous'; candidates: ExpectedRow[] }
  | { kind: 'none' };

/** Same text for a reader: Unicode composition and runs of spaces do not count. */
const display = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim();

/** "  Thôn  Phú-Sơn " → "thon phu son"; "Khu phố 01" → "khu pho 1". */
export function normalizeName(s: string): string {
  return foldVi(s)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .replace(/\b0+(\d)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

const PREFIX =
  /^(?:khu pho|to dan pho|khoi pho|thi tran|thon|kp|ap|tdp|to|ban|buon|bon|xom|lang|khom|khoi|xa|phuong|tt)(?:\s+|(?=\d))/;

/** The name without its kind: "thon phu son" → "phu son", "kp1" → "1". */
export function stripPrefix(normalized: string): string {
  const stripped = normalized.replace(PREFIX, '').trim();
  return stripped || normalized;
}

function keys(text: string): Set<string> {
  const n = normalizeName(text);
  return new Set([n, stripPrefix(n)].filter(Boolean));
}

/**
 * Matches a row name from a file to the expected rows: exactly (or by unit id), then ignoring diacritics, case, spaces
 * and punctuation, then also ignoring a prefix such as "Thôn" or "Khu phố" — each step only when it is unambiguous.
 */
export function rowMatcher(rows: readonly ExpectedRow[]): (text: string) => RowMatch {
  const prepared = rows.map((row) => ({ row, display: display(row.name), normalized: normalizeName(row.name), keys: keys(row.name) }));
  const decide = (found: ExpectedRow[], text: string, exact: boolean): RowMatch | undefined => {
    if (found.length === 1) {
      const row = found[0] as ExpectedRow;
      return exact ? { kind: 'match', row } : { kind: 'match', row, matchedFrom: text };
    }
    if (found.length > 1) return { kind: 'ambiguous', candidates: found };
    return undefined;
  };
  return (text: string) => {
    if (text.length > 500) return { kind: 'none' }; // no village has such a name
    const d = display(text);
    if (!d) return { kind: 'none' };
    const byId = prepared.filter((p) => p.row.unitId === d).map((p) => p.row);
    if (byId.length === 1) return { kind: 'match', row: byId[0] as ExpectedRow };
    const exact = decide(
      prepared.filter((p) => p.display === d).map((p) => p.row),
      text,
      true,
    );
    if (exact) return exact;
    const n = normalizeName(d);
    if (!n) return { kind: 'none' };
    const normal = decide(
      prepared.filter((p) => p.normalized === n).map((p) => p.row),
      d,
      false,
    );
    if (normal) return normal;
    const mine = keys(d);
    return (
      decide(
        prepared.filter((p) => [...mine].some((k) => p.keys.has(k))).map((p) => p.row),
        d,
        false,
      ) ?? { kind: 'none' }
    );
  };
}

/** "Tổng cộng", "Cộng", "Toàn xã": a total line an officer added, not a village. */
export function isTotalRow(text: string): boolean {
  if (text.length > 100) return false;
  const n = normalizeName(text);
  return /^(tong cong|tong so|tong|cong|toan xa|toan phuong|toan thi tran|toan don vi)$/.test(n) || n.startsWith('tong cong ');
}

/** The locked line of targets in the template ("Chỉ tiêu được giao"), or an officer's "Kế hoạch" line. */
export function isTargetsRow(text: string): boolean {
  if (text.length > 100) return false;
  const n = normalizeName(text);
  return n.startsWith('chi tieu') || n === 'ke hoach' || n === 'muc tieu';
}
