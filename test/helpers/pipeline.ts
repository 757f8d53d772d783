/**
 * Pieces shared by the integration tests that run a whole Debezium pipeline with cdc commands:
 * a shell runner for `cdc … | cdc …` pipes, a Postgres client, and the clean-up of everything a
 * registered connector leaves behind (connector, slot, publications, schema, topic).
 */
import { spawn } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { CDC_BIN, runCli, type CliResult } from './run-cli';
import type { StackUrls } from './stack';

/** Runs a bash script in which `cdc` is the built binary, with pipefail, so a failing stage fails the pipe. */
export function runShell(script: string, env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `set -o pipefail; cdc() { "${process.execPath}" "${CDC_BIN}" "$@"; }; ${script}`], {
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', ...env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

export async function withPg<T>(pgUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: pgUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Deletes the connector, then (once its slot is no longer active) the slot, the publications named
 * after it, the schema and the topic. Safe to call when some of them never got created.
 */
export async function removeDebeziumPipeline(
  urls: StackUrls,
  env: NodeJS.ProcessEnv,
  names: { connector: string; schema: string; topic: string },
): Promise<void> {
  await runCli(['connector', 'delete', names.connector, '--yes'], { env, timeoutMs: 120_000 });
  await withPg(urls.pgUrl, async (c) => {
    for (let i = 0; i < 40; i++) {
      const { rows } = await c.query('select active from pg_replication_slots where slot_name = $1', [names.connector]);
      if (rows.length === 0 || !rows[0].active) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await c.query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1 and not active', [names.connector]);
    const pubs = await c.query('select pubname from pg_publication where pubname like $1', [`${names.connector}%`]);
    for (const { pubname } of pubs.rows) await c.query(`drop publication "${pubname}"`);
    await c.query(`drop schema if exists "${names.schema}" cascade`);
  });
  const admin = new Kafka({ brokers: [urls.brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [names.topic] }).catch(() => undefined);
  await admin.disconnect();
}
