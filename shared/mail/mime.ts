import { randomUUID } from 'node:crypto';

export interface MimeAttachment {
  fileName: string;
  contentType: string;
  bytes: Uint8Array;
}

/** RFC 2047: a header word in UTF-8, so Vietnamese subjects and file names survive every mail client. */
const encodeWord = (text: string) => (/^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`);

const wrap76 = (b64: string) => b64.replace(/.{1,76}/g, '$&\r\n');

/** A multipart/mixed message: the text and HTML alternatives, then the attachments, all base64. */
export function buildMime(m: { from: string; to: string[]; cc: string[]; subject: string; text: string; html: string; attachments: MimeAttachment[] }): Uint8Array {
  const mixed = `mixed-${randomUUID()}`;
  const alt = `alt-${randomUUID()}`;
  const part = (type: string, body: string) =>
    [`Content-Type: ${type}; charset=UTF-8`, 'Content-Transfer-Encoding: base64', '', wrap76(Buffer.from(body, 'utf8').toString('base64'))].join('\r\n');
  const lines = [
    `From: ${m.from}`,
    `To: ${m.to.join(', ')}`,
    ...(m.cc.length ? [`Cc: ${m.cc.join(', ')}`] : []),
    `Subject: ${encodeWord(m.subject)}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
    '',
    `--${mixed}`,
    `Content-Type: multipart/alternative; boundary="${alt}"`,
    '',
    `--${alt}`,
    part('text/plain', m.text),
    `--${alt}`,
    part('text/html', m.html),
    `--${alt}--`,
    ...m.attachments.flatMap((a) => [
      `--${mixed}`,
      `Content-Type: ${a.contentType}; name="${encodeWord(a.fileName)}"`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; filename="${encodeWord(a.fileName)}"`,
      '',
      wrap76(Buffer.from(a.bytes).toString('base64')),
    ]),
    `--${mixed}--`,
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
