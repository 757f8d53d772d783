/**
 * The README's tutorial, pasted as a script on a fresh machine: `bash -euo pipefail` runs the
 * marked blocks verbatim, with `cdc` on PATH as `npm link` puts it there, in an empty folder, with
 * no cdc settings in the environment or a config file, on a stack of its own (the tutorial's first
 * line starts it). Then the files it wrote are checked.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePorts, privateStackFolder } from '../helpers/private-stack';
import { markedBlock } from '../helpers/readme';
import { CDC_BIN, runCli } from '../helpers/run-cli';

jest.setTimeout(420_000);

/** The tutorial's eight statements, as holding_pivot rows: id, user, field, old, new, op. */
const TUTORIAL_ROWS = [
  '1000,1,holding_stock,None,VFIAX,c', '1000,1,holding_quantity,None,10,c',
  '1001,2,holding_stock,None,SP500,c', '1001,2,holding_quantity,None,1,c',
  '1002,3,holding_stock,None,SP500,c', '1002,3,holding_quantity,None,1,c',
  '1000,1,holding_stock,VFIAX,VFIAX,u', '1000,1,holding_quantity,10,100,u',
  '1002,3,holding_stock,SP500,None,d', '1002,3,holding_quantity,1,None,d',
  '1001,2,holding_stock,SP500,None,d', '1001,2,holding_quantity,1,None,d',
  '1003,3,holding_stock,None,VTSAX,c', '1003,3,holding_quantity,None,100,c',
  '1003,3,holding_stock,VTSAX,VTSAX,u', '1003,3,holding_quantity,100,10,u',
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

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => { output += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('README tutorial, pasted as a script', () => {
  const { dir: stackDir } = privateStackFolder('cdc-readme-stack-');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-readme-'));
  const home = path.join(work, 'home');
  const binDir = path.join(work, 'bin');
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    fs.chmodSync(stackDir, 0o755); // PostgreSQL runs as the OS user postgres when the tests run as root
    fs.mkdirSync(home);
    fs.mkdirSync(binDir);
    fs.symlinkSync(CDC_BIN, path.join(binDir, 'cdc')); // what `npm link` does
    const [pg, kafka, controller, connect] = await freePorts(4);
    env = freshShellEnv(home, binDir, {
      CDC_STACK_DIR: stackDir,
      CDC_STACK_PG_PORT: String(pg), CDC_STACK_KAFKA_PORT: String(kafka),
      CDC_STACK_CONTROLLER_PORT: String(controller), CDC_STACK_CONNECT_PORT: String(connect),
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
    const run = await bash(script, cwd, env);
    expect(`exit ${run.code}\n${run.output}`).toMatch(/^exit 0\n/);

    const pivot = fs.readFileSync(path.join(cwd, 'holding_pivot.txt'), 'utf8').trimEnd().split('\n');
    // Timestamps vary; identity, field, old and new value, and op are the tutorial's.
    const rows = pivot.map((line) => { const f = line.split(','); return [...f.slice(0, 5), f[9]].join(','); });
    expect({ rows, output: run.output }).toEqual({ rows: TUTORIAL_ROWS, output: run.output });

    const customers = fs.readFileSync(path.join(cwd, 'customers_pivot.txt'), 'utf8').trimEnd().split('\n');
    expect(customers).toHaveLength(8 * 12_435);
    expect(new Set(customers.map((l) => l.split(',')[0])).size).toBe(12_435);
    expect(customers.every((l) => l.endsWith(',r'))).toBe(true);
  });
});
