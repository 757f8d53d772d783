/**
 * No secret is ever printed: every `cdc connector` subcommand, on success and on error, with
 * --verbose, on a TTY and piped, against a worker whose configs, traces and error messages all
 * contain the password.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildProgram, main } from '../../commands/main';
import { testContext } from '../helpers/context';
import { connectScenario, FakeConnect, recorded } from './connect-fake-server';

const SECRET = 'Kn0wn-Pa55word-42';
/** Secrets under keys that look secret but that cdc has never been told about. */
const TOKEN = 'tok-9f8e7d6c5b4a';
const SIGNING_KEY = 'K3y-Val-99-zz';
/** The password again under keys that say nothing (issue 12, item 7). */
const PLANTED = {
  notes: `jdbc:postgresql://db:5432/x?user=u&password=${SECRET}&ssl=true`,
  'x.comment': `rotated from ${SECRET} last week`,
  'custom.auth.token': TOKEN,
  'sink.signing.key': SIGNING_KEY,
  'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'message.key.columns': 'bank.holding:id',
};
const fake = new FakeConnect();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-connector-secrets-'));
beforeAll(() => fake.start());
afterAll(async () => {
  await fake.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const { name: _recordedName, ...recordedConfig } = JSON.parse(recorded('config'));
const config = { ...recordedConfig, ...PLANTED, 'database.password': SECRET, 'database.port': '9', 'snapshot.mode': 'no_data' };
const file = path.join(dir, 'rec-holding.json');
fs.writeFileSync(file, JSON.stringify({ name: 'rec-holding', config }));
const failingFile = path.join(dir, 'rec-failing.json');
fs.writeFileSync(failingFile, JSON.stringify({ name: 'rec-failing', config: { ...config, 'slot.name': 'rec_failing' } }));
const lintFile = path.join(dir, 'lint.json');
fs.writeFileSync(lintFile, JSON.stringify({ name: 'lint', config: { ...config, 'database.server.name': 'x', 'table.whitelist': 'a.b' } }));

type Setup = () => void;
const echo400: Setup = () => fake.on('PUT', /^\/connectors\/[^/]+\/config$/, { status: 400, body: recorded('put-400-invalid').replace('no_such_db', SECRET) });
const echo409: Setup = () =>
  fake.on('PUT', /\/(pause|resume|stop)$/, { status: 409, body: { error_code: 409, message: `Connector rec-holding already exists with password ${SECRET}` } });
const echo500: Setup = () => fake.on('POST', /\/restart/, { status: 500, body: { error_code: 500, message: `boom: database.password=${SECRET}` } });
const unauthorized: Setup = () =>
  fake.on('GET', '/connectors?expand=status&expand=info', { status: 401, body: `User cannot access the resource. (${SECRET})`, contentType: 'text/plain' });

const runs: { args: string[]; setup?: Setup; env?: NodeJS.ProcessEnv; stdin?: string }[] = [
  { args: ['register', file] },
  { args: ['register', file, '--dry-run'] },
  { args: ['register', file, '--dry-run', '--json'] },
  { args: ['register', failingFile, '--wait', '--wait-timeout', '2'] },
  { args: ['register', lintFile] },
  { args: ['register', file], setup: echo400 },
  { args: ['register', '-', '--json'], stdin: JSON.stringify({ name: 'rec-holding', config }) },
  { args: ['register', 'from-flags', '--table', 'rec.holding', '--pg-url', 'postgres://u@127.0.0.1:9/db', '--wait', '--wait-timeout', '1'] },
  { args: ['register', 'from-flags', '--table', 'rec.holding', '--pg-url', `postgres://u:${SECRET}@127.0.0.1:9/db`] },
  { args: ['list'] },
  { args: ['list', '--json'] },
  { args: ['describe', 'rec-holding'] },
  { args: ['describe', 'rec-failing', '--json'] },
  { args: ['status', 'rec-failing'] },
  { args: ['status'] },
  { args: ['status', '--json'] },
  { args: ['status', '--check-db'] },
  { args: ['pause', 'rec-holding'] },
  { args: ['pause', 'rec-holding'], setup: echo409 },
  { args: ['resume', 'rec-failing', '--wait', '--wait-timeout', '1'] },
  { args: ['stop', 'rec-holding'], setup: echo409 },
  { args: ['restart', 'rec-failing', '--include-tasks', '--wait', '--wait-timeout', '1'] },
  { args: ['restart', 'rec-holding'], setup: echo500 },
  { args: ['delete', 'rec-holding'] },
  { args: ['delete', 'rec-holding', '--yes'] },
  { args: ['delete', 'rec-failing', '--yes', '--json', '--drop-slot'] },
  { args: ['validate', file] },
  { args: ['lint', file] },
  { args: ['lint', lintFile, '--fix'] },
  { args: ['lint', '-', '--json'], stdin: JSON.stringify({ name: 'rec-holding', config }) },
  { args: ['register', lintFile, '--fix', '--dry-run'] },
  { args: ['validate', file, '--json'] },
  { args: ['plugins'] },
  { args: ['offsets', 'rec-holding'] },
  {
    args: ['offsets', 'rec-holding', '--reset', '--yes'],
    setup: () => fake.on('GET', '/connectors/rec-holding/status', { status: 200, body: recorded('status-stopped') }),
  },
  { args: ['wait', 'rec-holding', '--wait-timeout', '1'] },
  { args: ['wait', 'rec-failing', '--for', 'snapshot', '--wait-timeout', '1', '--json'] },
  { args: ['list'], setup: unauthorized, env: { CDC_CONNECT_USER: 'alice', CDC_CONNECT_PASSWORD: SECRET } },
  { args: ['list', '--connect-url', `http://alice:${SECRET}@127.0.0.1:9`] },
  { args: ['describe', 'rec-holding', '--connect-url', `http://alice:${SECRET}@127.0.0.1:9`] },
];

describe('no secret in any output of cdc connector', () => {
  it('covers every connector subcommand', () => {
    const program = buildProgram(testContext());
    const group = program.commands.find((c) => c.name() === 'connector')!;
    const covered = new Set(runs.map((r) => r.args[0]));
    expect(group.commands.map((c) => c.name()).filter((n) => !covered.has(n))).toEqual([]);
  });

  for (const tty of [false, true]) {
    it.each(runs.map((r) => [r.args.join(' '), r] as const))(`%s (${tty ? 'TTY' : 'piped'}, --verbose)`, async (_label, run) => {
      fake.reset();
      connectScenario(fake, SECRET, PLANTED);
      run.setup?.();
      const ctx = testContext({
        tty,
        color: tty,
        stdin: run.stdin,
        env: { CDC_CONNECT_URL: fake.url, CDC_CONFIG: path.join(dir, 'none.json'), PGPASSWORD: SECRET, ...run.env },
      });
      const code = await main(['node', 'cdc', '--verbose', 'connector', ...run.args], ctx);
      const output = `exit ${code}\n--- stdout ---\n${ctx.out()}\n--- stderr ---\n${ctx.err()}`;
      if (process.env.SHOW_OUTPUT) process.stdout.write(`\n### ${run.args.join(' ')}\n${output}\n`);
      expect(output).not.toContain(SECRET);
      expect(output).not.toContain(TOKEN);
      expect(output).not.toContain(SIGNING_KEY);
      // A driver's stack trace is never printed, even with --verbose.
      expect(output).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
      // The run did something: printed data or a diagnostic.
      expect(ctx.out().length + ctx.err().length).toBeGreaterThan(0);
    });
  }

  it('masks the password inside other values but keeps non-secret keys readable (describe, describe --json, register --dry-run)', async () => {
    const fresh = path.join(dir, 'rec-new.json');
    fs.writeFileSync(fresh, JSON.stringify({ name: 'rec-new', config: { ...config, 'slot.name': 'rec_new' } }));
    for (const args of [
      ['describe', 'rec-holding'],
      ['describe', 'rec-holding', '--json'],
      ['register', fresh, '--dry-run'],
      ['register', fresh, '--dry-run', '--json'],
    ]) {
      fake.reset();
      connectScenario(fake, SECRET, PLANTED);
      const ctx = testContext({ env: { CDC_CONNECT_URL: fake.url, CDC_CONFIG: path.join(dir, 'none.json') } });
      await main(['node', 'cdc', 'connector', ...args], ctx);
      const out = ctx.out();
      expect(out).toContain('jdbc:postgresql://db:5432/x?user=u&password=********&ssl=true');
      expect(out).toContain('rotated from ******** last week');
      expect(out).toContain('org.apache.kafka.connect.json.JsonConverter');
      expect(out).toContain('bank.holding:id');
      expect(out).not.toMatch(new RegExp(`${SECRET}|${TOKEN}|${SIGNING_KEY}`));
    }
  });

  it('--show-secrets is the one way to see it', async () => {
    fake.reset();
    connectScenario(fake, SECRET);
    const ctx = testContext({ env: { CDC_CONNECT_URL: fake.url, CDC_CONFIG: path.join(dir, 'none.json') } });
    await main(['node', 'cdc', 'connector', 'describe', 'rec-holding', '--show-secrets'], ctx);
    expect(ctx.out()).toContain(`database.password = ${SECRET}`);
    // stdout only: the diagnostics stay masked.
    expect(ctx.err()).not.toContain(SECRET);
  });
});
