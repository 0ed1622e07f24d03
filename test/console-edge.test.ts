/**
 * The console on AWS answers only what CloudFront forwards, and sees the address the browser saw: the handler's
 * edge rules, the CloudFront Function that passes the viewer's host on, and the app's Origin check behind them,
 * driven as the Lambda adapter drives the app (with the embedded stack's ports).
 */
import { runInNewContext } from 'node:vm';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { handle } from 'hono/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleApp } from '../functions/console/app.ts';
import { asViewerSent, fromCloudFront } from '../functions/console/edge.ts';
import { CONSOLE_ORIGIN_HEADER, FORWARDED_HOST_HEADER, VIEWER_HOST_FUNCTION } from '../shared/contract/catalog.ts';
import { startFlow, type Flow } from './support/flow.ts';

const FUNCTION_HOST = 'abcdefghijklmnop.lambda-url.ap-southeast-1.on.aws';
const PUBLIC_HOST = 'd1234abcd.cloudfront.net';
const SECRET = 'stack-uuid-1234';

let flow: Flow;
beforeAll(async () => {
  flow = await startFlow({ console: true });
});
afterAll(async () => {
  await flow?.stack.stop();
});

/** A function URL event for a sign-in form posted from the console's public address, as CloudFront forwards it. */
function signInPost(headers: Record<string, string>): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/sign-in',
    rawQueryString: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: `https://${PUBLIC_HOST}`, host: FUNCTION_HOST, ...headers },
    body: new URLSearchParams({ email: 'khongco@ca.test.vn', password: 'sai-mat-khau', next: '/' }).toString(),
    isBase64Encoded: false,
    requestContext: { domainName: FUNCTION_HOST, http: { method: 'POST', path: '/sign-in', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'test' } },
  } as unknown as APIGatewayProxyEventV2;
}

describe('the console behind CloudFront', () => {
  it('trusts a request only with the origin secret, compared exactly, and nothing when no secret is configured', () => {
    // Prepare
    const withSecret = signInPost({ [CONSOLE_ORIGIN_HEADER]: SECRET });

    // Act / Assess
    expect(fromCloudFront(withSecret, SECRET)).toBe(true);
    expect(fromCloudFront(signInPost({ [CONSOLE_ORIGIN_HEADER]: `${SECRET}x` }), SECRET)).toBe(false);
    expect(fromCloudFront(signInPost({}), SECRET)).toBe(false);
    expect(fromCloudFront(withSecret, undefined)).toBe(false);
  });

  it('passes the viewer host on from its CloudFront Function, so a form posted from the public address passes the Origin check', async () => {
    // Prepare: CloudFront's viewer-request function, run as CloudFront runs it, on the viewer's request.
    const viewerRequest = { headers: { host: { value: PUBLIC_HOST } } };
    const forwarded = runInNewContext(`${VIEWER_HOST_FUNCTION}; handler(event)`, { event: { request: viewerRequest } }) as { headers: Record<string, { value: string }> };
    const lambda = handle(createConsoleApp(flow.stack.console!.deps)) as unknown as (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyResultV2 & { statusCode: number; body: string }>;
    const event = signInPost({ [CONSOLE_ORIGIN_HEADER]: SECRET, [FORWARDED_HOST_HEADER]: forwarded.headers[FORWARDED_HOST_HEADER]!.value });

    // Act
    const asSeen = await lambda(asViewerSent(event), {} as Context);
    const unchanged = await lambda(event, {} as Context);
    const spoofed = asViewerSent(signInPost({ [FORWARDED_HOST_HEADER]: 'evil.example/"><script>' }));

    // Assess: past the Origin check, the sign-in itself answers (wrong password); without the host, refused.
    expect(forwarded.headers[FORWARDED_HOST_HEADER]!.value).toBe(PUBLIC_HOST);
    expect(asSeen.statusCode).toBe(401);
    expect(asSeen.body).toContain('Thư điện tử hoặc mật khẩu không đúng');
    expect(unchanged.statusCode).toBe(403);
    expect(spoofed.requestContext.domainName).toBe(FUNCTION_HOST);
  });
});
