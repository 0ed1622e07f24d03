/**
 * The console on AWS: the Hono app behind a Lambda function URL, which CloudFront fronts. CloudFront adds a secret
 * header to every request it forwards; a request without it (the function URL called directly) gets nothing.
 */
import { createHmac } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { handle } from 'hono/aws-lambda';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoIdentity, cognitoTokenVerifier } from '../../shared/adapters/cognito.ts';
import { currentClock } from '../../shared/adapters/clock.ts';
import { requireEnv } from '../../shared/adapters/aws.ts';
import { draftStore, eventPublisher, mailQueue, maxDocumentBytes, maxReportBytes, reportStorage, repository, resultsStore, uploadSecret } from '../../shared/adapters/wiring.ts';
import { powertools, wrap } from '../../shared/lambda/powertools.ts';
import { ENV } from '../../shared/contract/catalog.ts';
import { DEFAULT_MAX_UPLOADS_PER_HOUR } from '../../shared/app/uploads.ts';
import { asViewerSent, fromCloudFront } from './edge.ts';
import { createConsoleApp } from './app.ts';
import type { ConsoleDeps } from './context.ts';

const pt = powertools('console');

async function deps(): Promise<ConsoleDeps> {
  const repo = repository();
  const pool = { userPoolId: requireEnv(ENV.cognitoUserPoolId), clientId: requireEnv(ENV.cognitoClientId) };
  const secret = await uploadSecret();
  return {
    units: repo,
    directives: repo,
    assignments: repo,
    obligations: repo,
    status: repo,
    reports: repo,
    results: resultsStore(),
    drafts: draftStore(),
    calendar: repo,
    storage: reportStorage(),
    events: eventPublisher(),
    mail: mailQueue(),
    people: repo,
    audit: repo,
    rates: repo,
    identity: new CognitoIdentity(new CognitoIdentityProviderClient({ maxAttempts: 4 }), pool),
    tokens: cognitoTokenVerifier(pool),
    clock: currentClock(),
    csrfKey: createHmac('sha256', secret).update('thidua console csrf').digest('base64url'),
    uploadBaseUrl: requireEnv(ENV.uploadBaseUrl),
    uploadSecret: secret,
    maxReportBytes: maxReportBytes(),
    maxDocumentBytes: maxDocumentBytes(),
    secureCookies: true,
    approvals: repo,
    mailLog: repo,
    villageTargets: repo,
    maxUploadsPerHour: Number(process.env[ENV.maxUploadsPerHour] ?? DEFAULT_MAX_UPLOADS_PER_HOUR),
  };
}

let app: Promise<(event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>> | undefined;
const appHandler = () => (app ??= deps().then((d) => handle(createConsoleApp(d, { log: (m) => pt.logger.error(m) })) as never));

export const handler = wrap(async (event: APIGatewayProxyEventV2, context: Context) => {
  if (!fromCloudFront(event, process.env[ENV.originVerify])) {
    return { statusCode: 403, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Hãy mở thidua qua địa chỉ chính thức.' };
  }
  return (await appHandler())(asViewerSent(event), context);
}, pt);
