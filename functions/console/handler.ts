/**
 * The console on AWS: the Hono app behind a Lambda function URL, which CloudFront fronts. CloudFront adds a secret
 * header to every request it forwards; a request without it (the function URL called directly) gets nothing.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { handle } from 'hono/aws-lambda';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoIdentity, cognitoTokenVerifier } from '../../shared/adapters/cognito.ts';
import { requireEnv } from '../../shared/adapters/aws.ts';
import { uploadSecret } from '../../shared/adapters/wiring.ts';
import { powertools, wrap } from '../../shared/lambda/powertools.ts';
import { ENV } from '../../shared/contract/catalog.ts';
import { asViewerSent, fromCloudFront } from './edge.ts';
import { createConsoleApp } from './app.ts';
import type { ConsoleDeps } from './context.ts';
import { consoleDeps } from './deps.ts';

const pt = powertools('console');

async function deps(): Promise<ConsoleDeps> {
  const pool = { userPoolId: requireEnv(ENV.cognitoUserPoolId), clientId: requireEnv(ENV.cognitoClientId) };
  const secret = await uploadSecret();
  return consoleDeps({
    identity: new CognitoIdentity(new CognitoIdentityProviderClient({ maxAttempts: 4 }), pool),
    tokens: cognitoTokenVerifier(pool),
    uploadBaseUrl: requireEnv(ENV.uploadBaseUrl),
    uploadSecret: secret,
  });
}

let app: Promise<(event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>> | undefined;
const appHandler = () => (app ??= deps().then((d) => handle(createConsoleApp(d, { log: (m) => pt.logger.error(m) })) as never));

export const handler = wrap(async (event: APIGatewayProxyEventV2, context: Context) => {
  if (!fromCloudFront(event, process.env[ENV.originVerify])) {
    return { statusCode: 403, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Hãy mở thidua qua địa chỉ chính thức.' };
  }
  return (await appHandler())(asViewerSent(event), context);
}, pt);
