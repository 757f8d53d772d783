/**
 * Every example in `cdc connector --help` and in each connector subcommand's `--help` runs as
 * written (issue 13, item 6), with `cdc` on PATH, in a folder holding the files the examples name
 * (holding.json, connectors/, fixtures/connectors/), on a stack of its own (the examples use the
 * tutorial's names: connector holding, table bank.holding, topic prefix dbserver1, which other
 * test files use on the shared stack). Before each example the baseline is restored: bank.holding
 * and bank.orders exist, connectors holding and orders are RUNNING, so that an example that
 * deletes, stops or pauses does not decide the next one's fate.
 *
 * An example whose comment names its exit code (`# … exit 3`) must end with it: the docker compose
 * one cannot reach host 'postgres' here (and must fail on exactly that), `delete` without --yes
 * refuses without a terminal, a lint of the broken file reports its problems.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { freePorts, privateStackFolder } from '../helpers/private-stack';
import { CDC_BIN, runCli } from '../helpers/run-cli';
import { bash } from '../helpers/shell';

jest.setTimeout(900_000);

interface Example {
  help: string;
  line: string;
  /** The example's trailing comment, if any. */
  note: string;
}

/** The lines of a help's Examples section, comments and blank lines left out. */
function examplesOf(help: string, helpText: string): Example[] {
  const lines = helpText.split('\n');
  const start = lines.findIndex((l) => l.trim() === 'Examples:');
  if (start === -1) return [];
  const examples: Example[] = [];
  for (const raw of lines.slice(start + 1)) {
    const text = raw.trim();
    if (text === '') break;
    if (text.startsWith('#')) continue;
    const at = text.search(/\s{2,}#\s/);
    examples.push({
      help,
      line: (at === -1 ? text : text.slice(0, at)).replace(/^\$\s+/, ''),
      note: at === -1 ? '' : text.slice(at).trim().replace(/^#\s*/, ''),
    });
  }
  return examples;
}

describe('the examples of every connector --help, run as written', () => {
  const { dir: stackDir } = privateStackFolder('cdc-help-stack-');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-help-'));
  const cwd = path.join(work, 'project');
  const binDir = path.join(work, 'bin');
  let env: NodeJS.ProcessEnv;
  let connectUrl = '';
  let pgUrl = '';

  const cdc = (args: string[]) => runCli(args, { env, cwd, timeoutMs: 180_000 });

  async function sql(text: string): Promise<void> {
    const client = new Client({ connectionString: pgUrl });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  }

  async function state(name: string): Promise<string | undefined> {
    const response = await fetch(`${connectUrl}/connectors/${name}/status`);
    if (response.status === 404) return undefined;
    const status = (await response.json()) as { connector: { state: string }; tasks: { state: string }[] };
    return status.tasks.every((t) => t.state === 'RUNNING') && status.tasks.length ? status.connector.state : `${status.connector.state}/tasks`;
  }

  /** Whether the replication slot is in use (the task streams; a RUNNING task may still be starting). */
  async function slotActive(slot: string): Promise<boolean> {
    const client = new Client({ connectionString: pgUrl });
    await client.connect();
    try {
      return (await client.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0]?.active === true;
    } finally {
      await client.end();
    }
  }

  /** bank.holding, bank.orders, and connectors holding and orders RUNNING and streaming. */
  async function baseline(): Promise<void> {
    await sql('CREATE TABLE IF NOT EXISTS bank.orders (order_id int PRIMARY KEY, holding_id int)');
    for (const [name, table] of [
      ['holding', 'bank.holding'],
      ['orders', 'bank.orders'],
    ]) {
      const now = await state(name);
      if (now === 'RUNNING') continue;
      if (now === 'PAUSED' || now === 'STOPPED' || now?.endsWith('/tasks')) {
        const resumed = await cdc(['connector', 'resume', name, '--wait', '--wait-timeout', '120']);
        if (resumed.code === 0) continue;
      }
      const made = await cdc(['connector', 'register', name, '--table', table, '--topic-prefix', 'dbserver1', '--wait', '--wait-timeout', '120']);
      if (made.code !== 0) throw new Error(`baseline: cannot register ${name}\n${made.stderr}`);
    }
    const deadline = Date.now() + 120_000;
    for (const slot of ['holding', 'orders']) {
      while (!(await slotActive(slot))) {
        if (Date.now() > deadline) throw new Error(`baseline: slot ${slot} not in use after 120 s`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  beforeAll(async () => {
    fs.chmodSync(stackDir, 0o755); // PostgreSQL runs as the OS user postgres when the tests run as root
    fs.mkdirSync(binDir);
    fs.mkdirSync(path.join(cwd, 'fixtures', 'connectors'), { recursive: true });
    fs.mkdirSync(path.join(cwd, 'connectors'));
    fs.symlinkSync(CDC_BIN, path.join(binDir, 'cdc'));
    const fixtures = path.resolve(__dirname, '../../fixtures/connectors');
    for (const f of ['holding.json', 'legacy-holding.json']) fs.copyFileSync(path.join(fixtures, f), path.join(cwd, 'fixtures', 'connectors', f));
    // The files the examples name in the current folder.
    fs.copyFileSync(path.join(fixtures, 'holding.json'), path.join(cwd, 'holding.json'));
    fs.copyFileSync(path.join(fixtures, 'holding.json'), path.join(cwd, 'connectors', 'holding.json'));
    const [pg, kafka, controller, connect] = await freePorts(4);
    const clean: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!/^(CDC_|PG[A-Z]+$|DATABASE_URL$)/.test(key)) clean[key] = value;
    env = {
      ...clean,
      NO_COLOR: '1',
      HOME: work,
      XDG_CONFIG_HOME: path.join(work, '.config'),
      PATH: `${binDir}${path.delimiter}${process.env.PATH}`,
      CDC_STACK_DIR: stackDir,
      CDC_STACK_PG_PORT: String(pg),
      CDC_STACK_KAFKA_PORT: String(kafka),
      CDC_STACK_CONTROLLER_PORT: String(controller),
      CDC_STACK_CONNECT_PORT: String(connect),
    };
    const up = await runCli(['stack', 'up'], { env, timeoutMs: 300_000 });
    if (up.code !== 0) throw new Error(`stack up failed\n${up.stderr}`);
    connectUrl = `http://127.0.0.1:${connect}`;
    pgUrl = `postgres://postgres:postgres@127.0.0.1:${pg}/postgres`;
    const seeded = await cdc(['seed', 'holdings']);
    if (seeded.code !== 0) throw new Error(`seed failed\n${seeded.stderr}`);
  });

  afterAll(async () => {
    if (env) await runCli(['stack', 'down'], { env, timeoutMs: 60_000 });
    fs.rmSync(stackDir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('runs every example', async () => {
    const root = await cdc(['connector', '--help']);
    const subcommands = [...root.stdout.matchAll(/^ {2}([a-z-]+)(?:\|[a-z]+)? .*$/gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect(subcommands).toEqual(expect.arrayContaining(['register', 'delete', 'lint', 'wait']));
    const examples = examplesOf('connector', root.stdout);
    for (const sub of subcommands) examples.push(...examplesOf(`connector ${sub}`, (await cdc(['connector', sub, '--help'])).stdout));
    expect(examples.length).toBeGreaterThan(30);

    const failures: string[] = [];
    for (const example of examples) {
      const startedAt = Date.now();
      await baseline();
      const ranAt = Date.now();
      const run = await bash(example.line, cwd, env, ['-o', 'pipefail']);
      // Each example's time (and its baseline's), for whoever keeps the suite under its budget.
      process.stderr.write(
        `[example] cdc ${example.help}: ${example.line} (exit ${run.code}, ${((Date.now() - ranAt) / 1000).toFixed(1)} s, baseline ${((ranAt - startedAt) / 1000).toFixed(1)} s)\n`,
      );
      const expected = Number(/exit (\d+)/.exec(example.note)?.[1] ?? 0);
      const why = /docker compose/.test(example.note) ? /database\.hostname/ : /asks first/.test(example.note) ? /pass --yes/ : undefined;
      if (run.code !== expected || (why && !why.test(run.output))) {
        failures.push(
          `[cdc ${example.help} --help] ${example.line}\n  expected exit ${expected}, got ${run.code}\n${run.output
            .split('\n')
            .map((l) => `    ${l}`)
            .join('\n')}`,
        );
      }
    }
    expect(failures.join('\n\n')).toBe('');
  });
});
