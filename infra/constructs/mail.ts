import { Stack } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ENV } from '../../shared/contract/catalog.ts';

export interface ThiduaMailProps {
  /** The verified SES identity: a domain (`example.gov.vn`) or a single address. */
  readonly sesIdentity: string;
  /** The From address every notification uses; must belong to `sesIdentity`. */
  readonly mailFrom: string;
  /** The account's SES send-rate quota (emails per second). */
  readonly sesMaxSendRate: number;
}

/**
 * Least-privilege SES sending: ses:SendBulkEmail (v2, 50 mails a call), ses:SendEmail and ses:SendRawEmail on the one identity, from the one address.
 *
 * The identity is NOT created by this stack. It is verified once per account and region, outside CDK:
 *   1. `aws sesv2 create-email-identity --email-identity example.gov.vn` (or the SES console),
 *   2. publish the three Easy DKIM CNAME records it returns in the domain's DNS (plus SPF/DMARC TXT records),
 *   3. wait for `aws sesv2 get-email-identity` to report `VerifiedForSendingStatus: true`,
 *   4. request production access (leave the SES sandbox) and note the account's max send rate for
 *      `thidua:sesMaxSendRate`.
 * Keeping it outside the stack means a redeploy or teardown never touches DNS-verified state that other
 * systems of the agency may share.
 */
export class ThiduaMail extends Construct {
  readonly identityArn: string;
  readonly environment: Record<string, string>;
  private readonly mailFrom: string;

  constructor(scope: Construct, id: string, props: ThiduaMailProps) {
    super(scope, id);
    this.mailFrom = props.mailFrom;
    this.identityArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'identity',
      resourceName: props.sesIdentity,
    });
    this.environment = {
      [ENV.mailFrom]: props.mailFrom,
      [ENV.sesMaxSendRate]: String(props.sesMaxSendRate),
    };
  }

  grantSend(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['ses:SendBulkEmail', 'ses:SendEmail', 'ses:SendRawEmail'],
      resourceArns: [this.identityArn],
      conditions: { StringEquals: { 'ses:FromAddress': this.mailFrom } },
    });
  }
}
