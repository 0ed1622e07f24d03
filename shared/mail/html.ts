/** Escapes text for HTML: every value a person or a file supplied goes through here before it is shown. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const cell = 'border:1px solid #c8cdd3;padding:6px 8px;text-align:left;vertical-align:top;';

/** A table that holds up in common mail clients: inline styles only. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], opts: { rightAlign?: number[] } = {}): string {
  const align = (i: number) => (opts.rightAlign?.includes(i) ? 'text-align:right;' : '');
  return [
    '<table role="presentation" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%;max-width:720px;font-size:14px;">',
    `<tr>${headers.map((h, i) => `<th style="${cell}background:#eef2f6;${align(i)}">${esc(h)}</th>`).join('')}</tr>`,
    ...rows.map((r) => `<tr>${r.map((v, i) => `<td style="${cell}${align(i)}">${esc(v)}</td>`).join('')}</tr>`),
    '</table>',
  ].join('\n');
}

export function layout(title: string, bodyHtml: string): string {
  return `<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(title)}</title></head>
<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;color:#1f2933;background:#ffffff;">
<div style="max-width:720px;">
${bodyHtml}
<p style="margin-top:24px;font-size:12px;color:#616e7c;">Thư này được gửi tự động từ hệ thống thidua. Vui lòng không trả lời thư này.</p>
</div></body></html>`;
}

/** Plain-text columns for the text part of an email. */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.min(90, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const line = (r: readonly string[]) => r.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
