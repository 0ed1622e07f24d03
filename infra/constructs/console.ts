import { CfnOutput, Fn, Stack, Validations } from 'aws-cdk-lib';
import { AllowedMethods, CachePolicy, Distribution, FunctionCode, FunctionEventType, FunctionRuntime, Function as EdgeFunction, HttpVersion, OriginRequestPolicy, PriceClass, ViewerProtocolPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { FunctionUrlOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { FunctionUrl } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { CONSOLE_ORIGIN_HEADER, ENV, VIEWER_HOST_FUNCTION } from '../../shared/contract/catalog.ts';
import type { ThiduaFunction } from './thidua-function.ts';


export interface ThiduaConsoleProps {
  readonly fn: ThiduaFunction;
  readonly url: FunctionUrl;
}

/**
 * The console on AWS: a CloudFront distribution in front of the console function's URL. Nothing is cached (every
 * page is per person); every method is forwarded, and every viewer header but Host (a function URL answers only
 * to its own host). CloudFront adds a header only it knows, so the function URL called directly answers nothing.
 *
 * Why not an origin access control: a function URL behind OAC needs the viewer to send the SHA-256 of every POST
 * body, which a plain HTML form cannot; the console's forms must work without script.
 */
export class ThiduaConsole extends Construct {
  readonly distribution: Distribution;
  readonly url: string;
  /** `https://<domain>` without the trailing slash: CONSOLE_URL, to which emails append their paths (`/emulation/…`). */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: ThiduaConsoleProps) {
    super(scope, id);
    // Unique per deployment of the stack, stable across updates, never in the code: the stack's own id.
    const originSecret = Fn.select(2, Fn.split('/', Stack.of(this).stackId));
    props.fn.addEnvironment(ENV.originVerify, originSecret);

    // The viewer's Host, passed on as x-forwarded-host: the app checks a form's Origin against the public address.
    const viewerHost = new EdgeFunction(this, 'ViewerHost', { code: FunctionCode.fromInline(VIEWER_HOST_FUNCTION), runtime: FunctionRuntime.JS_2_0, comment: 'thidua console: pass the viewer host on' });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'thidua console',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_200,
      defaultBehavior: {
        origin: new FunctionUrlOrigin(props.url, { customHeaders: { [CONSOLE_ORIGIN_HEADER]: originSecret } }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        compress: true,
        functionAssociations: [{ function: viewerHost, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}/`;
    new CfnOutput(Stack.of(this), 'ConsoleUrl', { value: this.url, description: 'The thidua console (sign in here)' });

    for (const [rule, reason] of [
      ['AwsSolutions-CFR1', 'The console serves Vietnamese public administration; officers travel and use mobile networks routed abroad, so no country is blocked. Every page needs a signed-in person.'],
      ['AwsSolutions-CFR2', 'No AWS WAF web ACL (a monthly cost per province): sign-in attempts are limited per address in the table, every change needs a session and its CSRF token, and the origin answers only CloudFront.'],
      ['AwsSolutions-CFR3', 'CloudFront standard logs need an ACL-enabled bucket (the log bucket enforces bucket-owner ownership); every request is logged by the console function with its request id, and every change is in the audit trail.'],
      ['AwsSolutions-CFR4', 'The default *.cloudfront.net certificate allows no minimum protocol to be set; a province that brings its own domain and ACM certificate sets TLS 1.2_2021 on it (docs/operations.md).'],
    ] as const) {
      Validations.of(this.distribution).acknowledge({ id: rule, reason });
    }
  }
}
