/// <reference lib="dom" />
/**
 * The console's sign-in with Cognito's hosted UI (docs/ARCHITECTURE.md §3.7): OAuth 2.0
 * authorization code with PKCE (RFC 7636), for a public client that holds no secret. The page
 * sends the browser to `/oauth2/authorize` with a challenge, Cognito sends it back with a code,
 * and the page trades the code and its verifier at `/oauth2/token` for an id token (which names
 * the clinician and carries their groups). No token ever appears in a URL. Pure functions over
 * WebCrypto, so they run in the browser and in the tests alike.
 */
import type { CognitoConsoleConfig } from '../../contract';

function base64Url(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A random string of `bytes` random bytes, base64url: the PKCE code verifier (32 bytes give 43
 * characters, RFC 7636's minimum) or the `state` that ties a reply to its request.
 *
 * @example
 * const verifier = randomToken(); // 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'-like
 */
export function randomToken(bytes = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/**
 * The S256 code challenge of a verifier: base64url(SHA-256(verifier)).
 *
 * @example
 * await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk') // 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
 */
export async function codeChallenge(verifier: string): Promise<string> {
  return base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

/**
 * Where to send the browser to sign in.
 *
 * @example
 * location.assign(authorizeUrl(config, state, await codeChallenge(verifier)));
 */
export function authorizeUrl(config: CognitoConsoleConfig, state: string, challenge: string): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: config.cognito.clientId,
    redirect_uri: config.cognito.redirectUri,
    scope: config.cognito.scopes,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  return `${config.cognito.domain}/oauth2/authorize?${q}`;
}

/**
 * The token request that trades the code Cognito returned (with the verifier) for tokens: a form
 * POST to `/oauth2/token`.
 *
 * @example
 * const { url, body } = tokenRequest(config, code, verifier);
 * const tokens = await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })).json();
 */
export function tokenRequest(config: CognitoConsoleConfig, code: string, verifier: string): { url: string; body: string } {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: config.cognito.clientId,
    code,
    redirect_uri: config.cognito.redirectUri,
    code_verifier: verifier,
  });
  return { url: `${config.cognito.domain}/oauth2/token`, body: body.toString() };
}

/**
 * Where to send the browser to sign out of the hosted UI too (back to the console afterwards).
 *
 * @example
 * location.assign(logoutUrl(config));
 */
export function logoutUrl(config: CognitoConsoleConfig): string {
  const q = new URLSearchParams({ client_id: config.cognito.clientId, logout_uri: config.cognito.redirectUri });
  return `${config.cognito.domain}/logout?${q}`;
}
