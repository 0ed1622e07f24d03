import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UPLOAD_CORS } from '../../shared/contract/bucket.ts';

/**
 * The local bucket on the upload page's own origin: `<upload server>/_s3/<bucket>/<key>` forwards to fauxqs's S3.
 *
 * fauxqs answers no CORS preflight (OPTIONS → 404), so a browser on the upload page could not PUT to a presigned
 * URL on fauxqs's port. With every local S3 client's endpoint (`AWS_ENDPOINT_URL_S3`) set to this route, presigned
 * URLs point here, the page's `PUT` is same-origin and the browser code is the one that runs on AWS. Method, path,
 * query, headers and body go through as they came (streamed both ways); fauxqs checks neither signatures nor expiry,
 * so the extra path prefix the SDK signed does not matter. Its spy still sees every upload (S3 notifications).
 *
 * Object tagging, which fauxqs lacks, is emulated here, as the notifications are in uploads.ts: an emulator gap filled
 * locally. fauxqs would take `PUT /bucket/key?tagging` for a PutObject and overwrite the object with the tag XML, and
 * answer `GET ?tagging` with the object itself; here PutObjectTagging, GetObjectTagging and DeleteObjectTagging
 * (with an optional `versionId`) keep the tags beside the bucket (a JSON file in the data folder, or memory), with
 * S3's XML shapes. A PutObject replaces the object's tags with its `x-amz-tagging` header (none: no tags), as a new
 * object on S3 starts with its own. Other object subresources fauxqs would also mistake for a PutObject or GetObject
 * (`acl`, `retention`, `legal-hold`, `restore`, `select`, `torrent`) answer 501 NotImplemented instead.
 */
export const S3_ROUTE = '/_s3';

interface Tag {
  Key: string;
  Value: string;
}

/** Object tags by `bucket/key`, then by version id (`null` for an unversioned object, as S3 names it). */
export class TagStore {
  private readonly byObject = new Map<string, Map<string, Tag[]>>();

  constructor(private readonly file?: string) {
    if (!file || !existsSync(file)) return;
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, Tag[]>>;
    for (const [object, versions] of Object.entries(saved)) this.byObject.set(object, new Map(Object.entries(versions)));
  }

  get(bucket: string, key: string, versionId?: string): Tag[] {
    return this.byObject.get(`${bucket}/${key}`)?.get(versionId ?? 'null') ?? [];
  }

  set(bucket: string, key: string, versionId: string | undefined, tags: Tag[]): void {
    const object = `${bucket}/${key}`;
    const versions = this.byObject.get(object) ?? new Map<string, Tag[]>();
    if (tags.length) versions.set(versionId ?? 'null', tags);
    else versions.delete(versionId ?? 'null');
    if (versions.size) this.byObject.set(object, versions);
    else if (!this.byObject.delete(object)) return; // nothing was there: nothing to write
    this.save();
  }

  private save(): void {
    if (!this.file) return;
    const data = Object.fromEntries([...this.byObject].map(([object, versions]) => [object, Object.fromEntries(versions)]));
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, this.file);
  }
}

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'expect', 'host'];
const NOT_EMULATED = ['acl', 'retention', 'legal-hold', 'restore', 'select', 'torrent'];
/**
 * The bucket's CORS rule, as infra/constructs/reports.ts sets it on AWS: a presigned PUT from any origin (the URL,
 * not the origin, is the authorization), with the headers the page sends. The page's PUT is same-origin locally and
 * needs no CORS; the rule is answered anyway so that a page served elsewhere behaves as it would against S3.
 */
/** The bucket's CORS rule, as infra configures it on AWS. */
export const BUCKET_CORS = UPLOAD_CORS;

/** fauxqs refuses a larger request body (its server's limit) by closing the connection mid-upload. */
export const FAUXQS_BODY_LIMIT = 11 * 1_048_576;

const xmlEscape = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
const xmlUnescape = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (_, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e.toLowerCase()]!,
  );

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function sendError(res: ServerResponse, e: S3Error, cors: OutgoingHttpHeaders, resource?: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${e.code}</Code><Message>${xmlEscape(e.message)}</Message>${resource ? `<Resource>${xmlEscape(resource)}</Resource>` : ''}<RequestId>local</RequestId></Error>`;
  res.writeHead(e.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), ...cors });
  res.end(body);
}

/** The tags of a PutObjectTagging body, checked as S3 checks them. */
export function parseTagging(xml: string): Tag[] {
  if (!/<Tagging[\s>]/.test(xml) || !/<TagSet\s*\/?>/.test(xml)) throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  const tags = [...xml.matchAll(/<Tag>([\s\S]*?)<\/Tag>/g)].map(([, inner]) => {
    const key = /<Key>([\s\S]*?)<\/Key>/.exec(inner!)?.[1];
    const value = /<Value>([\s\S]*?)<\/Value>/.exec(inner!)?.[1] ?? '';
    if (key === undefined) throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    return { Key: xmlUnescape(key), Value: xmlUnescape(value) };
  });
  if (tags.length > 10) throw new S3Error(400, 'BadRequest', 'Object tags cannot be greater than 10');
  for (const t of tags) {
    if (!t.Key || [...t.Key].length > 128) throw new S3Error(400, 'InvalidTag', 'The TagKey you have provided is invalid');
    if ([...t.Value].length > 256) throw new S3Error(400, 'InvalidTag', 'The TagValue you have provided is invalid');
  }
  if (new Set(tags.map((t) => t.Key)).size !== tags.length) throw new S3Error(400, 'InvalidTag', 'Cannot provide multiple Tags with the same key');
  return tags;
}

/** `x-amz-tagging: a=1&b=2` (URL-encoded, as on PutObject). */
function headerTags(value: string | string[] | undefined): Tag[] {
  if (typeof value !== 'string' || !value) return [];
  return [...new URLSearchParams(value)].map(([Key, Value]) => ({ Key, Value }));
}

export const taggingXml = (tags: Tag[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Tagging xmlns="${XMLNS}"><TagSet>${tags.map((t) => `<Tag><Key>${xmlEscape(t.Key)}</Key><Value>${xmlEscape(t.Value)}</Value></Tag>`).join('')}</TagSet></Tagging>`;

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw new S3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function forwardedHeaders(headers: IncomingHttpHeaders, host: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ...headers, host };
  for (const h of HOP_BY_HOP) if (h !== 'host') delete out[h];
  return out;
}

/** The handler of `/_s3/*` on the upload server; `target` is fauxqs's endpoint. */
export function s3Route(opts: { target: string; tags: TagStore }) {
  const target = new URL(opts.target);

  const forward = (req: IncomingMessage, res: ServerResponse, upstreamPath: string, cors: OutgoingHttpHeaders, after?: (status: number) => void) => {
    const up = httpRequest({ hostname: target.hostname, port: target.port, method: req.method, path: upstreamPath, headers: forwardedHeaders(req.headers, target.host) });
    up.on('response', (ur) => {
      const status = ur.statusCode ?? 502;
      if (after && status >= 200 && status < 300) after(status);
      const headers: OutgoingHttpHeaders = { ...ur.headers, ...cors };
      for (const h of [...HOP_BY_HOP, 'transfer-encoding']) delete headers[h];
      res.writeHead(status, headers);
      ur.pipe(res);
    });
    up.on('error', (e) => {
      if (!res.headersSent) sendError(res, new S3Error(503, 'ServiceUnavailable', `The local S3 (fauxqs) did not answer: ${e.message}`), cors);
      else res.destroy(e);
    });
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  };

  const exists = async (rawPath: string): Promise<boolean> => {
    const head = await fetch(new URL(rawPath, target), { method: 'HEAD', signal: AbortSignal.timeout(10_000) });
    return head.ok;
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://local');
    // One leading slash: "//host/…" must stay a path of fauxqs, never become another host.
    const rawPath = `/${url.pathname.slice(S3_ROUTE.length).replace(/^\/+/, '')}`;
    const method = (req.method ?? 'GET').toUpperCase();
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    // S3 adds the matching rule's headers to a request with an Origin, and nothing to one the rule does not allow.
    const cors: OutgoingHttpHeaders =
      origin && (BUCKET_CORS.methods as readonly string[]).includes(method)
        ? { 'access-control-allow-origin': BUCKET_CORS.origins, 'access-control-allow-methods': BUCKET_CORS.methods.join(', '), 'access-control-max-age': String(BUCKET_CORS.maxAgeSeconds), vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method' }
        : {};
    const [, bucketPart = '', ...keyParts] = rawPath.split('/');
    let bucket: string;
    let key: string;
    try {
      bucket = decodeURIComponent(bucketPart);
      key = decodeURIComponent(keyParts.join('/'));
    } catch {
      sendError(res, new S3Error(400, 'InvalidURI', "Couldn't parse the specified URI."), cors);
      return;
    }

    try {
      if (method === 'OPTIONS') {
        const wanted = req.headers['access-control-request-method'];
        if (!origin || typeof wanted !== 'string') throw new S3Error(400, 'BadRequest', 'Insufficient information. Origin request header needed.');
        const requestedHeaders = String(req.headers['access-control-request-headers'] ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
        if (!(BUCKET_CORS.methods as readonly string[]).includes(wanted) || !requestedHeaders.every((h) => (BUCKET_CORS.headers as readonly string[]).includes(h))) {
          throw new S3Error(403, 'AccessForbidden', 'CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource\'s CORS spec.');
        }
        res.writeHead(200, {
          'access-control-allow-origin': BUCKET_CORS.origins,
          'access-control-allow-methods': BUCKET_CORS.methods.join(', '),
          ...(requestedHeaders.length ? { 'access-control-allow-headers': requestedHeaders.join(', ') } : {}),
          'access-control-max-age': String(BUCKET_CORS.maxAgeSeconds),
          vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
          'content-length': 0,
        });
        res.end();
        return;
      }

      const params = url.searchParams;
      const upstreamPath = `${rawPath}${url.search}`;
      if (params.has('tagging')) {
        if (!key) throw new S3Error(501, 'NotImplemented', 'Bucket tagging is not emulated by the local stack');
        const versionId = params.get('versionId') ?? undefined;
        const versionHeader: OutgoingHttpHeaders = versionId ? { 'x-amz-version-id': versionId } : {};
        if (!['GET', 'PUT', 'DELETE'].includes(method)) throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
        const body = method === 'PUT' ? await readBody(req, 64 * 1024) : '';
        if (!(await exists(rawPath))) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.');
        if (method === 'GET') {
          const xml = taggingXml(opts.tags.get(bucket, key, versionId));
          res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml), ...versionHeader, ...cors });
          res.end(xml);
          return;
        }
        opts.tags.set(bucket, key, versionId, method === 'PUT' ? parseTagging(body) : []);
        res.writeHead(method === 'PUT' ? 200 : 204, { 'content-length': 0, ...versionHeader, ...cors });
        res.end();
        return;
      }
      if (Number(req.headers['content-length'] ?? 0) > FAUXQS_BODY_LIMIT) {
        throw new S3Error(400, 'EntityTooLarge', `Your proposed upload exceeds the maximum allowed size: the local S3 (fauxqs) takes at most ${FAUXQS_BODY_LIMIT / 1_048_576} MiB per request`);
      }
      const subresource = NOT_EMULATED.find((s) => params.has(s));
      if (key && subresource) throw new S3Error(501, 'NotImplemented', `Object ${subresource} is not emulated by the local stack`);

      // A new object (a PutObject, a copy, a completed multipart upload) has the tags it was given, or none.
      const isObjectWrite = key && ((method === 'PUT' && !params.has('uploadId') && !params.has('renameObject')) || (method === 'POST' && params.has('uploadId')));
      const isObjectDelete = key && method === 'DELETE' && !params.has('uploadId');
      const after = isObjectWrite || isObjectDelete
        ? () => {
            let tags = isObjectWrite ? headerTags(req.headers['x-amz-tagging']) : [];
            const source = req.headers['x-amz-copy-source'];
            if (isObjectWrite && typeof source === 'string' && String(req.headers['x-amz-tagging-directive'] ?? 'COPY').toUpperCase() === 'COPY') {
              const [, srcBucket = '', ...srcKey] = decodeURIComponent(source.split('?')[0]!).replace(/^\/?/, '/').split('/');
              tags = opts.tags.get(srcBucket, srcKey.join('/'));
            }
            opts.tags.set(bucket, key, undefined, tags);
          }
        : undefined;
      forward(req, res, upstreamPath, cors, after);
    } catch (e) {
      if (!(e instanceof S3Error)) throw e;
      req.resume();
      sendError(res, e, cors, key ? `/${bucket}/${key}` : undefined);
    }
  };
}
