/**
 * Amazon Cognito as the console's identity provider, and the verifier of its ID tokens. The same calls reach
 * cognito-local on one machine (only the endpoint differs). There, the pool's signing key ships inside the npm
 * package, so anyone could forge its tokens: its issuer is accepted only when the local stack says so
 * (`localJwks`), never on AWS.
 */
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import type { IdentityProvider, SignInResult, SignInTokens, TokenVerifier } from '../app/ports.ts';

export interface CognitoPool {
  userPoolId: string;
  clientId: string;
}

const nameOf = (e: unknown) => (e as { name?: string })?.name ?? '';

export class CognitoIdentity implements IdentityProvider {
  constructor(
    private readonly client: CognitoIdentityProviderClient,
    private readonly pool: CognitoPool,
  ) {}

  async signIn(email: string, password: string): Promise<SignInResult> {
    try {
      const out = await this.client.send(
        new InitiateAuthCommand({ ClientId: this.pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }),
      );
      if (out.ChallengeName === 'NEW_PASSWORD_REQUIRED') return { ok: false, reason: 'password-reset-required' };
      const r = out.AuthenticationResult;
      if (!r?.IdToken) return { ok: false, reason: 'bad-credentials' };
      return { ok: true, tokens: { idToken: r.IdToken, ...(r.RefreshToken ? { refreshToken: r.RefreshToken } : {}), expiresIn: r.ExpiresIn ?? 3600 } };
    } catch (e) {
      // Cognito answers NotAuthorized for a wrong password or an unknown user alike; cognito-local has its own names.
      const name = nameOf(e);
      if (['NotAuthorizedException', 'UserNotFoundException', 'InvalidPasswordException'].includes(name)) return { ok: false, reason: 'bad-credentials' };
      if (name === 'PasswordResetRequiredException') return { ok: false, reason: 'password-reset-required' };
      if (name === 'UserNotConfirmedException') return { ok: false, reason: 'not-confirmed' };
      throw e;
    }
  }

  async refresh(refreshToken: string): Promise<SignInTokens | undefined> {
    try {
      const out = await this.client.send(new InitiateAuthCommand({ ClientId: this.pool.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshToken } }));
      const r = out.AuthenticationResult;
      return r?.IdToken ? { idToken: r.IdToken, expiresIn: r.ExpiresIn ?? 3600 } : undefined;
    } catch (e) {
      if (nameOf(e) === 'NotAuthorizedException') return undefined;
      throw e;
    }
  }

  async signOut(refreshToken: string): Promise<void> {
    await this.client.send(new RevokeTokenCommand({ ClientId: this.pool.clientId, Token: refreshToken })).catch((e: unknown) => {
      if (nameOf(e) !== 'NotAuthorizedException' && nameOf(e) !== 'UnsupportedTokenTypeException') throw e;
    });
  }

  async forgotPassword(email: string): Promise<void> {
    await this.client.send(new ForgotPasswordCommand({ ClientId: this.pool.clientId, Username: email })).catch((e: unknown) => {
      // Nothing tells a caller whether the address has an account.
      if (!['UserNotFoundException', 'InvalidParameterException', 'NotAuthorizedException'].includes(nameOf(e))) throw e;
    });
  }

  async confirmForgotPassword(email: string, code: string, newPassword: string): Promise<'ok' | 'bad-code' | 'weak-password'> {
    try {
      await this.client.send(new ConfirmForgotPasswordCommand({ ClientId: this.pool.clientId, Username: email, ConfirmationCode: code, Password: newPassword }));
      return 'ok';
    } catch (e) {
      const name = nameOf(e);
      if (name === 'InvalidPasswordException') return 'weak-password';
      if (['CodeMismatchException', 'ExpiredCodeException', 'UserNotFoundException', 'LimitExceededException'].includes(name)) return 'bad-code';
      throw e;
    }
  }

  async ensureUser(email: string, opts: { password?: string }): Promise<'created' | 'exists'> {
    try {
      await this.client.send(new AdminGetUserCommand({ UserPoolId: this.pool.userPoolId, Username: email }));
      return 'exists';
    } catch (e) {
      if (nameOf(e) !== 'UserNotFoundException') throw e;
    }
    await this.client.send(
      new AdminCreateUserCommand({
        UserPoolId: this.pool.userPoolId,
        Username: email,
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
        // With a password (local samples) nobody is invited; otherwise Cognito emails a temporary password.
        ...(opts.password ? { MessageAction: 'SUPPRESS' } : { DesiredDeliveryMediums: ['EMAIL'] }),
      }),
    );
    if (opts.password) await this.client.send(new AdminSetUserPasswordCommand({ UserPoolId: this.pool.userPoolId, Username: email, Password: opts.password, Permanent: true }));
    return 'created';
  }
}

/** ID tokens of the deployed user pool: Cognito's own verifier, JWKS fetched from Cognito and cached. */
export function cognitoTokenVerifier(pool: CognitoPool): TokenVerifier {
  const verifier = CognitoJwtVerifier.create({ userPoolId: pool.userPoolId, clientId: pool.clientId, tokenUse: 'id' });
  return {
    async verify(idToken) {
      try {
        const claims = await verifier.verify(idToken);
        return { email: String(claims.email ?? '').toLowerCase(), sub: claims.sub, expiresAt: claims.exp, authTime: Number(claims.auth_time ?? claims.iat) };
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * ID tokens of cognito-local (local stack only): its issuer is `http://localhost:<port>/<poolId>` and its JWKS is
 * served over http, which CognitoJwtVerifier refuses; the generic verifier takes the JWKS the stack fetched.
 */
export function localTokenVerifier(opts: { issuer: string; clientId: string; jwks: unknown }): TokenVerifier {
  const verifier = JwtVerifier.create({ issuer: opts.issuer, audience: opts.clientId, jwksUri: `${opts.issuer}/.well-known/jwks.json` });
  verifier.cacheJwks(opts.jwks as Parameters<typeof verifier.cacheJwks>[0]);
  return {
    async verify(idToken) {
      try {
        const claims = await verifier.verify(idToken);
        if (claims.token_use !== 'id') return undefined;
        return { email: String(claims.email ?? '').toLowerCase(), sub: String(claims.sub), expiresAt: Number(claims.exp), authTime: Number(claims.auth_time ?? claims.iat) };
      } catch {
        return undefined;
      }
    },
  };
}
