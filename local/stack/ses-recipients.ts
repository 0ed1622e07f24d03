/**
 * Who a send request to SES addresses, read from the request itself. aws-ses-v2-local keeps only the first To, Cc
 * and Bcc of a v1 SendEmail (its schema drops `member.2` and after) and a raw message's To as one joined string
 * without the envelope's Bcc; the local inbox records these lists instead.
 */
export interface Recipients {
  to: string[];
  cc: string[];
  bcc: string[];
}

/** The addresses of a header such as `To: "Chủ tịch" <ct@x.vn>, b@y.vn` (groups and comments allowed). */
export function addressesIn(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angle = 0;
  let comment = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted) {
      if (c === '\\') current += c + (value[++i] ?? '');
      else {
        if (c === '"') quoted = false;
        current += c;
      }
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === '(') comment++;
    else if (c === ')') comment = Math.max(0, comment - 1);
    else if (c === '<') angle++;
    else if (c === '>') angle = Math.max(0, angle - 1);
    if ((c === ',' || c === ';') && !angle && !comment) {
      parts.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  parts.push(current);
  return parts
    .map((p) => {
      const inAngle = /<([^<>]*)>/.exec(p)?.[1];
      const bare = (inAngle ?? p.replace(/"(?:[^"\\]|\\.)*"/g, '').replace(/\([^()]*\)/g, '').replace(/^[^:@]*:/, '')).trim();
      return bare;
    })
    .filter((a) => a.includes('@'));
}

/** To, Cc and Bcc of a MIME message's header; the envelope's other addresses are its Bcc (as SES delivers them). */
export function recipientsOfMime(raw: Buffer, envelope: string[]): Recipients {
  const text = raw.subarray(0, 256 * 1024).toString('latin1');
  const end = /\r?\n\r?\n/.exec(text);
  const header = (end ? text.slice(0, end.index) : text).replace(/\r?\n[ \t]+/g, ' ');
  const out: Recipients = { to: [], cc: [], bcc: [] };
  for (const line of header.split(/\r?\n/)) {
    const m = /^(to|cc|bcc)\s*:(.*)$/i.exec(line);
    if (m) out[m[1]!.toLowerCase() as keyof Recipients].push(...addressesIn(Buffer.from(m[2]!, 'latin1').toString('utf8')));
  }
  const named = new Set([...out.to, ...out.cc, ...out.bcc].map((a) => a.toLowerCase()));
  for (const a of envelope) {
    if (!named.has(a.toLowerCase())) {
      out.bcc.push(a);
      named.add(a.toLowerCase());
    }
  }
  return out;
}

/** `Prefix.member.1`, `Prefix.member.2`, … of a query-protocol form, in order. */
function members(form: URLSearchParams, prefix: string): string[] {
  return [...form]
    .filter(([k]) => k.startsWith(prefix) && /^\d+$/.test(k.slice(prefix.length)))
    .sort(([a], [b]) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)))
    .map(([, v]) => v);
}

/**
 * The recipients of a SES v1 SendEmail or SendRawEmail (form body on `POST /`) or a v2 SendEmail
 * (`POST /v2/email/outbound-emails`); undefined for any other request.
 */
export function recipientsOfRequest(method: string, path: string, body: Buffer): Recipients | undefined {
  if (method !== 'POST') return undefined;
  if (path === '/') {
    const form = new URLSearchParams(body.toString('utf8'));
    const action = form.get('Action');
    if (action === 'SendEmail') {
      return { to: members(form, 'Destination.ToAddresses.member.'), cc: members(form, 'Destination.CcAddresses.member.'), bcc: members(form, 'Destination.BccAddresses.member.') };
    }
    if (action === 'SendRawEmail') return recipientsOfMime(Buffer.from(form.get('RawMessage.Data') ?? '', 'base64'), members(form, 'Destinations.member.'));
    return undefined;
  }
  if (path === '/v2/email/outbound-emails') {
    let json: { Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] }; Content?: { Raw?: { Data?: string } } };
    try {
      json = JSON.parse(body.toString('utf8')) as typeof json;
    } catch {
      return undefined;
    }
    const d = { to: json.Destination?.ToAddresses ?? [], cc: json.Destination?.CcAddresses ?? [], bcc: json.Destination?.BccAddresses ?? [] };
    if (json.Content?.Raw?.Data) return recipientsOfMime(Buffer.from(json.Content.Raw.Data, 'base64'), [...d.to, ...d.cc, ...d.bcc]);
    return d;
  }
  return undefined;
}
