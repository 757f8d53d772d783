/**
 * The bucket: uploads (multipart above 8 MiB, with bounded parts in memory), the sink's offset
 * markers, and S3's failures as errors that say what to do. Every request has a timeout, so a
 * missing bucket, refused credentials or an endpoint that does not answer end in bounded time.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { NotFoundError, ServiceError } from '../../errors';
import type { S3Settings } from '../../settings';

export const MULTIPART_THRESHOLD = 8 * 1024 * 1024;
const PART_SIZE = 8 * 1024 * 1024;

export interface BucketOptions {
  bucket: string;
  settings: S3Settings;
  /** Per request (connect and answer). */
  timeoutMs: number;
  /** --path-style: bucket in the path (MinIO, S3Proxy); else what the settings chose. */
  pathStyle?: boolean;
}

export class Bucket {
  private constructor(
    private readonly client: S3Client,
    readonly name: string,
    private readonly endpoint: string,
  ) {}

  static async open(options: BucketOptions): Promise<Bucket> {
    // The SDK warns once per process that its 2027 releases need Node 22: noise on a CLI's stderr
    // (cdc supports Node 20; the installed SDK works on it). Marking it said keeps stderr for cdc.
    const core = (await import('@aws-sdk/core/client')) as { state?: { warningEmitted: boolean } };
    if (core.state) core.state.warningEmitted = true;
    const { S3Client } = await import('@aws-sdk/client-s3');
    const { NodeHttpHandler } = await import('@smithy/node-http-handler');
    const s = options.settings;
    const client = new S3Client({
      region: s.region.value,
      endpoint: s.endpoint?.value,
      forcePathStyle: options.pathStyle ?? s.forcePathStyle,
      credentials: s.accessKeyId && s.secretAccessKey ? { accessKeyId: s.accessKeyId.value, secretAccessKey: s.secretAccessKey.value } : undefined,
      maxAttempts: 2,
      // Checksums only where S3 requires them: S3-compatible servers (S3Proxy, older MinIO) refuse
      // the SDK's default CRC32 headers with 501, and AWS accepts either.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // throwOnRequestTimeout: without it the SDK only logs a warning and waits on for the answer.
      requestHandler: new NodeHttpHandler({ connectionTimeout: options.timeoutMs, requestTimeout: options.timeoutMs, throwOnRequestTimeout: true }),
    });
    return new Bucket(client, options.bucket, s.endpoint?.value ?? `AWS S3 (${s.region.value})`);
  }

  /** Checks the bucket exists and the credentials may use it; creates it when asked. */
  async check(create: boolean): Promise<'exists' | 'created'> {
    const { HeadBucketCommand, CreateBucketCommand } = await import('@aws-sdk/client-s3');
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.name }));
      return 'exists';
    } catch (err) {
      if (statusOf(err) === 404 && create) {
        await this.client.send(new CreateBucketCommand({ Bucket: this.name })).catch((e: unknown) => {
          throw this.explain(e, 'create the bucket');
        });
        return 'created';
      }
      throw this.explain(err, 'reach the bucket');
    }
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    try {
      if (body.length > MULTIPART_THRESHOLD) {
        const { Upload } = await import('@aws-sdk/lib-storage');
        // Two parts in flight at most: memory stays bounded whatever the object's size.
        await new Upload({
          client: this.client,
          params: { Bucket: this.name, Key: key, Body: body, ContentType: contentType },
          partSize: PART_SIZE,
          queueSize: 2,
        }).done();
      } else {
        const { PutObjectCommand } = await import('@aws-sdk/client-s3');
        await this.client.send(new PutObjectCommand({ Bucket: this.name, Key: key, Body: body, ContentType: contentType }));
      }
    } catch (err) {
      throw this.explain(err, `upload ${key}`);
    }
  }

  async get(key: string): Promise<string | undefined> {
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.name, Key: key }));
      return await answer.Body?.transformToString('utf8');
    } catch (err) {
      if (statusOf(err) === 404 || (err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw this.explain(err, `read ${key}`);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.name, Prefix: prefix, ContinuationToken: token })).catch((e: unknown) => {
        throw this.explain(e, `list ${prefix}`);
      });
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  close(): void {
    this.client.destroy();
  }

  private explain(err: unknown, doing: string): Error {
    const status = statusOf(err);
    const code = (err as { name?: string; Code?: string }).Code ?? (err as { name?: string }).name ?? '';
    const where = `bucket ${this.name} at ${this.endpoint}`;
    if (status === 404 || code === 'NoSuchBucket' || code === 'NotFound') {
      return new NotFoundError(`cannot ${doing}: ${where} does not exist`, 'create it, or pass --create-bucket');
    }
    if (status === 403 || status === 401 || /InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied/.test(code)) {
      return new ServiceError(`cannot ${doing}: ${where} refused the credentials (${code || status})`, {
        hint: "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the local stack's are printed by `cdc stack env`)",
      });
    }
    const network = (err as { code?: string }).code ?? code;
    if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|TimeoutError|RequestTimeout|ECONNRESET/.test(`${network} ${(err as Error).message}`)) {
      return new ServiceError(`cannot ${doing}: ${this.endpoint} does not answer (${network || 'timeout'})`, {
        hint: 'check --endpoint (env AWS_ENDPOINT_URL_S3); the local stack starts one with `cdc stack up --with s3`',
      });
    }
    return new ServiceError(`cannot ${doing}: ${(err as Error).message || code}`, { cause: err });
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}
