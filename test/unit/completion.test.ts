import * as net from 'node:net';
import { buildProgram, main } from '../../commands/main';
import { offerFor } from '../../commands/completion/candidates';
import { liveNames } from '../../src/completion/live-names';
import { createSettings } from '../../src/settings';
import { ExitCode } from '../../src/errors';
import { testContext } from '../helpers/context';

const program = buildProgram(testContext());

describe('what completion offers, read from the command tree', () => {
  it.each([
    [[''], { words: expect.arrayContaining(['parse', 'connector', 'watch', 'completion']) }],
    [['con'], { words: ['connector', 'config'] }],
    [['connector', 'st'], { words: ['status', 'stop'] }],
    [['--verbose', 'connector', 'wa'], { words: ['wait'] }],
    [['--context', 'prod', 'pg', ''], { words: ['setup', 'check', 'slots'] }],
    [['watch', '--fr'], { words: ['--from'] }],
    [['connector', 'wait', 'x', '--for', ''], { words: ['snapshot', 'caught-up'] }],
    [['completion', ''], { words: ['bash', 'zsh', 'fish'] }],
    [['connector', 'status', ''], { live: 'connectors' }],
    [['connector', 'delete', '--yes', ''], { live: 'connectors' }],
    [['watch', ''], { live: 'topics' }],
    [['watch', 'a.b', 'c'], { live: 'topics' }], // <topic...> takes more than one
    [['config', 'use-context', ''], { live: 'contexts' }],
    [['--context', ''], { live: 'contexts' }],
    [['seed', 'customers', '--context', 'x'], { live: 'contexts' }],
    [['parse', ''], { files: true }],
    [['connector', 'register', ''], { files: true }],
    [['connector', 'register', 'x', '--ca-file', ''], { files: true }],
    [['connector', 'describe', 'x', ''], { words: [] }], // one name only
  ])('%j → %j', (words, expected) => {
    expect(offerFor(program, words)).toEqual(expected);
  });

  it('offers the flags of the command and of cdc itself, never the hidden helper', () => {
    const flags = offerFor(program, ['watch', '--']);
    expect(flags).toEqual({ words: expect.arrayContaining(['--from', '--exit-at-end', '--verbose', '--context', '--help']) });
    expect(offerFor(program, ['__'])).toEqual({ words: [] });
  });
});

describe('cdc completion and cdc __complete', () => {
  it.each(['bash', 'zsh', 'fish'])('prints the %s script on stdout', async (shell) => {
    const ctx = testContext();
    expect(await main(['node', 'cdc', 'completion', shell], ctx)).toBe(ExitCode.OK);
    expect(ctx.out()).toContain('cdc __complete --');
    expect(ctx.err()).toBe('');
  });

  it('refuses another shell with exit 2', async () => {
    const ctx = testContext();
    expect(await main(['node', 'cdc', 'completion', 'tcsh'], ctx)).toBe(ExitCode.USAGE);
    expect(ctx.err()).toContain('bash, zsh, fish');
  });

  it('answers one candidate per line, and :files for a file name', async () => {
    const run = async (...words: string[]) => {
      const ctx = testContext();
      expect(await main(['node', 'cdc', '__complete', '--', ...words], ctx)).toBe(ExitCode.OK);
      return ctx.out();
    };
    expect(await run('connector', 're')).toBe('register\nresume\nrestart\n');
    expect(await run('parse', '')).toBe(':files\n');
    expect(await run('watch', '--unknown-flag', '--fr')).toBe('--from\n');
  });

  it('is not listed in the help', async () => {
    const ctx = testContext();
    await main(['node', 'cdc', '--help'], ctx);
    expect(ctx.out()).toMatch(/^ {2}completion /m);
    expect(ctx.out()).not.toContain('__complete');
  });
});

describe('live names never keep the shell waiting', () => {
  it('gives no names, within its time limit, when a service accepts connections but never answers', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => {
      sockets.push(s);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const env = { CDC_CONNECT_URL: `http://127.0.0.1:${port}`, CDC_BROKERS: `127.0.0.1:${port}`, CDC_CONFIG: '/nonexistent/cdc.json' };
    try {
      for (const kind of ['connectors', 'topics'] as const) {
        const started = Date.now();
        expect(await liveNames(kind, { env, settings: createSettings({ env }), timeoutMs: 300 })).toEqual([]);
        // Not a speed test: without the limit, kafkajs and axios would wait 30 s and more.
        expect(Date.now() - started).toBeLessThan(10_000);
      }
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });
});
