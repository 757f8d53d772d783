/**
 * What the sink benchmarks share: a real topic of Debezium change events made from a seeded
 * workload (20 % inserts, 70 % updates, 10 % deletes, each delete followed by its tombstone), so
 * bench/sink-postgres.ts and bench/sink-s3.ts measure their sinks on the same kind of data; the
 * topic is made once and reused while it holds every event, and removed (connector, slot,
 * publication, schema, topic) unless --keep.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Client } from 'pg';

export const CDC = path.resolve(__dirname, '../../bin/cdc.js');

/** `--name N` from the command line, else `fallback`. */
export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

export function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `cdc ARGS` under /usr/bin/time: its output, wall seconds from spawn to exit, and peak RSS. */
export async function timedCdc(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number; peakKb: number }> {
  const started = process.hrtime.bigint();
  const result = await run('/usr/bin/time', ['-f', '%M', process.execPath, CDC, ...args], env);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // /usr/bin/time's line is the last of stderr.
  return { ...result, seconds, peakKb: Number(result.stderr.trim().split('\n').at(-1)) };
}

/** A small seeded generator, so every run makes the same workload. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The statements: `keys` inserts, then updates, deletes and re-inserts to 20/70/10 % of `events`. */
export function workload(schema: string, events: number, keys: number): string[] {
  const next = random(42);
  const inserts = Math.round(events * 0.2);
  const deletes = Math.round(events * 0.1);
  const ops: string[] = [...Array(inserts - keys).fill('c'), ...Array(deletes).fill('d'), ...Array(events - inserts - deletes).fill('u')];
  for (let i = ops.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [ops[i], ops[j]] = [ops[j], ops[i]];
  }
  const live: number[] = [];
  const gone: number[] = [];
  const sql: string[] = [];
  const row = (k: number) => `(${k}, 'item ${k}', ${Math.floor(next() * 1000)}, ${(next() * 1000).toFixed(2)}, now())`;
  for (let k = 1; k <= keys; k++) {
    live.push(k);
    sql.push(`INSERT INTO ${schema}.item VALUES ${row(k)}`);
  }
  let owed = 0; // a re-insert that found no deleted key yet: the next delete pays it back
  for (let op of ops) {
    if (op === 'c' && gone.length === 0) {
      op = 'd';
      owed++;
    } else if (op === 'd' && owed > 0 && gone.length > 0) {
      op = 'c';
      owed--;
    }
    if (op === 'u') {
      const k = live[Math.floor(next() * live.length)];
      sql.push(`UPDATE ${schema}.item SET qty = ${Math.floor(next() * 1000)}, price = ${(next() * 1000).toFixed(2)}, updated = now() WHERE id = ${k}`);
    } else if (op === 'd') {
      const at = Math.floor(next() * live.length);
      const k = live[at];
      live[at] = live[live.length - 1];
      live.pop();
      gone.push(k);
      sql.push(`DELETE FROM ${schema}.item WHERE id = ${k}`);
    } else {
      const k = gone.pop()!;
      live.push(k);
      sql.push(`INSERT INTO ${schema}.item VALUES ${row(k)}`);
    }
  }
  return sql;
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface ChangeTopic {
  /** `<name>.<name>.item`. */
  topic: string;
  /** The stack's PostgreSQL (superuser), where `<name>.item` lives. */
  source: Client;
  admin: Admin;
  /** Records in the topic now (tombstones included). */
  records(): Promise<number>;
  /** Deletes the connectors named `<name>_…` (but those `keepConnector` names), slots, publications, schema and topic. */
  remove(connectUrl: string, keepConnector?: (connector: string) => boolean): Promise<void>;
  close(): Promise<void>;
}

/**
 * The topic of `events` change events over `keys` keys: reused when it holds them all, else made:
 * table `<name>.item`, a Debezium connector (a new name each time: Connect keeps a deleted
 * connector's offsets under its name), the workload, then a wait until Debezium wrote every event.
 */
export async function changeTopic(options: {
  name: string;
  events: number;
  keys: number;
  pgUrl: string;
  brokers: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}): Promise<ChangeTopic> {
  const { name, events, keys, pgUrl, brokers, env } = options;
  const topic = `${name}.${name}.item`;
  const admin = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const source = new Client({ connectionString: pgUrl });
  await source.connect();
  const records = async () =>
    (await admin.listTopics()).includes(topic) ? (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0) : 0;
  const expectedRecords = events + Math.round(events * 0.1); // every delete is followed by a tombstone

  if ((await records()) < expectedRecords) {
    process.stderr.write(`making ${events} change events in ${topic}…\n`);
    await source.query(`DROP SCHEMA IF EXISTS ${name} CASCADE; CREATE SCHEMA ${name};
      CREATE TABLE ${name}.item (id int PRIMARY KEY, name text, qty int, price numeric(10,2), updated timestamp)`);
    const noPassword = new URL(pgUrl);
    noPassword.password = '';
    const connector = `${name}_${Date.now().toString(36)}`;
    const reg = await run(
      process.execPath,
      [CDC, 'connector', 'register', connector, '--table', `${name}.item`, '--pg-url', noPassword.toString(), '--topic-prefix', name, '--wait'],
      env,
    );
    if (reg.code !== 0) throw new Error(`connector register failed:\n${reg.stderr}`);
    const sql = workload(name, events, keys);
    // 100 statements per transaction: Debezium still writes one event per row change.
    for (let i = 0; i < sql.length; i += 100) await source.query(`BEGIN; ${sql.slice(i, i + 100).join('; ')}; COMMIT`);
    await waitFor('Debezium to write every event', async () => (await records()) >= expectedRecords, options.timeoutMs);
  }

  return {
    topic,
    source,
    admin,
    records,
    async remove(connectUrl, keepConnector = () => false) {
      const connectors = ((await (await fetch(`${connectUrl}/connectors`)).json()) as string[]).filter((c) => c.startsWith(`${name}_`) && !keepConnector(c));
      for (const connector of connectors) {
        await run(process.execPath, [CDC, 'connector', 'delete', connector, '--yes'], env);
        for (let i = 0; i < 20; i++) {
          const { rows } = await source.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [connector]);
          if (rows.length === 0 || !rows[0].active) break;
          await new Promise((r) => setTimeout(r, 500));
        }
        await source.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [connector]);
      }
      for (const { pubname } of (await source.query('SELECT pubname FROM pg_publication WHERE pubname LIKE $1', [`${name}%`])).rows)
        await source.query(`DROP PUBLICATION "${pubname}"`);
      await source.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    },
    async close() {
      await source.end();
      await admin.disconnect();
    },
  };
}
