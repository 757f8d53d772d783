/**
 * `--wait-timeout` holds when the real Kafka Connect worker stops answering in the middle of a
 * wait (issue 12, item 9): the worker's JVM is stopped with SIGSTOP while `register --wait` polls
 * its status, and the command must end within its wait budget, not after the 60 s request timeout.
 * The worker is stopped for a few seconds only (below its group session timeout), and always
 * continued in `finally`: the other test files share it.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveStackSettings } from '../../src/stack/settings';
import { stackLayout } from '../../src/stack/layout';
import { readState } from '../../src/stack/state';
import { CDC_BIN } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';

const urls = stackUrls();
const pg = new URL(urls.pgUrl);
const suffix = `${process.pid.toString(36)}${Date.now().toString(36).slice(-5)}`;
const name = `cit-wait-${suffix}`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-connector-wait-'));

function connectPid(): number {
  const state = readState(stackLayout(resolveStackSettings({}, process.env).dir));
  const pid = state?.pids.connect;
  if (!pid || state?.urls.connectUrl !== urls.connectUrl)
    throw new Error(`no Kafka Connect pid for ${urls.connectUrl} in the stack state (${JSON.stringify(state?.pids)})`);
  return pid;
}

const config = {
  'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
  'plugin.name': 'pgoutput',
  'database.hostname': pg.hostname,
  'database.port': pg.port,
  'database.user': 'postgres',
  'database.password': '${env:PGPASSWORD}',
  'database.dbname': pg.pathname.slice(1) || 'postgres',
  'topic.prefix': name,
  'slot.name': name.replace(/-/g, '_'),
  'publication.name': `${name.replace(/-/g, '_')}_pub`,
  'publication.autocreate.mode': 'filtered',
  'table.include.list': 'public\\.no_such_table',
};

afterAll(async () => {
  await fetch(`${urls.connectUrl}/connectors/${name}`, { method: 'DELETE' }).catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

it('register --wait --wait-timeout 6 ends within its budget while the worker is stopped (SIGSTOP)', async () => {
  // A PAUSED connector (Connect ≥ 3.7): an update keeps it PAUSED, so the wait keeps polling.
  const created = await fetch(`${urls.connectUrl}/connectors`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, config, initial_state: 'PAUSED' }),
  });
  expect(created.status).toBe(201);
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ name, config: { ...config, 'snapshot.mode': 'no_data' } }));

  const result = await runStoppingWorker(['connector', 'register', file, '--wait', '--wait-timeout', '6', '--timeout', '60'], /updated/);
  expect({ report: result.report, exit: result.exit }).toMatchObject({ exit: 5 });
  expect(result.stderr).toMatch(new RegExp(`connector '${name}' not RUNNING after 6 s: Kafka Connect at .* stopped answering`));
  // Within the 6 s of the wait, far from --timeout's 60 s (a bound with room for a loaded machine,
  // not a speed measurement: without the fix the command ends 60 s after the stop).
  expect({ report: result.report, withinBudget: result.sinceStop < 6_000 + 9_000 }).toMatchObject({ withinBudget: true });
}, 90_000);

it('connector wait --for snapshot --wait-timeout 6 ends within its budget while the worker is stopped (SIGSTOP)', async () => {
  // The PAUSED connector of the test above never snapshots: the wait polls until stopped.
  const result = await runStoppingWorker(
    ['--verbose', 'connector', 'wait', name, '--for', 'snapshot', '--wait-timeout', '6', '--timeout', '60'],
    /GET \/connectors\/[^/]+\/status/,
  );
  expect({ report: result.report, exit: result.exit }).toMatchObject({ exit: 5 });
  expect(result.stderr).toMatch(new RegExp(`connector '${name}' not through its snapshot after 6 s: Kafka Connect at .* did not answer`));
  expect({ report: result.report, withinBudget: result.sinceStop < 6_000 + 9_000 }).toMatchObject({ withinBudget: true });
}, 90_000);

/**
 * Runs cdc, stops the worker with SIGSTOP as soon as stderr matches `when`, and continues it once
 * cdc has ended (always, also on failure) and the worker answers again.
 */
async function runStoppingWorker(args: string[], when: RegExp): Promise<{ exit: number | null; stderr: string; sinceStop: number; report: string }> {
  const pid = connectPid();
  let stoppedAt = 0;
  const started = Date.now();
  const child = spawn(process.execPath, [CDC_BIN, ...args], {
    env: { ...process.env, NO_COLOR: '1', CDC_CONNECT_URL: urls.connectUrl, CDC_CONFIG: path.join(dir, 'none.json'), PGPASSWORD: 'postgres' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  try {
    const exit = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        if (!stoppedAt && when.test(stderr)) {
          process.kill(pid, 'SIGSTOP');
          stoppedAt = Date.now();
        }
      });
      const guard = setTimeout(() => child.kill('SIGKILL'), 70_000);
      child.on('close', (code) => {
        clearTimeout(guard);
        resolve(code);
      });
    });
    const ended = Date.now();
    const report = `cdc ${args.join(' ')}: exit ${exit} after ${ended - started} ms (worker stopped ${stoppedAt ? `${ended - stoppedAt} ms before the end` : 'never'})\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
    if (!stoppedAt) throw new Error(`the worker was never stopped: ${report}`);
    return { exit, stderr, sinceStop: ended - stoppedAt, report };
  } finally {
    process.kill(pid, 'SIGCONT');
    // Waits for the worker to answer again; a worker that does not is reported by the next test.
    const deadline = Date.now() + 30_000;
    while (
      Date.now() < deadline &&
      !(await fetch(`${urls.connectUrl}/`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
