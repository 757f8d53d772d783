/**
 * One signal handler for every command (issue 13 item 14): a command that stops cleanly claims
 * ctx.signal and ends with 130 after its summary; any other command ends at once on Ctrl-C, as a
 * program without a handler does, instead of hanging on a request that never returns.
 */
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { interruptible, SLOW_STOP_MS, wireProcessSignals } from '../../commands/ui/interrupt';
import { testContext } from '../helpers/context';
import { CDC_BIN } from '../helpers/run-cli';

/** A port that accepts connections and never answers: a request to it waits until interrupted. */
async function silentPort(): Promise<{ port: number; close: () => void }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      sockets.forEach((s) => s.destroy());
      server.close();
    },
  };
}

function runUntilSignal(
  args: string[],
  signal: NodeJS.Signals,
  afterMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CDC_BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', CDC_STACK_DIR: '/nonexistent/cdc-stack' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    setTimeout(() => child.kill(signal), afterMs);
    child.on('close', (code, sig) => {
      clearTimeout(kill);
      resolve({ code, signal: sig, stderr, ms: Date.now() - started });
    });
  });
}

describe('Ctrl-C and SIGTERM', () => {
  it('end a command that does not stop cleanly at once (a Connect request that never returns)', async () => {
    const silent = await silentPort();
    try {
      const result = await runUntilSignal(['connector', 'list', '--connect-url', `http://127.0.0.1:${silent.port}`, '--timeout', '60'], 'SIGINT', 1500);
      expect({ code: result.code, signal: result.signal }).toEqual({ code: null, signal: 'SIGINT' });
      expect(result.ms).toBeLessThan(10_000);
    } finally {
      silent.close();
    }
  }, 40_000);

  it('SIGTERM too', async () => {
    const silent = await silentPort();
    try {
      const result = await runUntilSignal(['connector', 'list', '--connect-url', `http://127.0.0.1:${silent.port}`], 'SIGTERM', 1500);
      expect({ code: result.code, signal: result.signal }).toEqual({ code: null, signal: 'SIGTERM' });
    } finally {
      silent.close();
    }
  }, 40_000);

  it('a command that claims the signal (watch) stops cleanly: summary on stderr and exit 130', async () => {
    const silent = await silentPort();
    try {
      const result = await runUntilSignal(['watch', 't', '--brokers', `127.0.0.1:${silent.port}`], 'SIGINT', 1500);
      expect(result.code).toBe(130);
      expect(result.stderr).not.toMatch(/This is a bug/);
    } finally {
      silent.close();
    }
  }, 40_000);
});

describe('a clean stop that takes a while', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('tells a terminal how to end it at once, after a second', async () => {
    const ctx = testContext({ tty: true });
    const unwire = wireProcessSignals(ctx);
    try {
      interruptible(ctx);
      process.emit('SIGINT');
      expect(ctx.signal.aborted).toBe(true);
      expect(ctx.err()).toBe(''); // a quick stop says nothing more
      await sleep(SLOW_STOP_MS + 200);
      expect(ctx.err()).toBe('stopping cleanly… (Ctrl-C again ends it at once)\n');
    } finally {
      unwire();
    }
  });

  it('says nothing once the command has ended, nor when stderr is not a terminal', async () => {
    for (const [tty, endsAt] of [
      [true, SLOW_STOP_MS / 2],
      [false, SLOW_STOP_MS + 200],
    ] as const) {
      const ctx = testContext({ tty });
      const unwire = wireProcessSignals(ctx);
      interruptible(ctx);
      process.emit('SIGINT');
      await sleep(endsAt);
      unwire();
      await sleep(SLOW_STOP_MS);
      expect({ tty, stderr: ctx.err() }).toEqual({ tty, stderr: '' });
    }
  });
});
