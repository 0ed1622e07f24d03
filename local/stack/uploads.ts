import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { FauxqsServer, S3SpyEvent } from 'fauxqs';
import type { LocalFunction } from './lambda.ts';
import { s3Route, S3_ROUTE, type TagStore } from './s3-route.ts';

/**
 * What S3 bucket notifications do on AWS, played locally: fauxqs has none, but its spy sees every upload, so each
 * new object under a notified prefix becomes an ObjectCreated notification on that prefix's queue, with the shape
 * S3 sends (key URL-encoded, spaces as '+').
 */
export function startS3Notifications(opts: {
  fauxqs: FauxqsServer;
  s3: S3Client;
  sqs: SQSClient;
  bucket: string;
  /** Prefix → queue, as events/routes.ts's bucketNotifications says. */
  targets: readonly { prefix: string; queueUrl: string }[];
  log: (m: string) => void;
  /** The event time: the upload's, or the simulated clock's when one runs. */
  now?: () => Date;
}) {
  let stopped = false;
  let inFlight = 0;
  const seen = new Set<string>();
  const id = (e: S3SpyEvent) => `${e.key}@${e.timestamp}`;
  const targetOf = (key: string) => opts.targets.find((t) => key.startsWith(t.prefix));
  const isNew = (m: { service: string }) => {
    const e = m as S3SpyEvent;
    return e.service === 's3' && e.status === 'uploaded' && e.bucket === opts.bucket && targetOf(e.key) !== undefined && !seen.has(id(e));
  };
  const loop = (async () => {
    while (!stopped) {
      let event: S3SpyEvent;
      try {
        event = (await opts.fauxqs.spy.waitForMessage(isNew, 'uploaded')) as S3SpyEvent;
      } catch {
        return; // the spy was cleared: the stack is stopping
      }
      seen.add(id(event));
      inFlight++;
      try {
        const head = await opts.s3.send(new HeadObjectCommand({ Bucket: opts.bucket, Key: event.key }));
        const record = {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'ap-southeast-1',
          eventTime: (opts.now?.() ?? new Date(event.timestamp)).toISOString(),
          eventName: 'ObjectCreated:Put',
          s3: {
            s3SchemaVersion: '1.0',
            bucket: { name: opts.bucket, arn: `arn:aws:s3:::${opts.bucket}` },
            object: {
              key: encodeURIComponent(event.key).replace(/%2F/g, '/').replace(/%20/g, '+'),
              size: head.ContentLength ?? 0,
              eTag: (head.ETag ?? '').replaceAll('"', ''),
              ...(head.VersionId ? { versionId: head.VersionId } : {}),
              sequencer: randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase(),
            },
          },
        };
        await opts.sqs.send(new SendMessageCommand({ QueueUrl: targetOf(event.key)!.queueUrl, MessageBody: JSON.stringify({ Records: [record] }) }));
      } catch (e) {
        opts.log(`S3 notification for ${event.key} failed: ${(e as Error).message}`);
      } finally {
        inFlight--;
      }
    }
  })();
  return {
    inFlight: () => inFlight,
    async stop() {
      stopped = true;
      opts.fauxqs.spy.clear();
      await loop;
    },
  };
}

/**
 * The upload function behind an HTTP server, as a Lambda function URL would put it (payload format 2.0), and the
 * local bucket on the same origin under `/_s3` (see s3-route.ts). `port`: the one to keep (the stack stores it in
 * its data folder so that links in earlier emails still open); when it is taken, another free one, said in the log.
 */
export async function startUploadServer(opts: {
  fn: LocalFunction;
  /** fauxqs's endpoint and where object tags are kept: the `/_s3` route forwards there. */
  s3: { endpoint: string; tags: TagStore };
  port?: number;
  log: (m: string) => void;
}): Promise<{ url: string; origin: string; port: number; stop(): Promise<void> }> {
  const { fn } = opts;
  let port: number;
  const bucket = s3Route({ target: opts.s3.endpoint, tags: opts.s3.tags });
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === S3_ROUTE || path.startsWith(`${S3_ROUTE}/`)) {
      bucket(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`Lỗi hệ thống: ${(e as Error).message}`);
      });
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://local');
      const body = Buffer.concat(chunks);
      const event = {
        version: '2.0',
        routeKey: '$default',
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')])),
        queryStringParameters: Object.fromEntries(url.searchParams),
        requestContext: { http: { method: req.method ?? 'GET', path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '', userAgent: String(req.headers['user-agent'] ?? '') } },
        body: body.toString('base64'),
        isBase64Encoded: true,
      } as unknown as APIGatewayProxyEventV2;
      try {
        const out = (await fn.invoke(event)) as APIGatewayProxyStructuredResultV2;
        res.writeHead(out.statusCode ?? 200, out.headers as Record<string, string>);
        res.end(out.isBase64Encoded ? Buffer.from(out.body ?? '', 'base64') : (out.body ?? ''));
      } catch (e) {
        res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`Lỗi hệ thống: ${(e as Error).message}`);
      }
    });
  });
  const listen = (p: number) =>
    new Promise<number>((resolve, reject) => {
      const fail = (e: Error) => reject(e);
      server.once('error', fail);
      server.listen(p, '127.0.0.1', () => {
        server.off('error', fail);
        resolve((server.address() as AddressInfo).port);
      });
    });
  if (opts.port) {
    try {
      port = await listen(opts.port);
    } catch (e) {
      if (!['EADDRINUSE', 'EACCES'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
      port = await listen(0);
      opts.log(`The upload page's port ${opts.port} is taken; it listens on ${port} now (upload links in earlier emails point to ${opts.port})`);
    }
  } else {
    port = await listen(0);
  }
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/`,
    origin,
    port,
    stop: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
