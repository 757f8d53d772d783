/**
 * Start-up stays lazy (issue 14): `cdc --help`, `cdc --version` and `cdc parse` of a small file
 * load no module they do not need — no command group but their own, none of the service clients
 * (kafkajs, pg, the AWS SDK, fastify, parquet, mongodb), no chalk without colour, no CSV writer for
 * text output, no worker threads for a small file, not even Node's child_process. Runs the BUILT
 * binary (run `npm run build` first) with a preload that lists, at exit, every module it ran: the
 * files Node loaded (the bundles of dist/bundle/, packages from node_modules), each module inside
 * a bundle that was evaluated (scripts/bundle.ts makes each report its first run to
 * `Symbol.for('cdc.moduleLoaded')`, as `commands/parse.ts` or `node_modules/commander/index.js`),
 * and every Node built-in.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../helpers/run-cli';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURE = path.join(ROOT, 'fixtures/holding-events.jsonl');

let tmp: string;
let preload: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-lazy-'));
  preload = path.join(tmp, 'list-modules.js');
  fs.writeFileSync(
    preload,
    `const bundled = [];
    globalThis[Symbol.for('cdc.moduleLoaded')] = (name) => bundled.push(name);
    process.on('exit', () => {
      const files = [...Object.keys(require.cache), ...bundled.map((name) => require('path').join(${JSON.stringify(ROOT)}, name))];
      const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
      require('fs').writeFileSync(process.env.CDC_TEST_MODULES, JSON.stringify({ files, builtins }));
    });\n`,
  );
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The modules a run of `cdc …args` ran: package names, files (bundles, or sources inside them) and Node built-ins. */
async function loaded(...args: string[]): Promise<{ packages: Set<string>; files: string[]; builtins: Set<string> }> {
  const out = path.join(tmp, `modules-${args.join('-').replace(/[^a-z0-9-]/gi, '_')}.json`);
  const result = await runCli(args, { env: { NODE_OPTIONS: `--require ${preload}`, CDC_TEST_MODULES: out } });
  expect(result.code).toBe(0);
  const { files, builtins } = JSON.parse(fs.readFileSync(out, 'utf8')) as { files: string[]; builtins: string[] };
  const packages = new Set(files.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]).filter((p): p is string => p !== undefined));
  return { packages, files: files.map((f) => path.relative(ROOT, f)), builtins: new Set(builtins) };
}

const SERVICE_CLIENTS = ['kafkajs', 'pg', 'pg-copy-streams', '@aws-sdk/client-s3', '@aws-sdk/lib-storage', 'fastify', '@dsnp/parquetjs', 'mongodb', 'axios'];

describe('start-up loads only what the command needs (built binary)', () => {
  it.each([['--help'], ['--version']])('cdc %s: commander and the program, no command group', async (flag) => {
    const { packages, files, builtins } = await loaded(flag);
    expect([...packages]).toEqual(['commander']);
    expect(files).toContain('commands/main.ts');
    expect(files.filter((f) => f.startsWith('dist/'))).toEqual(['dist/bundle/cdc.js', 'dist/bundle/program.js']);
    expect(files.filter((f) => /^commands\/(?!start|main|load-commander|unknown-command|ui\/(style|interrupt))/.test(f))).toEqual([]);
    expect(files.filter((f) => /^src\/(settings|config|parse|debezium|json)\//.test(f))).toEqual([]);
    expect(builtins.has('child_process')).toBe(false);
  });

  it('cdc parse of a small file: the parse modules, none of the other groups or service clients', async () => {
    const { packages, files, builtins } = await loaded('parse', '--processed-at', '2026-01-01T00:00:00Z', FIXTURE);
    for (const client of [...SERVICE_CLIENTS, 'chalk', 'csv-stringify', 'csv-parse', 'cli-table3', 'ora']) expect([...packages]).not.toContain(client);
    expect(files).toEqual(expect.arrayContaining(['commands/parse.ts', 'src/parse/run.ts']));
    // The other command groups are in dist/bundle/groups.js, which a parse does not load.
    expect(files.filter((f) => f.startsWith('dist/'))).toEqual(['dist/bundle/cdc.js', 'dist/bundle/program.js']);
    expect(files.filter((f) => /^commands\/(?!start|main|load-commander|unknown-command|parse|ui\/)/.test(f))).toEqual([]);
    // The parallel path only for a large file; the services' settings only when read.
    expect(files.filter((f) => /^src\/(parse\/(parallel|chunk|worker)|settings\/(?!index)|config)/.test(f))).toEqual([]);
    for (const builtin of ['child_process', 'worker_threads', 'crypto']) expect(builtins.has(builtin)).toBe(false);
    // Nor node:tty (stdin's TTY flag is asked only without files) nor fs.promises (with readline).
    for (const builtin of ['tty', 'internal/fs/promises']) expect(builtins.has(builtin)).toBe(false);
  });

  it('another command group comes from dist/bundle/groups.js, sharing the modules of program.js (each runs once)', async () => {
    const { files } = await loaded('connector', '--help');
    expect(files.filter((f) => f.startsWith('dist/'))).toEqual(['dist/bundle/cdc.js', 'dist/bundle/program.js', 'dist/bundle/groups.js']);
    expect(files).toEqual(expect.arrayContaining(['commands/connector.ts', 'commands/main.ts', 'src/errors.ts', 'node_modules/commander/index.js']));
    expect(files.filter((f, k) => files.indexOf(f) !== k)).toEqual([]);
  });

  it('the program is compiled from the code cache the build made (V8 does not reject it)', () => {
    const probe = spawnSync(
      process.execPath,
      ['-e', `process.stdout.write(String(require(${JSON.stringify(path.join(ROOT, 'dist/bundle/cdc.js'))}).programScript.cachedDataRejected))`],
      {
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      },
    );
    expect(probe.stdout).toBe('false');
  });

  it('cdc parse --format csv loads the CSV writer, and colour loads chalk', async () => {
    expect((await loaded('parse', '-f', 'csv', FIXTURE)).packages.has('csv-stringify')).toBe(true);
    const out = path.join(tmp, 'modules-colour.json');
    await runCli(['parse', 'no-such-file'], { env: { NODE_OPTIONS: `--require ${preload}`, CDC_TEST_MODULES: out, FORCE_COLOR: '1', NO_COLOR: '' } });
    expect((JSON.parse(fs.readFileSync(out, 'utf8')) as { files: string[] }).files.some((f) => f.includes('node_modules/chalk/'))).toBe(true);
  });
});
