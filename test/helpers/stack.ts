/**
 * Where the integration tests reach the real stack (PostgreSQL, Kafka, Kafka Connect + Debezium).
 *
 * How the values get here:
 * 1. The jest global setup (test/integration/global-setup.ts) reuses a healthy stack already running
 *    at the configured ports (`cdc stack up`), or starts one, and then sets CDC_IT_PG_URL,
 *    CDC_IT_BROKERS, CDC_IT_CONNECT_URL, CDC_IT_TARGET_URL, CDC_IT_S3_URL and CDC_IT_MONGO_URL in its
 *    process.env (the suite's stack always runs the S3 and MongoDB servers). Jest creates its test workers after
 *    the global setup, so every worker inherits them; this function reads them.
 * 2. Without them (a script run outside jest), it falls back to the state file that `cdc stack up`
 *    writes: `<stack dir>/state.json` (stack dir = $CDC_STACK_DIR or `.stack/` at the repo root).
 *
 * pgUrl is a superuser URL: postgres://postgres:postgres@127.0.0.1:<port>/postgres. targetUrl is the
 * sinks' target database in the same cluster, owned by a plain role:
 * postgres://analytics:analytics@127.0.0.1:<port>/analytics.
 * s3Url is S3Proxy (path-style, credentials minioadmin/minioadmin, region us-east-1, bucket `cdc`
 * exists); stackServiceEnv() gives the AWS_* variables a program needs for it, as `cdc stack env`
 * prints them. mongoUrl is mongo-java-server, a reimplementation of the MongoDB wire protocol.
 * The stack is shared by all test files running in parallel: use unique names and clean up.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stackEnv } from '../../src/stack/settings';

export interface StackUrls {
  /** Superuser URL of the stack's PostgreSQL (wal_level=logical). */
  pgUrl: string;
  /** Kafka bootstrap servers, `127.0.0.1:<port>`. */
  brokers: string;
  /** Kafka Connect REST URL with Debezium's PostgreSQL connector installed, `http://127.0.0.1:<port>`. */
  connectUrl: string;
  /** The sinks' target database `analytics` (its own role, not a superuser). */
  targetUrl: string;
  /** S3 endpoint, `http://127.0.0.1:<port>`. */
  s3Url: string;
  /** MongoDB connection string, `mongodb://127.0.0.1:<port>`. */
  mongoUrl: string;
}

export const STACK_URL_ENV = {
  pgUrl: 'CDC_IT_PG_URL',
  brokers: 'CDC_IT_BROKERS',
  connectUrl: 'CDC_IT_CONNECT_URL',
  targetUrl: 'CDC_IT_TARGET_URL',
  s3Url: 'CDC_IT_S3_URL',
  mongoUrl: 'CDC_IT_MONGO_URL',
} as const;

export function stackUrls(): StackUrls {
  const env = process.env;
  const keys = Object.keys(STACK_URL_ENV) as (keyof StackUrls)[];
  const fromEnv = Object.fromEntries(keys.map((k) => [k, env[STACK_URL_ENV[k]]]));
  if (keys.every((k) => fromEnv[k])) return fromEnv as unknown as StackUrls;

  const stateFile = path.join(env.CDC_STACK_DIR || path.resolve(__dirname, '../../.stack'), 'state.json');
  let state: { urls?: Partial<StackUrls> } | undefined;
  try {
    state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { urls?: Partial<StackUrls> };
  } catch {
    state = undefined;
  }
  const urls = state?.urls;
  if (urls && keys.every((k) => urls[k])) return Object.fromEntries(keys.map((k) => [k, urls[k]])) as unknown as StackUrls;
  throw new Error(
    `No stack URLs: ${Object.values(STACK_URL_ENV).join(', ')} are not set and ${stateFile} has none. ` +
      'Run the integration tests with `npm run test:integration` (its global setup starts the stack), ' +
      'or start one with `node bin/cdc.js stack up`.',
  );
}

/**
 * The variables `cdc stack env` prints for this stack (CDC_*, DATABASE_URL, AWS_* for S3Proxy,
 * CDC_MONGO_URL): spread them into a CLI run's env.
 */
export function stackServiceEnv(): Record<string, string> {
  return stackEnv(stackUrls());
}
