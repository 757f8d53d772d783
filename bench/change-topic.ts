/**
 * What the sink benchmarks share: a real topic of Debezium change events made from a seeded
 * workload (20 % inserts, 70 % updates, 10 % deletes, each delete followed by its tombstone), so
 * bench/sink-postgres.ts and bench/sink-s3.ts measure their sinks on the same kind of data.
 */
import { spawn } from 'node:child_process';

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
