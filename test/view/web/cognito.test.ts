// The console's hosted sign-in helpers: PKCE (RFC 7636's own test vector), and the authorize,
// token and logout requests Cognito's hosted UI expects.
import { describe, expect, it } from 'vitest';
import type { CognitoConsoleConfig } from '../../../src/contract/console-config';
import { authorizeUrl, codeChallenge, logoutUrl, randomToken, tokenRequest } from '../../../src/view/web/cognito';

const config: CognitoConsoleConfig = {
  mode: 'cognito',
  api: '/api',
  cognito: {
    domain: 'https://beatwatch-1a2b3c4d.auth.eu-west-1.amazoncognito.com',
    clientId: 'client123',
    redirectUri: 'https://d111.cloudfront.net/',
    scopes: 'openid email profile',
  },
};

describe('hosted sign-in (authorization code with PKCE)', () => {
  it('derives the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes verifiers of 43 base64url characters, never twice the same', () => {
    const a = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(a);
    expect(randomToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('sends the browser to /oauth2/authorize with the challenge, state, scopes and the console as redirect', () => {
    const url = new URL(authorizeUrl(config, 'st4te', 'ch4llenge'));
    expect(url.origin + url.pathname).toBe('https://beatwatch-1a2b3c4d.auth.eu-west-1.amazoncognito.com/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client123',
      redirect_uri: 'https://d111.cloudfront.net/',
      scope: 'openid email profile',
      state: 'st4te',
      code_challenge: 'ch4llenge',
      code_challenge_method: 'S256',
    });
  });

  it('trades the code and the verifier at /oauth2/token (no secret), and signs out through /logout', () => {
    const { url, body } = tokenRequest(config, 'c0de', 'v3rifier');
    expect(url).toBe('https://beatwatch-1a2b3c4d.auth.eu-west-1.amazoncognito.com/oauth2/token');
    expect(Object.fromEntries(new URLSearchParams(body))).toEqual({
      grant_type: 'authorization_code',
      client_id: 'client123',
      code: 'c0de',
      redirect_uri: 'https://d111.cloudfront.net/',
      code_verifier: 'v3rifier',
    });
    expect(body).not.toMatch(/secret/);
    const out = new URL(logoutUrl(config));
    expect(out.pathname).toBe('/logout');
    expect(Object.fromEntries(out.searchParams)).toEqual({ client_id: 'client123', logout_uri: 'https://d111.cloudfront.net/' });
  });
});
