/**
 * Where seed rows come from: a local file (the bundled fixture by default), an http(s) URL, as
 * the tutorials load a raw CSV from the web, or standard input (`-`). Both become a byte stream plus its size when known,
 * so progress can be shown as a fraction.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { InputError, NotFoundError, ServiceError } from '../errors';
import { packageRoot } from '../package-root';
import { isSecretKey, MASK, maskConnectionString } from '../secrets';

export interface SeedSource {
  stream: Readable;
  /** Bytes, when the file size or Content-Length is known. */
  size?: number;
  /** The file path or the URL with any password masked. */
  description: string;
}

export function defaultCustomersSource(): string {
  return path.join(packageRoot(), 'fixtures', 'customers.csv');
}

/** `spec` is a path, an http(s) URL, or `-` for `stdin`. */
export async function openSource(spec: string, cwd: string, stdin?: Readable): Promise<SeedSource> {
  if (spec === '-') {
    if (!stdin) throw new InputError('no standard input to read');
    return { stream: stdin, description: 'stdin' };
  }
  if (/^https?:\/\//i.test(spec)) return openUrl(spec);
  const file = path.resolve(cwd, spec);
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new NotFoundError(`source file ${file} does not exist`, 'pass a CSV file or an http(s) URL with --source');
    throw new InputError(`cannot read source file ${file}: ${(err as Error).message}`);
  }
  if (!stat.isFile()) throw new InputError(`source ${file} is not a file`);
  return { stream: fs.createReadStream(file, { highWaterMark: 256 * 1024 }), size: stat.size, description: file };
}

/** The URL as it may be shown: password and secret-looking query values (token=…) masked. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    for (const key of [...parsed.searchParams.keys()]) if (isSecretKey(key)) parsed.searchParams.set(key, MASK);
    if (parsed.password) parsed.password = MASK;
    return decodeURI(parsed.toString());
  } catch {
    return maskConnectionString(url);
  }
}

async function openUrl(url: string): Promise<SeedSource> {
  const description = describeUrl(url);
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow' });
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause;
    throw new ServiceError(`cannot download ${description}: ${cause?.message ?? (err as Error).message}`, {
      hint: 'check the URL and the network',
      cause: err,
    });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => {});
    const notFound = response.status === 404;
    const message = `cannot download ${description}: HTTP ${response.status} ${response.statusText}`;
    throw notFound ? new NotFoundError(message, 'check the URL') : new ServiceError(message, { hint: 'check the URL and try again' });
  }
  const length = Number(response.headers.get('content-length'));
  // fetch decompresses gzip transparently, so Content-Length is only a size when not encoded.
  const encoded = Boolean(response.headers.get('content-encoding'));
  return {
    stream: Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>),
    size: Number.isFinite(length) && length > 0 && !encoded ? length : undefined,
    description,
  };
}
