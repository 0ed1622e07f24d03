import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccountRecovery, UserPool, UserPoolClient, type IUserPool } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

/**
 * Who may sign in to the console: an Amazon Cognito user pool (email as the username, no self sign-up: an
 * administrator's people import invites each person) and the console's app client (the server signs in with
 * USER_PASSWORD_AUTH; no client secret, no hosted UI). Roles and units are not here but in the table, keyed by the
 * person, so a change of post needs no change in Cognito. In the stateful stack: people keep their passwords across
 * deployments.
 */
export class ThiduaIdentity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: 'thidua',
      signInAliases: { email: true },
      signInCaseSensitive: false,
      selfSignUpEnabled: false,
      autoVerify: { email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      passwordPolicy: { minLength: 10, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(7) },
      userInvitation: {
        emailSubject: 'Tài khoản thidua của bạn',
        emailBody: 'Bạn được mời sử dụng hệ thống thidua. Tên đăng nhập: {username}. Mật khẩu tạm thời: {####}. Hãy đăng nhập và đặt mật khẩu mới trong 7 ngày.',
      },
      userVerification: { emailSubject: 'Mã xác nhận thidua', emailBody: 'Mã xác nhận của bạn: {####}' },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.client = this.userPool.addClient('Console', {
      userPoolClientName: 'thidua-console',
      authFlows: { userPassword: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is not required yet: the people are commune and district officers signing in from shared office computers and ' +
          'phones without an authenticator; sign-in is rate-limited per address by the console, and every change is in the audit trail.',
    });
    Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason:
          'The Essentials feature plan: the Plus plan (threat protection, advanced security) is billed per active user; the console limits sign-in ' +
          'attempts per address itself (thidua:signin counters in the table).',
    });
  }

  get pool(): IUserPool {
    return this.userPool;
  }
}
