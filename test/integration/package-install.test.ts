/**
 * cdc installed like any CLI: `npm pack` of a copy of the project (its prepack builds dist/), the
 * tarball installed globally into a temporary prefix (offline from npm's cache when it holds every
 * dependency, as after `npm ci`; else preferring the cache), then the installed binary run from
 * another folder: --help, parse on a fixture (the same rows as the checkout's build), and
 * stack status, which must name its folder in the user's state directory and write nothing into
 * the install folder.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePorts } from '../helpers/private-stack';
import { runCli } from '../helpers/run-cli';

const repo = path.resolve(__dirname, '../..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

function ok(what: string, result: Run): Run {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  return result;
}

/** Every file under `dir` (relative), leaving out node_modules. */
function listFiles(dir: string, base = dir): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.name === 'node_modules') return [];
      return entry.isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
    })
    .sort();
}

/** The parse rows with the processing time (the one ISO time with a Z) blanked. */
function withoutNow(text: string): string {
  return text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<now>');
}

describe('npm pack and a global install', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-pack-it-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('the tarball ships a working CLI that runs from any folder and keeps its stack in the state folder', async () => {
    // A copy of the project as git knows it (committed, changed and new files), sharing node_modules:
    // packing here rebuilds dist/ without touching the checkout's, which other tests are running.
    const copy = path.join(tmp, 'copy');
    const files = ok('git ls-files', await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo }))
      .stdout.split('\0')
      .filter((f) => f !== '' && f !== 'node_modules' && fs.existsSync(path.join(repo, f)) && !fs.statSync(path.join(repo, f)).isDirectory());
    for (const file of files) {
      fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
      fs.copyFileSync(path.join(repo, file), path.join(copy, file));
    }
    fs.symlinkSync(fs.realpathSync(path.join(repo, 'node_modules')), path.join(copy, 'node_modules'));
    expect(fs.existsSync(path.join(copy, 'dist'))).toBe(false);

    ok('npm pack', await run('npm', ['pack', '--pack-destination', tmp], { cwd: copy, timeoutMs: 300_000 }));
    const tarball = path.join(
      tmp,
      fs.readdirSync(tmp).find((f) => /^cdc-.*\.tgz$/.test(f))!,
    );
    const listing = ok('tar', await run('tar', ['-tzf', tarball], { cwd: tmp }))
      .stdout.split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ''));
    for (const needed of [
      'bin/cdc.js',
      'dist/bundle/cdc.js',
      'dist/bundle/program.js',
      'dist/bundle/program.js.cache',
      'dist/bundle/groups.js',
      'dist/bundle/worker.js',
      'stack/pom.xml',
      'stack/mongo/CdcMongoServer.java',
      'stack/s3proxy/pom.xml',
      'fixtures/customers.csv',
      'package.json',
    ]) {
      expect({ needed, shipped: listing.includes(needed) }).toEqual({ needed, shipped: true });
    }
    // Only what runs: no tests, benches, TypeScript sources, configs of the tools, nor tsc's
    // module-by-module output (the bundles of dist/bundle/ hold the code).
    expect(listing.filter((f) => /^(test|bench|src|commands|scripts|docs)\/|^dist\/(?!bundle\/)|^jest\.|^tsconfig|\.ts$/.test(f))).toEqual([]);

    // Offline from npm's cache when it holds every dependency (CI, after npm ci); else the cache first.
    const prefix = path.join(tmp, 'prefix');
    const install = (mode: string): Promise<Run> =>
      run('npm', ['install', '-g', '--prefix', prefix, mode, '--no-audit', '--no-fund', tarball], { cwd: tmp, timeoutMs: 300_000 });
    let installed = await install('--offline');
    if (installed.code !== 0 && /ENOTCACHED/.test(installed.stderr)) {
      process.stderr.write('[package-install] npm cache incomplete: installing with --prefer-offline\n');
      installed = await install('--prefer-offline');
    }
    ok('npm install -g', installed);
    const cdc = path.join(prefix, 'bin', 'cdc');
    const installFolder = path.join(prefix, 'lib', 'node_modules', 'cdc');
    const before = listFiles(installFolder);

    const elsewhere = path.join(tmp, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.copyFileSync(path.join(repo, 'fixtures', 'holding-events.jsonl'), path.join(elsewhere, 'events.jsonl'));
    const [pg, kafka, controller, connect] = await freePorts(4);
    const env = {
      HOME: path.join(tmp, 'home'),
      XDG_STATE_HOME: path.join(tmp, 'state'),
      CDC_STACK_DIR: '',
      CDC_STACK_WITH: '',
      CDC_STACK_PG_PORT: String(pg),
      CDC_STACK_KAFKA_PORT: String(kafka),
      CDC_STACK_CONTROLLER_PORT: String(controller),
      CDC_STACK_CONNECT_PORT: String(connect),
    };

    const help = ok('cdc --help', await run(cdc, ['--help'], { cwd: elsewhere, env }));
    expect(help.stdout).toContain('Usage: cdc');
    for (const command of ['parse', 'watch', 'connector', 'stack']) expect(help.stdout).toContain(command);

    const parsed = ok('cdc parse', await run(cdc, ['parse', 'events.jsonl'], { cwd: elsewhere, env }));
    const reference = await runCli(['parse', path.join(elsewhere, 'events.jsonl')]);
    expect(reference.code).toBe(0);
    expect(parsed.stdout.length).toBeGreaterThan(0);
    expect(withoutNow(parsed.stdout)).toBe(withoutNow(reference.stdout));

    // Nothing runs at those ports: status says so (exit 1) and where the stack would live.
    const status = await run(cdc, ['stack', 'status'], { cwd: elsewhere, env });
    const stackDir = path.join(tmp, 'state', 'cdc', 'stack');
    expect({ code: status.code, stderr: status.stderr }).toEqual({ code: 1, stderr: expect.stringContaining(`stack stopped (${stackDir})`) });
    expect(listFiles(installFolder)).toEqual(before);
    expect(fs.existsSync(path.join(installFolder, '.stack'))).toBe(false);
  }, 900_000);
});
