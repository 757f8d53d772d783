/**
 * S3 (or an S3-compatible store such as MinIO): endpoint, region and credentials, with the AWS
 * SDK's own variable names so an existing AWS setup just works. Credentials never come from flags;
 * a context names the variable holding the secret (s3SecretAccessKeyEnv). Without any credentials
 * the SDK's default chain (profiles, instance roles) applies.
 */
import { UsageError } from '../errors';
import { contextSource, pick, setting, type Layers } from './layers';
import type { Setting, SettingsFlags } from './types';

export const S3_DEFAULT_REGION = 'us-east-1';
export const S3_ENV = {
  endpoint: ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'],
  region: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
  accessKeyId: ['AWS_ACCESS_KEY_ID'],
  secretAccessKey: ['AWS_SECRET_ACCESS_KEY'],
} as const;

export interface S3Settings {
  /** Undefined: AWS's own endpoint for the region. */
  endpoint?: Setting;
  region: Setting;
  accessKeyId?: Setting;
  secretAccessKey?: Setting;
  /** Path-style addressing (bucket in the path): what MinIO and other local endpoints need. */
  forcePathStyle: boolean;
}

export function resolveS3(layers: Layers, flags: NonNullable<SettingsFlags['s3']> = {}): S3Settings {
  const stack = layers.stack?.s3;
  const endpoint = pick(layers, { flag: [flags.endpoint, '--endpoint'], env: S3_ENV.endpoint, context: 's3Endpoint', stack: stack?.endpoint });
  if (endpoint) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint.value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new UsageError(`S3 endpoint '${endpoint.value}' (from ${endpoint.source}) is not an http(s) URL`, 'use e.g. --endpoint http://127.0.0.1:9000');
    }
  }
  const region = pick(layers, {
    flag: [flags.region, '--region'],
    env: S3_ENV.region,
    context: 's3Region',
    stack: stack?.region,
    fallback: S3_DEFAULT_REGION,
  });
  const accessKeyId = pick(layers, { env: S3_ENV.accessKeyId, context: 's3AccessKeyId', stack: stack?.accessKeyId });
  const secretEnv = layers.context.values.s3SecretAccessKeyEnv;
  const secretAccessKey =
    pick(layers, { env: S3_ENV.secretAccessKey }) ??
    (secretEnv && layers.env[secretEnv] ? setting(layers.env[secretEnv], 'context', `${contextSource(layers.context)} (env:${secretEnv})`) : undefined) ??
    pick(layers, { stack: stack?.secretAccessKey });
  if (accessKeyId && !secretAccessKey) {
    throw new UsageError(
      `S3 access key id ${accessKeyId.value} (from ${accessKeyId.source}) has no secret key`,
      secretEnv ? `set ${secretEnv}, the variable the context names, or AWS_SECRET_ACCESS_KEY` : 'set AWS_SECRET_ACCESS_KEY',
    );
  }
  if (secretAccessKey && !accessKeyId) {
    throw new UsageError(`an S3 secret key (from ${secretAccessKey.source}) is set without an access key id`, 'set AWS_ACCESS_KEY_ID');
  }
  return { endpoint, region, accessKeyId, secretAccessKey, forcePathStyle: endpoint !== undefined };
}
