import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../commands/main';
import { ExitCode } from '../../src/errors';
import { testContext, type TestContext } from '../helpers/context';
import { connectScenario, FakeConnect, PG_CONNECTOR, recorded } from './connect-fake-server';

const fake = new FakeConnect();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-connector-cmd-'));
beforeAll(() => fake.start());
afterAll(async () => {
  await fake.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fake.reset();
  connectScenario(fake, 'Cmd-Test-Pw-1');
});

async function cdc(
  args: string[],
  options: { tty?: boolean; stdin?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; ctx: TestContext; all: string }> {
  const ctx = testContext({
    tty: options.tty,
    stdin: options.stdin,
    // DATABASE_URL on a closed port: a Postgres on this machine's localhost:5432 never answers for a connector.
    env: { CDC_CONNECT_URL: fake.url, CDC_CONFIG: path.join(dir, 'none.json'), DATABASE_URL: 'postgres://u@127.0.0.1:9/x', ...options.env },
  });
  const code = await main(['node', 'cdc', ...args], ctx);
  return { code, ctx, all: `exit ${code}\n--- stdout ---\n${ctx.out()}\n--- stderr ---\n${ctx.err()}` };
}

function writeSpec(name: string, config: Record<string, string>): string {
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ name, config }));
  return file;
}

const goodConfig = {
  'connector.class': PG_CONNECTOR,
  'plugin.name': 'pgoutput',
  'database.hostname': '127.0.0.1',
  'database.port': '15432',
  'database.user': 'u',
  'database.dbname': 'postgres',
  'database.password': '${env:PGPASSWORD}',
  'topic.prefix': 'new',
  'slot.name': 'new_conn',
  'publication.name': 'new_conn_pub',
  'publication.autocreate.mode': 'filtered',
  'table.include.list': 'rec\\.holding',
};

describe('cdc connector list', () => {
  it('prints TSV rows when piped, with the task roll-up, in one request', async () => {
    const r = await cdc(['connector', 'list']);
    expect(r.code).toBe(0);
    expect(r.ctx.out()).toBe('rec-failing\tsource\tRUNNING\t0/1 (FAILED)\nrec-holding\tsource\tRUNNING\t1/1\n');
    expect(fake.requests.map((q) => q.url)).toEqual(['/connectors?expand=status&expand=info']);
  });

  it('prints a table with a header on a TTY, and a JSON contract with --json', async () => {
    const tty = await cdc(['connector', 'list'], { tty: true });
    expect(tty.ctx.out()).toMatch(/NAME.*TYPE.*STATE.*TASKS/);
    const json = await cdc(['connector', 'list', '--json']);
    expect(JSON.parse(json.ctx.out())).toEqual([
      { name: 'rec-failing', type: 'source', class: PG_CONNECTOR, state: 'RUNNING', health: 'FAILED', tasks: [{ id: 0, state: 'FAILED' }] },
      { name: 'rec-holding', type: 'source', class: PG_CONNECTOR, state: 'RUNNING', health: 'RUNNING', tasks: [{ id: 0, state: 'RUNNING' }] },
    ]);
  });
});

describe('cdc connector status / describe', () => {
  it('exits 0 when RUNNING, 6 when a task FAILED (with the root cause), 4 when missing', async () => {
    const ok = await cdc(['connector', 'status', 'rec-holding']);
    expect(ok.code).toBe(ExitCode.OK);
    expect(ok.ctx.out()).toBe('rec-holding\tRUNNING\tRUNNING\t1/1\t\n');
    const failed = await cdc(['connector', 'status', 'rec-failing', '--json']);
    expect(failed.code).toBe(ExitCode.FAILED);
    const [summary] = JSON.parse(failed.ctx.out());
    expect(summary).toMatchObject({ name: 'rec-failing', health: 'FAILED', state: 'RUNNING' });
    expect(summary.tasks[0].rootCause).toBe('PSQLException: FATAL: password "********" is not accepted here');
    const missing = await cdc(['connector', 'status', 'rec-missing']);
    expect(missing.code).toBe(ExitCode.NOT_FOUND);
    expect(missing.ctx.err()).toContain('not found');
  });

  it('exits 5 when degraded (paused)', async () => {
    fake.on('GET', '/connectors/rec-holding/status', { status: 200, body: recorded('status-paused') });
    const r = await cdc(['connector', 'status', 'rec-holding']);
    expect(r.code).toBe(ExitCode.DEGRADED);
  });

  it("--check-db turns RUNNING into DEGRADED when the connector's own database settings fail", async () => {
    const r = await cdc(['connector', 'status', 'rec-holding', '--check-db', '--json']);
    expect(r.code).toBe(ExitCode.DEGRADED);
    const [summary] = JSON.parse(r.ctx.out());
    expect(summary).toMatchObject({ name: 'rec-holding', health: 'DEGRADED', state: 'RUNNING', database: { checked: true, slot: null } });
    expect(summary.database.problem).toContain(
      "the connector's own database settings fail: cannot reach PostgreSQL at postgres://cdc_rec_user@127.0.0.1:9/postgres: connection refused",
    );
  });

  it('status without names covers every connector and exits with the worst', async () => {
    const r = await cdc(['connector', 'status']);
    expect(r.code).toBe(ExitCode.FAILED);
    expect(
      r.ctx
        .out()
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t').slice(0, 2).join(' ')),
    ).toEqual(['rec-failing FAILED', 'rec-holding RUNNING']);
  });

  it('describe masks passwords unless --show-secrets', async () => {
    const masked = await cdc(['connector', 'describe', 'rec-holding']);
    expect(masked.code).toBe(0);
    expect(masked.ctx.out()).toContain('database.password = ********');
    expect(masked.ctx.out()).not.toContain('Cmd-Test-Pw-1');
    const json = await cdc(['connector', 'describe', 'rec-holding', '--json']);
    expect(JSON.parse(json.ctx.out()).config['database.password']).toBe('********');
    const shown = await cdc(['connector', 'describe', 'rec-holding', '--show-secrets']);
    expect(shown.ctx.out()).toContain('database.password = Cmd-Test-Pw-1');
  });
});

describe('cdc connector register', () => {
  it('refuses lint errors before sending anything, naming the replacement', async () => {
    const file = writeSpec('legacy', { ...goodConfig, 'database.server.name': 'x', 'plugin.name': '' });
    const r = await cdc(['connector', 'register', file]);
    expect(r.code).toBe(ExitCode.INVALID_INPUT);
    expect(r.ctx.err()).toContain('database.server.name is ignored');
    // topic.prefix is set beside it: that is what Debezium reads, the legacy key just goes.
    expect(r.ctx.err()).toContain('use: remove database.server.name (topic.prefix is set)');
    expect(r.ctx.err()).toContain('use: plugin.name=pgoutput');
    expect(r.ctx.err()).toContain('--fix does it');
    expect(fake.requests.filter((q) => q.method !== 'GET')).toEqual([]);
  });

  it('--fix applies the replacements, says which on stderr, and registers the upgraded config', async () => {
    const { 'topic.prefix': _p, 'table.include.list': _t, ...old } = goodConfig;
    const file = writeSpec('legacy-fix', { ...old, 'database.server.name': 'legacy', 'table.whitelist': 'rec.holding', 'plugin.name': 'decoderbufs' });
    const r = await cdc(['connector', 'register', file, '--fix']);
    expect({ code: r.code, all: r.all }).toMatchObject({ code: 0 });
    expect(r.ctx.err()).toContain('fixed: legacy-fix: database.server.name → topic.prefix=legacy [legacy-key]');
    expect(r.ctx.err()).toContain('fixed: legacy-fix: table.whitelist → table.include.list=rec\\.holding [legacy-key]');
    expect(r.ctx.err()).toContain('fixed: legacy-fix: plugin.name=pgoutput [plugin-name]');
    const body = JSON.parse(fake.requests.find((q) => q.method === 'PUT' && q.url === '/connectors/legacy-fix/config')!.body);
    expect(body).toMatchObject({ 'topic.prefix': 'legacy', 'table.include.list': 'rec\\.holding', 'plugin.name': 'pgoutput' });
    expect(body['database.server.name']).toBeUndefined();
    expect(body['table.whitelist']).toBeUndefined();
  });

  it('upserts from a file with PUT /config and reports created', async () => {
    const r = await cdc(['connector', 'register', writeSpec('new-conn', goodConfig)]);
    expect(r.code).toBe(0);
    expect(r.ctx.err()).toContain('created new-conn');
    const put = fake.requests.find((q) => q.method === 'PUT')!;
    expect(put.url).toBe('/connectors/new-conn/config');
    expect(JSON.parse(put.body)).toEqual({ ...goodConfig, name: 'new-conn' });
  });

  it('reads stdin and directories', async () => {
    const viaStdin = await cdc(['connector', 'register', '-', '--json'], { stdin: JSON.stringify({ name: 'from-stdin', config: goodConfig }) });
    expect(JSON.parse(viaStdin.ctx.out())).toEqual([{ name: 'from-stdin', action: 'created', changedKeys: expect.any(Array), health: null }]);
    const sub = path.join(dir, 'many');
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, 'a.json'), JSON.stringify({ ...goodConfig, 'slot.name': 'a', 'publication.name': 'a_pub' }));
    fs.writeFileSync(path.join(sub, 'b.json'), JSON.stringify({ ...goodConfig, 'slot.name': 'b', 'publication.name': 'b_pub' }));
    const viaDir = await cdc(['connector', 'register', sub]);
    expect(viaDir.code).toBe(0);
    expect(fake.requests.filter((q) => q.method === 'PUT').map((q) => q.url)).toEqual([
      '/connectors/from-stdin/config',
      '/connectors/a/config',
      '/connectors/b/config',
    ]);
  });

  it('--dry-run validates on the server and prints a masked diff, writing nothing', async () => {
    const file = writeSpec('rec-holding', {
      ...JSON.parse(recorded('config')),
      'database.port': '9',
      'database.password': 'Changed-Pw-2',
      'snapshot.mode': 'no_data',
      name: 'rec-holding',
    });
    fake.on('PUT', `/connector-plugins/${PG_CONNECTOR}/config/validate`, { status: 200, body: { name: PG_CONNECTOR, error_count: 0, configs: [] } });
    const r = await cdc(['connector', 'register', file, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.ctx.out()).toBe('~ rec-holding (2 keys change)\n  ~ database.password: ******** → ********\n  + snapshot.mode: no_data\n');
    expect(r.all).not.toContain('Changed-Pw-2');
    expect(fake.requests.some((q) => q.method === 'PUT' && q.url.startsWith('/connectors/'))).toBe(false);
  });

  it('--dry-run shows validation errors field by field and exits 3', async () => {
    const r = await cdc(['connector', 'register', writeSpec('new-conn', goodConfig), '--dry-run']);
    expect(r.code).toBe(ExitCode.INVALID_INPUT);
    expect(r.ctx.err()).toContain('database.hostname: Error while validating connector config');
  });

  it('--wait fails with the task root cause and exit 6', async () => {
    const file = writeSpec('rec-failing', { ...goodConfig, 'slot.name': 'rec_failing' });
    fake.on('GET', '/connectors/rec-failing/config', { status: 404, body: recorded('get-404') });
    const r = await cdc(['connector', 'register', file, '--wait', '--wait-timeout', '5']);
    expect(r.code).toBe(ExitCode.FAILED);
    expect(r.ctx.err()).toContain("connector 'rec-failing' FAILED (task 0): PSQLException");
  });

  it('--wait gives up after --wait-timeout with the states it saw, exit 5', async () => {
    fake.on('GET', '/connectors/new-conn/status', { status: 200, body: recorded('status-paused').split('rec-holding').join('new-conn') });
    const r = await cdc(['connector', 'register', writeSpec('new-conn', goodConfig), '--wait', '--wait-timeout', '1']);
    expect(r.code).toBe(ExitCode.DEGRADED);
    expect(r.ctx.err()).toContain("connector 'new-conn' not RUNNING after 1 s (connector PAUSED, tasks 0:PAUSED)");
  });

  it('from flags: builds the safe config with the password as ${env:PGPASSWORD} when the worker resolves it', async () => {
    fake.on('PUT', `/connector-plugins/${PG_CONNECTOR}/config/validate`, { status: 200, body: recorded('validate-ok') });
    const r = await cdc(['connector', 'register', 'flags-conn', '--table', 'bank.holding', '--pg-url', 'postgres://app@db:5432/bank', '--json'], {
      env: { PGPASSWORD: 'Flag-Env-Pw' },
    });
    expect(r.code).toBe(0);
    const probe = JSON.parse(fake.requests.find((q) => q.url.endsWith('/config/validate'))!.body);
    expect(probe['database.password']).toBe('${env:PGPASSWORD}');
    const body = JSON.parse(fake.requests.find((q) => q.method === 'PUT' && q.url === '/connectors/flags-conn/config')!.body);
    expect(body).toMatchObject({
      'plugin.name': 'pgoutput',
      'slot.name': 'flags_conn',
      'publication.autocreate.mode': 'filtered',
      'database.password': '${env:PGPASSWORD}',
    });
    expect(r.ctx.err()).toContain('flags-conn: database.password=${env:PGPASSWORD}, resolved by the worker (no password stored in clear text)');
    expect(r.ctx.err()).not.toContain('plaintext-password');
    expect(r.all).not.toContain('Flag-Env-Pw');
  });

  it('from flags: stores the password from PGPASSWORD, with a warning, when the worker cannot resolve the placeholder', async () => {
    fake.on('PUT', `/connector-plugins/${PG_CONNECTOR}/config/validate`, { status: 200, body: recorded('validate-password-failed') });
    const r = await cdc(['connector', 'register', 'flags-conn', '--table', 'bank.holding', '--pg-url', 'postgres://app@db:5432/bank', '--json'], {
      env: { PGPASSWORD: 'Flag-Env-Pw' },
    });
    expect(r.code).toBe(0);
    const body = JSON.parse(fake.requests.find((q) => q.method === 'PUT' && q.url === '/connectors/flags-conn/config')!.body);
    expect(body['database.password']).toBe('Flag-Env-Pw');
    expect(r.ctx.err()).toContain('flags-conn: ${env:PGPASSWORD} does not log in from this worker');
    expect(r.ctx.err()).toContain('storing the password from PGPASSWORD instead');
    expect(r.ctx.err()).toContain('plaintext-password');
    expect(r.all).not.toContain('Flag-Env-Pw');
  });

  it('from flags: --password-env stores that variable without asking the worker', async () => {
    const r = await cdc(
      ['connector', 'register', 'flags-conn', '--table', 'bank.holding', '--pg-url', 'postgres://app@db:5432/bank', '--password-env', 'APP_PW'],
      { env: { APP_PW: 'App-Env-Pw' } },
    );
    expect(r.code).toBe(0);
    expect(fake.requests.some((q) => q.url.endsWith('/config/validate'))).toBe(false);
    expect(JSON.parse(fake.requests.find((q) => q.method === 'PUT')!.body)['database.password']).toBe('App-Env-Pw');
    expect(r.all).not.toContain('App-Env-Pw');
  });
});

describe('other subcommands', () => {
  it('validate prints field errors on stdout and exits 3', async () => {
    const r = await cdc(['connector', 'validate', writeSpec('new-conn', goodConfig)]);
    expect(r.code).toBe(ExitCode.INVALID_INPUT);
    expect(r.ctx.out()).toContain('new-conn');
    expect(r.ctx.out()).toContain('invalid');
    expect(r.ctx.out()).toContain('database.hostname:');
  });

  it('delete refuses without a TTY unless --yes, then reports what is left behind', async () => {
    const refused = await cdc(['connector', 'delete', 'rec-holding']);
    expect(refused.code).toBe(ExitCode.USAGE);
    expect(fake.requests.some((q) => q.method === 'DELETE')).toBe(false);
    // The connector's database is unreachable here (port 9): the report says what to check instead.
    const done = await cdc(['connector', 'delete', 'rec-holding', '--yes', '--json']);
    expect(done.code).toBe(0);
    const report = JSON.parse(done.ctx.out());
    expect(report).toMatchObject({
      name: 'rec-holding',
      storedOffsets: 1,
      postgres: { database: '127.0.0.1:9/postgres', checked: false, slot: { name: 'rec_holding' }, publication: { name: 'rec_holding_pub' } },
    });
    expect(report.postgres.reason).toMatch(/^cannot reach PostgreSQL at postgres:\/\/[^@]+@127\.0\.0\.1:9\/postgres: connection refused/);
    const human = await cdc(['connector', 'delete', 'rec-holding', '--yes']);
    expect(human.ctx.err()).toContain("stored offsets (1 source partition) stay in the worker's offsets topic");
    expect(human.ctx.err()).toContain("SELECT slot_name, active FROM pg_replication_slots WHERE slot_name = 'rec_holding'");
  });

  it('delete of a connector that does not exist says not found (4) without asking first', async () => {
    for (const tty of [false, true]) {
      const r = await cdc(['connector', 'delete', 'rec-missing'], { tty });
      expect({ code: r.code, all: r.all }).toMatchObject({ code: ExitCode.NOT_FOUND });
      expect(r.ctx.err()).toContain("connector 'rec-missing' not found");
      expect(r.ctx.err()).not.toMatch(/Delete connector|refusing/);
    }
    expect(fake.requests.some((q) => q.method === 'DELETE')).toBe(false);
  });

  it('--wait-timeout holds when the worker stops answering mid-wait, whatever --timeout is (issue 12 item 9)', async () => {
    for (const args of [
      ['resume', 'rec-holding'],
      ['restart', 'rec-holding'],
    ]) {
      // The first status answers (restart's look before restarting, then the wait's first poll);
      // then the worker answers no more: --timeout alone would wait 60 s.
      const paused = { status: 200, body: recorded('status-paused') };
      fake.on('GET', '/connectors/rec-holding/status', paused, paused, { ...paused, delayMs: 20_000 });
      const started = Date.now();
      const r = await cdc(['connector', ...args, '--wait', '--wait-timeout', '2.5', '--timeout', '60']);
      const elapsed = Date.now() - started;
      expect({ code: r.code, all: r.all }).toMatchObject({ code: ExitCode.DEGRADED });
      expect(r.ctx.err()).toMatch(/not RUNNING after 2.5 s: Kafka Connect at .* stopped answering \(GET \/connectors\/rec-holding\/status had no answer\)/);
      expect(elapsed).toBeLessThan(5_000);
    }
  }, 20_000);

  it('pause, resume, stop and restart send one request each', async () => {
    for (const verb of ['pause', 'resume', 'stop']) expect((await cdc(['connector', verb, 'rec-holding'])).code).toBe(0);
    expect((await cdc(['connector', 'restart', 'rec-holding', '--include-tasks', '--failed-only'])).code).toBe(0);
    expect(fake.requests.filter((q) => q.method !== 'GET').map((q) => `${q.method} ${q.url}`)).toEqual([
      'PUT /connectors/rec-holding/pause',
      'PUT /connectors/rec-holding/resume',
      'PUT /connectors/rec-holding/stop',
      'POST /connectors/rec-holding/restart?includeTasks=true&onlyFailed=true',
    ]);
  });

  it('restart --wait reads the status before the restart and does not stop at the old RUNNING', async () => {
    const running = JSON.parse(recorded('status-running'));
    const state = (connector: string, task: string) => ({
      ...running,
      connector: { ...running.connector, state: connector },
      tasks: [{ ...running.tasks[0], state: task }],
    });
    fake.on('POST', /^\/connectors\/rec-holding\/restart/, { status: 202, body: recorded('restart-202') });
    fake.on(
      'GET',
      '/connectors/rec-holding/status',
      { status: 200, body: running }, // before the restart
      { status: 200, body: running }, // the worker has not got to it yet
      { status: 200, body: state('RESTARTING', 'RUNNING') },
      { status: 200, body: state('RUNNING', 'RESTARTING') },
      { status: 200, body: running },
    );
    const r = await cdc(['connector', 'restart', 'rec-holding', '--include-tasks', '--wait']);
    expect(r.code).toBe(0);
    expect(r.ctx.err()).toContain('rec-holding RUNNING (1/1 tasks)');
    const seen = fake.requests.map((q) => `${q.method} ${q.url}`).filter((q) => q.includes('/rec-holding/'));
    expect(seen).toEqual([
      'GET /connectors/rec-holding/status',
      'POST /connectors/rec-holding/restart?includeTasks=true&onlyFailed=false',
      ...Array(4).fill('GET /connectors/rec-holding/status'),
    ]);
  });

  it('plugins lists the installed plugins', async () => {
    const r = await cdc(['connector', 'plugins']);
    expect(r.ctx.out()).toBe(`${PG_CONNECTOR}\tsource\t3.4.3.Final\n`);
  });

  it('offsets shows stored offsets; --reset needs --yes off a TTY', async () => {
    const r = await cdc(['connector', 'offsets', 'rec-holding', '--json']);
    expect(JSON.parse(r.ctx.out())).toEqual({ name: 'rec-holding', offsets: JSON.parse(recorded('offsets')).offsets });
    const table = await cdc(['connector', 'offsets', 'rec-holding']);
    expect(table.ctx.out()).toBe('{"server":"rec"}\t{"lsn_proc":26769264,"messageType":"INSERT","lsn":26769264,"txId":765,"ts_usec":1795317684383211}\n');
    expect((await cdc(['connector', 'offsets', 'rec-holding', '--reset'])).code).toBe(ExitCode.USAGE);
  });

  it('says the stack is not running when nothing listens', async () => {
    const r = await cdc(['connector', 'list'], { env: { CDC_CONNECT_URL: 'http://127.0.0.1:9' } });
    expect(r.code).toBe(ExitCode.RUNTIME);
    expect(r.ctx.err()).toContain('cannot reach Kafka Connect at http://127.0.0.1:9 — is the stack running?');
    expect(r.ctx.err()).toContain('hint:');
  });
});
