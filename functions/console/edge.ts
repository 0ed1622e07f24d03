/**
 * What the console function trusts about a request that reached it through CloudFront. CloudFront forwards every
 * viewer header but Host (a function URL answers only to its own host), adds a secret header only it knows, and a
 * viewer-request function copies the viewer's Host into `x-forwarded-host`. With the secret, that host is the
 * console's public address: the app then sees the URL the browser saw, which its Origin check (CSRF) compares with.
 */
import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { CONSOLE_ORIGIN_HEADER, FORWARDED_HOST_HEADER } from '../../shared/contract/catalog.ts';

/** Whether CloudFront sent it: the secret header, compared in constant time. No secret configured: nobody did. */
export function fromCloudFront(event: APIGatewayProxyEventV2, expected: string | undefined): boolean {
  if (!expected) return false;
  const given = Buffer.from(event.headers?.[CONSOLE_ORIGIN_HEADER] ?? '');
  const want = Buffer.from(expected);
  return given.length === want.length && timingSafeEqual(given, want);
}

const HOST = /^[a-z0-9.-]{1,253}(:\d{1,5})?$/i;

/** The event as the viewer made it: its public host in place of the function URL's (for a CloudFront request only). */
export function asViewerSent(event: APIGatewayProxyEventV2): APIGatewayProxyEventV2 {
  const host = event.headers?.[FORWARDED_HOST_HEADER];
  if (!host || !HOST.test(host)) return event;
  return { ...event, headers: { ...event.headers, host }, requestContext: { ...event.requestContext, domainName: host } };
}
