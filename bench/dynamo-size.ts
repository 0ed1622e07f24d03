/** DynamoDB's item size and capacity rules, approximately, for the benches' cost estimates. */
export type AV = { S?: string; N?: string; B?: Uint8Array; BOOL?: boolean; NULL?: boolean; M?: Record<string, AV>; L?: AV[]; SS?: string[]; NS?: string[]; BS?: Uint8Array[] };
export type AVItem = Record<string, AV>;

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/** Names + values, 3 bytes per map/list plus 1 per element. */
export function avSize(v: AV): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/^[-+]?0*|[.eE].*$/g, '').length / 2) + 1;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.B !== undefined) return v.B.length;
  if (v.M) return 3 + Object.entries(v.M).reduce((n, [k, x]) => n + utf8(k) + avSize(x) + 1, 0);
  if (v.L) return 3 + v.L.reduce((n, x) => n + avSize(x) + 1, 0);
  if (v.SS) return v.SS.reduce((n, s) => n + utf8(s), 0);
  if (v.NS) return v.NS.reduce((n, s) => n + s.length / 2 + 1, 0);
  if (v.BS) return v.BS.reduce((n, b) => n + b.length, 0);
  return 0;
}
export const itemSize = (item: AVItem) => Object.entries(item).reduce((n, [k, v]) => n + utf8(k) + avSize(v), 0);
/** Write units: 1 per KB, at least 1. */
export const wcuOf = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
/** Read units of a strongly consistent read: 1 per 4 KB, at least 1. */
export const rcuOf = (bytes: number) => Math.max(1, Math.ceil(bytes / 4096));
