/**
 * Who stops the stack after an integration run: only a run that started it, and only when no other
 * run still uses it. A stack started with `cdc stack up` is never stopped by tests.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { registerClient } from '../../src/stack/clients';
import { stackLayout } from '../../src/stack/layout';
import { stopTestStack } from '../integration/global-teardown';

describe('integration teardown', () => {
  let dir: string;
  const saved = process.env.CDC_STACK_DIR;
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-stack-teardown-'));
    process.env.CDC_STACK_DIR = dir;
    fs.mkdirSync(path.join(dir, 'run'), { recursive: true });
    stderr.mockClear();
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env.CDC_STACK_DIR;
    else process.env.CDC_STACK_DIR = saved;
  });
  afterAll(() => stderr.mockRestore());

  function writeState(owner: 'cli' | 'tests'): void {
    // Ports nothing listens on, so the stop finds no process and no port in use.
    const ports = { pg: 45501, kafka: 45502, controller: 45503, connect: 45504 };
    fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ owner, ports }));
  }

  const stopped = (): boolean => !fs.existsSync(path.join(dir, 'state.json'));

  test('a stack started with `cdc stack up` keeps running', async () => {
    writeState('cli');
    registerClient(stackLayout(dir));
    await stopTestStack();
    expect(stopped()).toBe(false);
    expect(fs.readdirSync(path.join(dir, 'run', 'clients'))).toEqual([]);
  });

  test('a stack a test run started keeps running while another run uses it', async () => {
    writeState('tests');
    registerClient(stackLayout(dir));
    registerClient(stackLayout(dir), process.ppid);
    await stopTestStack();
    expect(stopped()).toBe(false);
  });

  test('the last run using a test-started stack stops it', async () => {
    writeState('tests');
    registerClient(stackLayout(dir));
    await stopTestStack();
    expect(stopped()).toBe(true);
    expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain('stopped the test stack');
  });
});
