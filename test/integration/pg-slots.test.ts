/**
 * `cdc pg slots` against the stack's PostgreSQL: a slot of this file's own is listed with the WAL
 * it retains, `pg check` warns about it while inactive, `--drop` asks (refuses without a terminal),
 * refuses an active slot (held by a real pg_recvlogical), drops an inactive one, and reports a
 * missing one as not found.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { main } from '../../commands/main';
import { testContext } from '../helpers/context';
import { describeResult, runCli, type CliResult } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';

const { pgUrl } = stackUrls();
const suffix = `${process.pid}_${Date.now().toString(36)}`;
const slot = `it_slots_${suffix}`;
const activeSlot = `it_slots_active_${suffix}`;
const table = `it_slots_${suffix}`;
let client: Client;
let receiver: ChildProcess | undefined;

function expectExit(result: CliResult, code: number): void {
  if (result.code !== code) throw new Error(`expected exit ${code}, got ${describeResult(result)}`);
}

function slots(...args: string[]): Promise<CliResult> {
  return runCli(['pg', 'slots', '--pg-url', pgUrl, ...args]);
}

async function slotRow(name: string): Promise<{ active: boolean } | undefined> {
  return (await client.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [name])).rows[0];
}

function pgRecvlogical(): string {
  const base = '/usr/lib/postgresql';
  const versions = fs.readdirSync(base).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = path.join(base, version, 'bin', 'pg_recvlogical');
    if (fs.existsSync(bin)) return bin;
  }
  throw new Error(`pg_recvlogical not found under ${base}: install the PostgreSQL client binaries`);
}

beforeAll(async () => {
  client = new Client({ connectionString: pgUrl });
  await client.connect();
  await client.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
  // Some WAL after the slot's restart point, so it retains something measurable.
  await client.query(`CREATE TABLE public."${table}" AS SELECT g AS id, repeat('x', 200) AS pad FROM generate_series(1, 5000) g`);
});

afterAll(async () => {
  receiver?.kill('SIGTERM');
  for (const name of [slot, activeSlot]) {
    for (let i = 0; i < 50 && (await slotRow(name))?.active; i++) await new Promise((r) => setTimeout(r, 100));
    await client.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [name]).catch(() => {});
  }
  await client.query(`DROP TABLE IF EXISTS public."${table}"`);
  await client.end();
});

describe('cdc pg slots', () => {
  it('lists the slot with the WAL it retains, as JSON and as tab-separated rows', async () => {
    // What the slot retains, as PostgreSQL itself computes it just before and just after cdc asks:
    // cdc's figure must lie between (how much WAL the table wrote depends on the server's settings,
    // e.g. wal_compression of its full-page images).
    const retained = async () =>
      Number(
        (await client.query(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint AS n FROM pg_replication_slots WHERE slot_name = $1`, [slot]))
          .rows[0].n,
      );
    const before = await retained();
    const json = await slots('--json');
    const after = await retained();
    expectExit(json, 0);
    const mine = JSON.parse(json.stdout).find((s: { name: string }) => s.name === slot);
    expect(mine).toMatchObject({ name: slot, plugin: 'pgoutput', type: 'logical', database: 'postgres', active: false, activePid: null });
    expect(before).toBeGreaterThan(100_000);
    expect(mine.retainedBytes).toBeGreaterThanOrEqual(before);
    expect(mine.retainedBytes).toBeLessThanOrEqual(after);
    const piped = await slots();
    expectExit(piped, 0);
    const line = piped.stdout.split('\n').find((l) => l.startsWith(`${slot}\t`));
    const cells = (line ?? '').split('\t');
    expect(cells.slice(0, 5)).toEqual([slot, 'pgoutput', 'logical', 'postgres', 'no']);
    // Piped, retained WAL is a plain byte count (it only grows between the two calls).
    expect(Number(cells[5])).toBeGreaterThanOrEqual(mine.retainedBytes);
  });

  it('makes pg check WARN about the inactive slot, with the command that drops it', async () => {
    const result = await runCli(['pg', 'check', '--pg-url', pgUrl, '--json']);
    const item = JSON.parse(result.stdout).items.find((i: { subject?: string }) => i.subject === slot);
    expect(item).toMatchObject({ check: 'replication_slot', status: 'WARN', fix: expect.stringContaining(`cdc pg slots --drop ${slot}`) });
  });

  it('refuses to drop without a terminal to ask on unless --yes', async () => {
    const result = await slots('--drop', slot);
    expectExit(result, 2);
    expect(result.stderr).toMatch(/refusing without a terminal to ask on/);
    expect(result.stderr).toMatch(/pass --yes/);
    expect(await slotRow(slot)).toBeDefined();
  });

  it('asks on a terminal: "n" keeps the slot, "y" drops it', async () => {
    const asked = `${slot}_asked`;
    await client.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [asked]);
    const ask = async (answer: string) => {
      const ctx = { ...testContext({ tty: true }), stdin: Readable.from([`${answer}\n`]), stdinIsTTY: true, env: { CDC_CONFIG: '/nonexistent/cdc.json' } };
      const code = await main(['node', 'cdc', 'pg', 'slots', '--pg-url', pgUrl, '--drop', asked], ctx);
      return { code, err: ctx.err() };
    };
    try {
      const no = await ask('n');
      expect(no.code).toBe(0);
      expect(no.err).toMatch(new RegExp(`Drop replication slot ${asked} \\(inactive, retains .*\\)\\? .*\\[y/N\\]`));
      expect(no.err).toMatch(/Nothing dropped/);
      expect(await slotRow(asked)).toBeDefined();
      const yes = await ask('y');
      expect(yes.code).toBe(0);
      expect(yes.err).toMatch(new RegExp(`dropped replication slot ${asked}`));
      expect(await slotRow(asked)).toBeUndefined();
    } finally {
      await client.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [asked]).catch(() => {});
    }
  });

  it('refuses to drop an active slot', async () => {
    await client.query(`SELECT pg_create_logical_replication_slot($1, 'test_decoding')`, [activeSlot]);
    receiver = spawn(pgRecvlogical(), ['-d', pgUrl, '--slot', activeSlot, '--start', '-f', '/dev/null'], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !(await slotRow(activeSlot))?.active; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await slotRow(activeSlot)).toEqual({ active: true });
    const result = await slots('--drop', activeSlot, '--yes');
    expectExit(result, 1);
    expect(result.stderr).toMatch(new RegExp(`replication slot ${activeSlot} is active`));
    expect(result.stderr).toMatch(/hint: stop the connector/);
    expect(await slotRow(activeSlot)).toEqual({ active: true });
  });

  it('drops an inactive slot with --yes, and a missing one is not found', async () => {
    const result = await slots('--drop', slot, '--yes');
    expectExit(result, 0);
    expect(result.stderr).toMatch(new RegExp(`dropped replication slot ${slot}`));
    expect(await slotRow(slot)).toBeUndefined();
    const again = await slots('--drop', slot, '--yes');
    expectExit(again, 4);
    expect(again.stderr).toMatch(/no replication slot named/);
  });
});
