/**
 * The clinician console's `config.json` (docs/ARCHITECTURE.md §3.7): what the page needs to know
 * to sign in and reach the API. Served by the local server in development, deployed beside the
 * page in AWS by the deploy-time custom resource (`Custom::BeatwatchConsoleSite`), whose
 * properties are defined here too: infra/ sets them, functions/ reads them.
 */
import type { ObjectSource } from './seed-resource';

/** Locally: the development login of the local server, the API on the same origin. */
export interface LocalConsoleConfig {
  readonly mode: 'local';
}

/** In AWS: Cognito's hosted sign-in (authorization code with PKCE), the API behind the same CloudFront distribution. */
export interface CognitoConsoleConfig {
  readonly mode: 'cognito';
  /** Base path of the API (`/api`: the distribution routes it to the HTTP API, so the page needs no CORS). */
  readonly api: string;
  readonly cognito: {
    /** `https://<prefix>.auth.<region>.amazoncognito.com`: the hosted sign-in and token endpoints. */
    readonly domain: string;
    /** The console's app client (public: no secret; PKCE protects the code). */
    readonly clientId: string;
    /** Where Cognito sends the browser back: the console's URL. */
    readonly redirectUri: string;
    /** Space-separated OAuth scopes. */
    readonly scopes: string;
  };
}

/** Either config. */
export type ConsoleConfig = LocalConsoleConfig | CognitoConsoleConfig;

/** Object key of the config beside the page. */
export const CONSOLE_CONFIG_KEY = 'config.json';

/** The custom resource type that publishes the console's files. */
export const CONSOLE_SITE_RESOURCE_TYPE = 'Custom::BeatwatchConsoleSite';

/** One file of the page: copied from its CDK asset to `Key` with its content type. */
export interface ConsoleSiteFile {
  readonly Key: string;
  readonly ContentType: string;
  readonly Source: ObjectSource;
}

/** Properties of `Custom::BeatwatchConsoleSite`, as the ConsoleSite construct sets them. */
export interface ConsoleSiteProperties {
  /** The site bucket (private, read only by the distribution). */
  readonly BucketName: string;
  readonly Files: readonly ConsoleSiteFile[];
  /** Written as {@link CONSOLE_CONFIG_KEY}; its values are resolved by CloudFormation at deploy time. */
  readonly Config: CognitoConsoleConfig;
}
