/**
 * The README's tutorial, pasted as a script on a fresh machine: `bash -euo pipefail` runs the
 * marked blocks verbatim, with `cdc` on PATH as `npm link` puts it there, in an empty folder, with
 * no cdc settings in the environment or a config file, on a stack of its own (the tutorial's first
 * line starts it). Then the files it wrote are checked. Then, in the world the tutorial made, every
 * other example of the README and of every --help runs as written (help-examples.ts says how;
 * the sinks' examples also have what they wrote read back and compared, help-examples-sinks.ts).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../commands/main';
import { testContext } from '../helpers/context';
import { freePorts, privateStackFolder } from '../helpers/private-stack';
import { examplesOfHelp, markedBlock, README, shellBlocks, shellCommands } from '../helpers/readme';
import { CDC_BIN, runCli } from '../helpers/run-cli';
import { bash } from '../helpers/shell';
import { EXAMPLE_PLANS, type World } from './help-examples';

jest.setTimeout(420_000);

/** The tutorial's eight statements, as holding_pivot rows: id, user, field, old, new, op. */
const TUTORIAL_ROWS = [
  '1000,1,holding_stock,None,VFIAX,c',
  '1000,1,holding_quantity,None,10,c',
  '1001,2,holding_stock,None,SP500,c',
  '1001,2,holding_quantity,None,1,c',
  '1002,3,holding_stock,None,SP500,c',
  '1002,3,holding_quantity,None,1,c',
  '1000,1,holding_stock,VFIAX,VFIAX,u',
  '1000,1,holding_quantity,10,100,u',
  '1002,3,holding_stock,SP500,None,d',
  '1002,3,holding_quantity,1,None,d',
  '1001,2,holding_stock,SP500,None,d',
  '1001,2,holding_quantity,1,None,d',
  '1003,3,holding_stock,None,VTSAX,c',
  '1003,3,holding_quantity,None,100,c',
  '1003,3,holding_stock,VTSAX,VTSAX,u',
  '1003,3,holding_quantity,100,10,u',
];

/** The environment of a new shell: nothing of cdc's, and `cdc` on PATH. */
function freshShellEnv(home: string, binDir: string, stack: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(CDC_|PG[A-Z]+$|DATABASE_URL$|NO_COLOR$|FORCE_COLOR$)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...stack, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), PATH: `${binDir}${path.delimiter}${process.env.PATH}` };
}

/** Every example of the README and of every --help but connector's and config's (test/integration/connector*.test.ts run those). */
function allExamples(): { where: string; example: string }[] {
  const found: { where: string; example: string }[] = [];
  const readme = fs.readFileSync(README, 'utf8').replace(/<!-- (tutorial|walkthrough) -->[\s\S]*?<!-- \/\1 -->/g, '');
  for (const block of shellBlocks(readme)) for (const example of shellCommands(block)) found.push({ where: 'README.md', example });
  const ctx = testContext();
  const program = buildProgram(ctx);
  const visit = (command: Command, words: string[]) => {
    if (words[0] === 'connector' || words[0] === 'config' || command.name() === '__complete') return;
    const before = ctx.out().length;
    command.outputHelp();
    for (const example of examplesOfHelp(ctx.out().slice(before))) found.push({ where: `cdc ${[...words, '--help'].join(' ')}`, example });
    for (const sub of command.commands) visit(sub, [...words, sub.name()]);
  };
  visit(program, []);
  return found;
}

/**
 * Runs one example with bash in its own process group; Ctrl-C goes to the group after
 * `interruptAfter` seconds, or as soon as `until` (polled every 250 ms, one poll at a time) says
 * so. `meanwhile` is repeated, once a second, until then.
 */
function runExample(
  example: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  interruptAfter?: number,
  until?: (run: { stdout: string; output: string }) => Promise<boolean>,
  meanwhile?: () => Promise<void>,
): Promise<{ code: number | null; signal: string | null; output: string; stdout: string; early: boolean }> {
  return new Promise((resolve, reject) => {
    let ended = false;
    let early = false;
    const child = spawn('bash', ['-o', 'pipefail', '-c', example], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    const stop = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        /* gone */
      }
    };
    const ctrlC = interruptAfter === undefined ? undefined : setTimeout(() => stop('SIGINT'), interruptAfter * 1000);
    const limit = setTimeout(() => stop('SIGKILL'), 150_000);
    const poll = async (what: () => Promise<boolean | void>, everyMs: number) => {
      while (!ended) {
        await new Promise((r) => setTimeout(r, everyMs));
        if (ended) return;
        if ((await what().catch(() => false)) === true && !ended) {
          early = true;
          stop('SIGINT');
          return;
        }
      }
    };
    if (interruptAfter !== undefined && until) void poll(() => until({ stdout, output }), 250);
    if (interruptAfter !== undefined && meanwhile) void poll(meanwhile, 1000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      ended = true;
      clearTimeout(ctrlC);
      clearTimeout(limit);
      resolve({ code, signal, output, stdout, early });
    });
  });
}

async function answers(url: string, seconds: number): Promise<boolean> {
  for (let i = 0; i < seconds * 4; i++) {
    try {
      if ((await fetch(url)).status < 500) return true;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

describe('README tutorial, pasted as a script', () => {
  const { dir: stackDir } = privateStackFolder('cdc-readme-stack-');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-readme-'));
  const home = path.join(work, 'home');
  const binDir = path.join(work, 'bin');
  let env: NodeJS.ProcessEnv;
  let s3Url = '';
  let mongoUrl = '';

  beforeAll(async () => {
    fs.chmodSync(stackDir, 0o755); // PostgreSQL runs as the OS user postgres when the tests run as root
    fs.mkdirSync(home);
    fs.mkdirSync(binDir);
    fs.symlinkSync(CDC_BIN, path.join(binDir, 'cdc')); // what `npm link` does
    const [pg, kafka, controller, connect, s3, mongo] = await freePorts(6);
    s3Url = `http://127.0.0.1:${s3}`;
    mongoUrl = `mongodb://127.0.0.1:${mongo}`;
    env = freshShellEnv(home, binDir, {
      CDC_STACK_DIR: stackDir,
      CDC_STACK_PG_PORT: String(pg),
      CDC_STACK_KAFKA_PORT: String(kafka),
      CDC_STACK_CONTROLLER_PORT: String(controller),
      CDC_STACK_CONNECT_PORT: String(connect),
      // For the `cdc stack up --with s3,mongo` example: ports of its own, like the rest.
      CDC_STACK_S3_PORT: String(s3),
      CDC_STACK_MONGO_PORT: String(mongo),
    });
  });

  afterAll(async () => {
    if (env) await runCli(['stack', 'down'], { env, timeoutMs: 60_000 });
    fs.rmSync(stackDir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('runs verbatim with bash -euo pipefail and writes the tutorial pivot, then the customers walkthrough', async () => {
    const cwd = path.join(work, 'tutorial');
    fs.mkdirSync(cwd);
    const script = `${markedBlock('tutorial')}\n${markedBlock('walkthrough')}`;
    const run = await bash(script, cwd, env, ['-euo', 'pipefail']);
    expect(`exit ${run.code}\n${run.output}`).toMatch(/^exit 0\n/);

    const pivot = fs.readFileSync(path.join(cwd, 'holding_pivot.txt'), 'utf8').trimEnd().split('\n');
    // Timestamps vary; identity, field, old and new value, and op are the tutorial's.
    const rows = pivot.map((line) => {
      const f = line.split(',');
      return [...f.slice(0, 5), f[9]].join(',');
    });
    expect({ rows, output: run.output }).toEqual({ rows: TUTORIAL_ROWS, output: run.output });

    const customers = fs.readFileSync(path.join(cwd, 'customers_pivot.txt'), 'utf8').trimEnd().split('\n');
    expect(customers).toHaveLength(8 * 12_435);
    expect(new Set(customers.map((l) => l.split(',')[0])).size).toBe(12_435);
    expect(customers.every((l) => l.endsWith(',r'))).toBe(true);
  });
  it('then every other example of the README and of every --help works as written', async () => {
    const cwd = path.join(work, 'examples');
    fs.mkdirSync(cwd);
    // The files examples name: the fixtures, a captured events file, the customers CSV.
    const fixtures = path.resolve(__dirname, '../../fixtures');
    fs.symlinkSync(fixtures, path.join(cwd, 'fixtures'));
    fs.copyFileSync(path.join(fixtures, 'holding-events.jsonl'), path.join(cwd, 'events.jsonl'));
    fs.copyFileSync(path.join(fixtures, 'customers.csv'), path.join(cwd, 'customers.csv'));
    // The tutorial's shell: cdc pointed at the stack, as `eval "$(cdc stack env)"` leaves it.
    const stackEnv = await runCli(['stack', 'env'], { env });
    const shellEnv: NodeJS.ProcessEnv = { ...env };
    for (const line of stackEnv.stdout.split('\n').filter((l) => l.startsWith('export '))) {
      for (const [, key, value] of line.matchAll(/([A-Z_]+)=('[^']*'|"[^"]*"|\S+)/g)) shellEnv[key] = value.replace(/^(['"])(.*)\1$/, '$2');
    }
    expect(shellEnv.CDC_CONNECT_URL).toBeDefined();

    const examples = allExamples();
    expect(Object.keys(EXAMPLE_PLANS).filter((e) => !examples.some((x) => x.example === e))).toEqual([]);
    // Starting the stack's services comes first (the sinks' examples need S3 and MongoDB), stopping
    // it last: everything else needs it.
    const order = (e: string) => (/^cdc stack up( |$)/.test(e) ? -1 : /^cdc stack down( |$)/.test(e) ? 1 : 0);
    examples.sort((a, b) => order(a.example) - order(b.example));

    const failures: string[] = [];
    const skipped: string[] = [];
    for (const { where, example } of examples) {
      const plan = EXAMPLE_PLANS[example];
      if (plan && 'skip' in plan) {
        skipped.push(`${where}: ${example} — ${plan.skip}`);
        continue;
      }
      const world: World = {
        databaseUrl: shellEnv.DATABASE_URL!,
        s3Url,
        mongoUrl,
        env: shellEnv,
        sh: async (command) => (await runExample(command, cwd, shellEnv)).code,
      };
      if (plan && 'setup' in plan && plan.setup) await plan.setup(world);
      let background: ReturnType<typeof spawn> | undefined;
      if (plan && 'during' in plan) {
        background = spawn('bash', ['-c', plan.during], { cwd, env: shellEnv, detached: true, stdio: 'ignore' });
        if (!(await answers(plan.ready, 60))) failures.push(`${where}: ${example}\n  ${plan.during} did not answer at ${plan.ready}`);
      }
      const interrupt = plan && 'interruptAfter' in plan ? plan.interruptAfter : undefined;
      // A follower with a check is stopped once its check passes (the check runs again after the exit).
      const check = plan && 'check' in plan ? plan.check : undefined;
      const until =
        plan && 'interruptWhen' in plan && plan.interruptWhen
          ? plan.interruptWhen.bind(undefined, world)
          : check
            ? async (run: { stdout: string; output: string }) => {
                await check(world, run);
                return true;
              }
            : undefined;
      const meanwhile = plan && 'meanwhile' in plan && plan.meanwhile ? () => plan.meanwhile!(world) : undefined;
      const startedAt = Date.now();
      const result = await runExample(example, cwd, shellEnv, interrupt, until, meanwhile);
      if (background) {
        try {
          process.kill(-background.pid!, 'SIGINT');
        } catch {
          /* gone */
        }
      }
      // Ctrl-C is the documented end of a follower: exit 130 (cdc) or death by SIGINT (tail).
      const ok = interrupt === undefined ? result.code === 0 : result.code === 130 || result.code === 0 || result.signal === 'SIGINT';
      // What it wrote, read back: an example that exits 0 having landed nothing is not working.
      let wrong = '';
      if (ok && plan && 'check' in plan && plan.check) {
        try {
          await plan.check(world, { stdout: result.stdout, output: result.output });
        } catch (err) {
          wrong = (err as Error).message;
        }
      }
      const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
      const interrupted = result.code === 130 || result.signal === 'SIGINT' || result.early;
      const stopped = !interrupted ? '' : result.early ? ', Ctrl-C once it showed its work' : `, Ctrl-C after ${interrupt} s`;
      process.stderr.write(
        `[example] ${ok && !wrong ? 'ok  ' : 'FAIL'} ${example} (exit ${result.code ?? result.signal}${stopped}, ${seconds} s with its check)\n`,
      );
      if (!ok) failures.push(`${where}: ${example}\n  exit ${result.code ?? result.signal}\n  ${result.output.trim().split('\n').slice(-6).join('\n  ')}`);
      else if (wrong) failures.push(`${where}: ${example}\n  exit 0, but ${wrong}\n  ${result.output.trim().split('\n').slice(-4).join('\n  ')}`);
    }
    process.stderr.write(`examples: ${examples.length} found, ${skipped.length} not run:\n  ${skipped.join('\n  ')}\n`);
    expect(failures).toEqual([]);
  }, 1_500_000);
});
