/**
 * Benchmark: `cdc sink s3` (jsonl.gz and parquet) against the plainest pipeline that lands the same
 * topic in the same bucket, in the same run: `kcat -C -e | gzip | upload-stdin` (the AWS SDK's
 * multipart Upload of stdin, as `aws s3 cp -` does). The topic holds Debezium change events from the
 * workload of bench/sink-postgres.ts. Each run is timed from its start until its process exits;
 * MB/s counts the bytes of the objects written (read back with ListObjectsV2); peak RSS comes from
 * /usr/bin/time (for the pipeline: each stage's peak, summed, since they run at once).
 * The plain pipeline only copies Debezium's JSON values; cdc decodes and flattens every event,
 * names objects for idempotent replay and stores its position in the bucket.
 * Needs `cdc stack up --with s3`. Usage:
 *   npm run bench:sink-s3 [-- --events 200000 --keys 20000 --flush-size 10000 --keep]   (or BENCH_EVENTS)
 */
import * as path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { stackLayout } from '../src/stack/layout';
import { defaultStackDir, S3_BUCKET, stackEnv } from '../src/stack/settings';
import { readState } from '../src/stack/state';
import { arg, changeTopic, run, timedCdc } from './change-topic';

const UPLOAD = path.resolve(__dirname, 'upload-stdin.js');

interface Result {
  name: string;
  seconds: number;
  bytes: number;
  objects: number;
  peakKb: number;
  note: string;
  failed?: string;
}

async function objectsUnder(s3: S3Client, prefix: string): Promise<{ bytes: number; objects: number }> {
  let bytes = 0;
  let objects = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: S3_BUCKET, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      bytes += o.Size ?? 0;
      objects++;
    }
    token = page.NextContinuationToken;
  } while (token);
  return { bytes, objects };
}

async function main(): Promise<void> {
  const events = arg('events', Number(process.env.BENCH_EVENTS ?? 200_000));
  const keys = arg('keys', Math.min(20_000, Math.round(events / 10)));
  const flushSize = arg('flush-size', 10_000);
  const keep = process.argv.includes('--keep');
  const state = readState(stackLayout(defaultStackDir(process.env)));
  if (!state?.urls.s3Url) throw new Error('no running stack with S3: start one with `node bin/cdc.js stack up --with s3`');
  const env = { ...stackEnv(state.urls), PGPASSWORD: new URL(state.urls.pgUrl).password };
  Object.assign(process.env, env); // the SDK client below reads the same AWS_* variables
  const { pgUrl, brokers } = state.urls;
  const name = `benchs3_${events}`;
  const made = await changeTopic({ name, events, keys, pgUrl, brokers, env, timeoutMs: 1_800_000 });
  const topic = made.topic;
  const s3 = new S3Client({ forcePathStyle: true });
  const records = await made.records();
  process.stderr.write(`topic ${topic}: ${records} records\n`);
  const runId = Date.now().toString(36);
  const results: Result[] = [];

  for (const format of ['jsonl.gz', 'parquet'] as const) {
    const prefix = `bench-${runId}/${format.replace('.', '')}`;
    const sink = await timedCdc(
      [
        'sink',
        's3',
        topic,
        '--bucket',
        S3_BUCKET,
        '--prefix',
        prefix,
        '--format',
        format,
        '--flush-size',
        String(flushSize),
        '--group',
        `bench-${runId}-${format}`,
        '--exit-at-end',
        '--json',
      ],
      env,
    );
    const { seconds } = sink;
    if (sink.code !== 0) {
      // One format failing must not hide the others' figures: report it in the table and go on.
      const why = sink.stderr.split('\n').find((l) => /error/i.test(l)) ?? `exit ${sink.code}`;
      process.stderr.write(`cdc sink s3 --format ${format} failed:\n${sink.stderr}`);
      results.push({ name: `cdc sink s3 --format ${format}`, seconds, bytes: 0, objects: 0, peakKb: 0, note: '', failed: why.trim() });
      process.exitCode = 1;
      continue;
    }
    // Every upload's rows (the summary names only the latest 1,000 objects).
    const rows = (JSON.parse(sink.stdout) as { uploadedRows: number }).uploadedRows;
    if (rows !== events) throw new Error(`cdc sink s3 --format ${format} wrote ${rows} rows, expected ${events} change events`);
    const stored = await objectsUnder(s3, `${prefix}/${topic}/`);
    results.push({
      name: `cdc sink s3 --format ${format}`,
      seconds,
      ...stored,
      peakKb: sink.peakKb,
      note: `${rows} flat rows`,
    });
  }

  // The plain pipeline: Debezium's values as they are, one per line, gzip'd, one streamed upload.
  const key = `bench-${runId}/kcat/${topic}.jsonl.gz`;
  const script =
    `set -o pipefail; /usr/bin/time -f 'kcat %M' kcat -C -b ${brokers} -t ${topic} -o beginning -e -q ` +
    `| /usr/bin/time -f 'gzip %M' gzip -6 | /usr/bin/time -f 'upload %M' ${process.execPath} ${UPLOAD} ${S3_BUCKET} ${key}`;
  const started = process.hrtime.bigint();
  const pipe = await run('bash', ['-c', script], env);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (pipe.code !== 0) throw new Error(`kcat | gzip | upload failed:\n${pipe.stderr}`);
  const peaks = [...pipe.stderr.matchAll(/^(kcat|gzip|upload) (\d+)$/gm)].map((m) => Number(m[2]));
  const stored = await objectsUnder(s3, key);
  results.push({
    name: 'kcat -C -e \\| gzip \\| upload-stdin',
    seconds,
    ...stored,
    peakKb: peaks.reduce((a, b) => a + b, 0),
    note: 'raw Debezium JSON, tombstones as empty lines',
  });

  const [load1, load5] = (await import('node:os')).loadavg();
  process.stdout.write(
    [
      `${events} change events (${records} records with tombstones) over ${keys} keys, one partition; cdc --flush-size ${flushSize}; load average ${load1.toFixed(1)} / ${load5.toFixed(1)} (1/5 min)`,
      '| pipeline | objects | MB written | seconds | events/s | MB/s | peak RSS |',
      '|---|---|---|---|---|---|---|',
      ...results.map((r) =>
        r.failed
          ? `| ${r.name} | FAILED after ${r.seconds.toFixed(1)} s: ${r.failed} | | | | | |`
          : `| ${r.name} (${r.note}) | ${r.objects} | ${(r.bytes / 1e6).toFixed(2)} | ${r.seconds.toFixed(1)} | ${Math.round(events / r.seconds)} | ${(r.bytes / 1e6 / r.seconds).toFixed(2)} | ${(r.peakKb / 1024).toFixed(0)} MB |`,
      ),
      '',
    ].join('\n'),
  );

  if (!keep) await made.remove(state.urls.connectUrl);
  await made.close();
}

main().catch((err) => {
  process.stderr.write(`bench:sink-s3 failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
