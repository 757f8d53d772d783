/**
 * The services started only on request (`cdc stack up --with s3,mongo`): S3Proxy (the S3 REST API
 * over a folder) and mongo-java-server (the MongoDB wire protocol over an H2 MVStore file), each a
 * `java` process on its own jars. Health is checked for real: a signed ListBuckets, a MongoDB
 * `buildInfo` command.
 */
import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InterruptedError } from '../errors';
import { StackStartError, tailFile } from './errors';
import { MONGO_LAUNCHER_CLASS } from './jars';
import type { StackLayout } from './layout';
import { isAlive, startDetached, waitUntil } from './processes';
import { S3_ACCESS_KEY, S3_BUCKET, S3_SECRET_KEY, type ExtraService } from './settings';

/** Small heaps: these serve tests, beside two other JVMs on 2 cores. */
const JVM_OPTIONS = ['-Xms32m', '-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true'];

/** Marker that tells our process from others with a reused pid (its command line holds it). */
export function extraMarker(layout: StackLayout, service: ExtraService): string {
  return service === 's3' ? path.join(layout.conf, 's3proxy.properties') : layout.mongoFile;
}

function s3ProxyJar(layout: StackLayout): string {
  const jar = fs.readdirSync(layout.libOf('s3')).find((name) => /^s3proxy-.*-jar-with-dependencies\.jar$/.test(name));
  if (!jar) throw new StackStartError('s3', `no S3Proxy jar in ${layout.libOf('s3')}`, layout.log('s3'), '');
  return path.join(layout.libOf('s3'), jar);
}

/** Starts the service in the background; returns its pid. Creates the default bucket's folder. */
export function startExtra(layout: StackLayout, java: string, service: ExtraService, port: number): number {
  fs.writeFileSync(layout.log(service), '');
  if (service === 's3') {
    fs.mkdirSync(path.join(layout.s3Data, S3_BUCKET), { recursive: true });
    return startDetached(java, [...JVM_OPTIONS, '-jar', s3ProxyJar(layout), '--properties', extraMarker(layout, 's3')], {
      logFile: layout.log('s3'), pidFile: layout.pidFile('s3'), cwd: layout.dir,
    });
  }
  fs.mkdirSync(path.dirname(layout.mongoFile), { recursive: true });
  const lib = layout.libOf('mongo');
  return startDetached(java, [...JVM_OPTIONS, '-cp', `${lib}/*${path.delimiter}${path.join(lib, 'classes')}`, MONGO_LAUNCHER_CLASS, '127.0.0.1', String(port), layout.mongoFile], {
    logFile: layout.log('mongo'), pidFile: layout.pidFile('mongo'), cwd: layout.dir,
  });
}

export async function waitForExtra(layout: StackLayout, service: ExtraService, pid: number, url: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  let died = false;
  let last = '';
  const ready = await waitUntil(async () => {
    if (signal?.aborted) throw new InterruptedError('interrupted while the stack was starting; stopped what had started');
    if (!isAlive(pid)) return (died = true);
    const probe = await probeExtra(service, url);
    last = probe.detail;
    return probe.healthy;
  }, timeoutMs, 300);
  const log = layout.log(service);
  if (died) throw new StackStartError(service, `the ${service} server exited during start-up`, log, tailFile(log));
  if (!ready) throw new StackStartError(service, `the ${service} server was not ready after ${timeoutMs / 1000} s (${last})`, log, tailFile(log));
}

export function probeExtra(service: ExtraService, url: string): Promise<{ healthy: boolean; detail: string }> {
  return service === 's3' ? probeS3(url) : probeMongo(url);
}

/**
 * A ListBuckets request signed with the stack's credentials (AWS signature v2, which S3Proxy
 * accepts beside v4: a few lines instead of loading the AWS SDK for a health check).
 */
export async function probeS3(endpoint: string, accessKey = S3_ACCESS_KEY, secretKey = S3_SECRET_KEY): Promise<{ healthy: boolean; detail: string }> {
  const date = new Date().toUTCString();
  const signature = createHmac('sha1', secretKey).update(`GET\n\n\n${date}\n/`).digest('base64');
  try {
    const response = await fetch(`${endpoint}/`, { headers: { date, authorization: `AWS ${accessKey}:${signature}` }, signal: AbortSignal.timeout(3_000) });
    const body = await response.text();
    if (response.status !== 200) {
      const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? `HTTP ${response.status}`;
      return { healthy: false, detail: `ListBuckets answered ${code}` };
    }
    const buckets = [...body.matchAll(/<Name>([^<]*)<\/Name>/g)].map((m) => m[1]);
    return { healthy: true, detail: `S3 API (S3Proxy), bucket(s): ${buckets.join(', ') || 'none'}` };
  } catch (err) {
    return { healthy: false, detail: `no answer from ${endpoint}: ${(err as Error).message}` };
  }
}

export async function probeMongo(url: string): Promise<{ healthy: boolean; detail: string }> {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 2_000, connectTimeoutMS: 2_000 });
  try {
    await client.connect();
    const info = await client.db('admin').command({ buildInfo: 1 });
    return { healthy: true, detail: `MongoDB wire protocol (mongo-java-server, reports ${String(info.version)})` };
  } catch (err) {
    return { healthy: false, detail: (err as Error).message || String(err) };
  } finally {
    await client.close().catch(() => {});
  }
}
