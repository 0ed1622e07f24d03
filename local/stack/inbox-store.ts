import { closeSync, createReadStream, fstatSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';

/** A mail as the local inbox keeps it: aws-ses-v2-local's record, with every recipient. */
export interface InboxMail {
  /** Seconds since the epoch, when the local SES took it. */
  at: number;
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: { filename?: string; contentType?: string; size?: number; content: string }[];
  headers?: { name: string; value: string }[];
}

interface Entry {
  offset: number;
  length: number;
  at: number;
  messageId: string;
}

const NL = 0x0a;
const HEAD = /^\{"at":(\d+),"messageId":("(?:[^"\\]|\\.)*")/;

function entryOf(line: Buffer, offset: number, length: number): Entry | undefined {
  const m = HEAD.exec(line.toString('utf8'));
  if (m) return { offset, length, at: Number(m[1]), messageId: JSON.parse(m[2]!) as string };
  return undefined;
}

/**
 * The local inbox's mails, one JSON line each, appended to a file (the data folder's, or a temporary one removed at
 * close): a mail is written when it arrives and never held in memory. What is kept in memory is an index (offset,
 * length, time and message id per mail), built on the first read of the mails already in the file; a command that
 * only sends mail never reads the file. Each line starts with `at` and `messageId` so that the index is built
 * without parsing the mails.
 */
export class MailStore {
  private fd: number;
  private size: number;
  /** The mails in the file when it was opened (read on demand), then those appended since. */
  private before?: Entry[];
  private readonly beforeEnd: number;
  private indexing?: Promise<Entry[]>;
  /** Bumped by clear(): an index being read from before is thrown away. */
  private generation = 0;
  private readonly appended: Entry[] = [];

  private constructor(
    private readonly file: string,
    private readonly temporary: string | undefined,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.fd = openSync(file, 'a+');
    this.size = fstatSync(this.fd).size;
    this.size = this.dropTornTail();
    this.beforeEnd = this.size;
    if (this.size === 0) this.before = [];
  }

  /** `file`: where the mails are kept across restarts; without it a temporary file. */
  static open(file?: string): MailStore {
    if (file) return new MailStore(file, undefined);
    const dir = mkdtempSync(join(tmpdir(), 'thidua-inbox-'));
    return new MailStore(join(dir, 'mails.jsonl'), dir);
  }

  /** A mail half-written when the process died is dropped, so the next one starts on a line of its own. */
  private dropTornTail(): number {
    if (this.size === 0) return 0;
    const buf = Buffer.alloc(64 * 1024);
    let end = this.size;
    while (end > 0) {
      const start = Math.max(0, end - buf.length);
      const n = readSync(this.fd, buf, 0, end - start, start);
      const nl = buf.subarray(0, n).lastIndexOf(NL);
      if (nl !== -1) {
        const keep = start + nl + 1;
        if (keep !== this.size) ftruncateSync(this.fd, keep);
        return keep;
      }
      end = start;
    }
    ftruncateSync(this.fd, 0);
    return 0;
  }

  private closed = false;

  append(mail: InboxMail): void {
    if (this.closed) throw new Error('The local inbox is closed');
    const { at, messageId, ...rest } = mail;
    const line = Buffer.from(`${JSON.stringify({ at, messageId, ...rest })}\n`, 'utf8');
    writeSync(this.fd, line);
    this.appended.push({ offset: this.size, length: line.length, at, messageId });
    this.size += line.length;
  }

  /** Every mail's index entry, oldest first (reads the file once, in chunks, the first time). */
  private async entries(): Promise<Entry[]> {
    while (!this.before) {
      const generation = this.generation;
      this.indexing ??= this.scan(this.beforeEnd);
      const before = await this.indexing;
      if (generation === this.generation) this.before = before;
    }
    return this.appended.length ? this.before.concat(this.appended) : this.before;
  }

  private async scan(end: number): Promise<Entry[]> {
    const entries: Entry[] = [];
    const handle = await open(this.file, 'r');
    try {
      const chunk = Buffer.alloc(1024 * 1024);
      let lineStart = 0;
      let head: Buffer[] = [];
      let headLength = 0;
      for (let pos = 0; pos < end; ) {
        const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, end - pos), pos);
        if (bytesRead === 0) break;
        let from = 0;
        for (;;) {
          const nl = chunk.indexOf(NL, from);
          const stop = nl === -1 || nl >= bytesRead ? bytesRead : nl;
          if (headLength < 512) {
            const piece = Buffer.from(chunk.subarray(from, Math.min(stop, from + 512 - headLength)));
            head.push(piece);
            headLength += piece.length;
          }
          if (stop === bytesRead) break;
          const lineEnd = pos + nl + 1;
          const entry = entryOf(Buffer.concat(head), lineStart, lineEnd - lineStart);
          if (entry) entries.push(entry);
          lineStart = lineEnd;
          head = [];
          headLength = 0;
          from = nl + 1;
        }
        pos += bytesRead;
      }
    } finally {
      await handle.close();
    }
    return entries;
  }

  async count(): Promise<number> {
    return (await this.entries()).length;
  }

  private async read(entries: Entry[]): Promise<InboxMail[]> {
    const handle = await open(this.file, 'r');
    try {
      const out: InboxMail[] = [];
      for (const e of entries) {
        const buf = Buffer.alloc(e.length);
        await handle.read(buf, 0, e.length, e.offset);
        out.push(JSON.parse(buf.toString('utf8')) as InboxMail);
      }
      return out;
    } finally {
      await handle.close();
    }
  }

  /** Newest first: `limit` mails after skipping the `skip` newest. */
  async newest(skip: number, limit: number): Promise<InboxMail[]> {
    const all = await this.entries();
    const end = Math.max(0, all.length - skip);
    return (await this.read(all.slice(Math.max(0, end - limit), end))).reverse();
  }

  async byMessageId(messageId: string): Promise<InboxMail | undefined> {
    const all = await this.entries();
    for (let i = all.length - 1; i >= 0; i--) if (all[i]!.messageId === messageId) return (await this.read([all[i]!]))[0];
    return undefined;
  }

  /**
   * aws-ses-v2-local's `GET /store` answer, `{"templates":{},"emails":[…]}`, written as it is read: the file's lines
   * with their newlines turned into commas. `since` (epoch seconds) keeps the mails taken at or after it; `from`
   * skips the first `from` mails.
   */
  async writeJson(out: Writable, since?: number, from?: number): Promise<void> {
    const end = this.size;
    let start = 0;
    if (since !== undefined || from !== undefined) {
      const all = await this.entries();
      let i = 0;
      if (since !== undefined) {
        i = all.length;
        while (i > 0 && all[i - 1]!.at >= since) i--;
      }
      // `from`: skip the first `from` mails, so a caller that counted before reads only what came since.
      if (from !== undefined) i = Math.max(i, Math.min(from, all.length));
      start = i < all.length ? all[i]!.offset : end;
    }
    out.write('{"templates":{},"emails":[');
    // Every line ends with a newline, and JSON text has no raw newline: all but the last become the commas.
    if (end - 1 > start) {
      for await (const chunk of createReadStream(this.file, { start, end: end - 2 }) as AsyncIterable<Buffer>) {
        for (let i = chunk.indexOf(NL); i !== -1; i = chunk.indexOf(NL, i + 1)) chunk[i] = 0x2c;
        if (!out.write(chunk)) await once(out, 'drain');
      }
    }
    out.end(']}');
  }

  clear(): void {
    if (this.closed) throw new Error('The local inbox is closed');
    ftruncateSync(this.fd, 0);
    this.size = 0;
    this.before = [];
    this.indexing = undefined;
    this.generation++;
    this.appended.length = 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    if (this.temporary) rmSync(this.temporary, { recursive: true, force: true });
  }
}
