/**
 * What every page thidua serves agrees on: escaping, JSON inside HTML, and a Content-Security-Policy that allows
 * only this response's own script and style (a nonce), never inline code an attacker could slip in.
 */
import { randomBytes } from 'node:crypto';

export { esc } from '../mail/html.ts';

/**
 * JSON for a `<script type="application/json">` block or a script: `<`, `>` and `&` become \u escapes, so no text
 * can close the element or open a comment, and U+2028/U+2029 (line breaks to old JavaScript parsers) are escaped too.
 */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

/** A fresh nonce per response (128 random bits). */
export const newNonce = (): string => randomBytes(16).toString('base64');

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/**
 * Headers of an HTML page whose one script and one style carry `nonce`; it may connect to itself and `connectTo`,
 * and submit forms to itself only when `forms` says so (the upload page submits none).
 */
export function pageHeaders(nonce: string, connectTo: readonly string[] = [], opts: { forms?: boolean } = {}): Record<string, string> {
  const connect = ["'self'", ...connectTo.filter((o) => /^https?:\/\/[^\s;'"]+$/.test(o))].join(' ');
  return {
    'content-type': 'text/html; charset=utf-8',
    ...COMMON_HEADERS,
    'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src ${connect}; img-src 'self' data:; form-action ${opts.forms ? "'self'" : "'none'"}; frame-ancestors 'none'; base-uri 'none'`,
  };
}

/** Headers of a JSON answer or a download: nothing in it may run. */
export function dataHeaders(contentType: string): Record<string, string> {
  return { 'content-type': contentType, ...COMMON_HEADERS, 'content-security-policy': "default-src 'none'; frame-ancestors 'none'" };
}
