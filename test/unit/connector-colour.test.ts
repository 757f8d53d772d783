/**
 * Escape first, colour after (issue 13, item 5): on a colour terminal, untrusted text (names,
 * states, worker ids, config values, server messages, the user's own arguments) is escaped and
 * cdc's own colours stay real escapes. Colour applied before escaping shows up as a visible
 * `\u001b[33m`; escaping forgotten lets the hostile `ESC[5m` (blink) through raw.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../commands/main';
import { testContext } from '../helpers/context';
import { connectScenario, FakeConnect, recorded } from './connect-fake-server';

const EVIL = '\u001b[5mblink\u001b]8;;http://evil\u0007';
const EVIL_SHOWN = '\\u001b[5mblink\\u001b]8;;http://evil\\u0007';
const fake = new FakeConnect();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-connector-colour-'));
beforeAll(() => fake.start());
afterAll(async () => {
  await fake.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const { name: _n, ...recordedConfig } = JSON.parse(recorded('config'));
const file = path.join(dir, 'rec-new.json');
fs.writeFileSync(file, JSON.stringify({ name: 'rec-new', config: { ...recordedConfig, 'slot.name': 'rec_new', notes: `a ${EVIL} b`, [`x.${EVIL}`]: 'v' } }));

const legacyFile = path.join(dir, 'rec-legacy.json');
const { 'topic.prefix': _prefix, ...withoutPrefix } = recordedConfig;
fs.writeFileSync(legacyFile, JSON.stringify({ name: 'rec-legacy', config: { ...withoutPrefix, 'database.server.name': `x${EVIL}` } }));

function hostileWorker(): void {
  const status = JSON.parse(recorded('status-running'));
  status.connector.worker_id = `w${EVIL}`;
  status.tasks[0].worker_id = `w${EVIL}`;
  status.tasks.push({ id: 1, state: `ODD${EVIL}`, worker_id: 'w', trace: `java.lang.Exception: ${EVIL}` });
  const connector = JSON.parse(recorded('connector'));
  connector.config.notes = `n ${EVIL}`;
  fake
    .on('GET', '/connectors/rec-holding/status', { status: 200, body: status })
    .on('GET', '/connectors/rec-holding', { status: 200, body: connector })
    .on('GET', '/connectors?expand=status&expand=info', {
      status: 200,
      body: { [`evil${EVIL}`]: { status: { ...status, name: `evil${EVIL}` }, info: { ...connector, name: `evil${EVIL}`, type: `t${EVIL}` } } },
    })
    .on('GET', '/connector-plugins', { status: 200, body: [{ class: `evil.Plugin${EVIL}`, type: 'source', version: `1${EVIL}` }] })
    .on('PUT', /\/config\/validate$/, {
      status: 200,
      body: {
        name: 'x',
        error_count: 1,
        configs: [{ definition: { name: 'database.hostname' }, value: { name: 'database.hostname', value: 'h', errors: [`bad ${EVIL}`] } }],
      },
    })
    .on('PUT', /^\/connectors\/[^/]+\/pause$/, { status: 500, body: { error_code: 500, message: `boom ${EVIL}` } });
}

const runs: string[][] = [
  ['connector', 'register', file, '--dry-run'],
  ['connector', 'list'],
  ['connector', 'describe', 'rec-holding'],
  ['connector', 'status', 'rec-holding'],
  ['connector', 'status'],
  ['connector', 'validate', file],
  ['connector', 'plugins'],
  ['connector', 'pause', 'rec-holding'],
  ['connector', 'resume', `rec${EVIL}`],
  ['connector', 'register', `bad${EVIL}`, '--table', 'a.b'],
  ['connector', `--bogus${EVIL}`],
  ['connector', 'lint', legacyFile],
  ['connector', 'lint', legacyFile, '--fix'],
  ['connector', 'register', legacyFile, '--fix', '--dry-run'],
];

describe('coloured output escapes untrusted text first, colours after', () => {
  it.each(runs.map((args) => [args.join(' ').replace(/\u001b/g, 'ESC'), args] as const))('%s', async (_label, args) => {
    fake.reset();
    connectScenario(fake);
    hostileWorker();
    const ctx = testContext({ tty: true, color: true, env: { CDC_CONNECT_URL: fake.url, CDC_CONFIG: path.join(dir, 'none.json') } });
    const code = await main(['node', 'cdc', ...args], ctx);
    const all = `${ctx.out()}${ctx.err()}`;
    const report = `exit ${code}\n${all.replace(/\u001b/g, '<ESC>')}`;
    // The hostile sequences never reach the terminal raw…
    expect({ report, raw: all.includes('\u001b[5m') || all.includes('\u001b]8') || all.includes('\u0007') }).toMatchObject({ raw: false });
    // …and cdc's own colours are never shown escaped (colour applied before escaping).
    expect({ report, escapedColour: /\\u001b\[(?!5m)[0-9;]*m/.test(all) }).toMatchObject({ escapedColour: false });
    // The run printed the hostile text, escaped, or refused it before printing it.
    expect({ report, shown: all.includes(EVIL_SHOWN) || all.includes('\\u001b') || code === 2 || code === 3 }).toMatchObject({ shown: true });
    // Colour is on: cdc coloured something.
    expect({ report, coloured: /\u001b\[\d+m/.test(all) }).toMatchObject({ coloured: true });
  });
});

/** The argument text of every call of `fn` in `source` (balanced parentheses). */
function callArguments(source: string, fn: string): string[] {
  const args: string[] = [];
  for (let at = source.indexOf(`${fn}(`); at !== -1; at = source.indexOf(`${fn}(`, at + 1)) {
    let depth = 0;
    for (let i = at + fn.length; i < source.length; i++) {
      if (source[i] === '(') depth++;
      else if (source[i] === ')' && --depth === 0) {
        args.push(source.slice(at + fn.length + 1, i));
        break;
      }
    }
  }
  return args;
}

describe('no command of the CLI escapes text it has already coloured', () => {
  const root = path.resolve(__dirname, '../../commands');
  const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => path.join(root, f));
  it.each(files.map((f) => [path.relative(root, f), f] as const))('%s', (_rel, file) => {
    const source = fs.readFileSync(file, 'utf8');
    const coloured = (text: string) => /\bstyle\.|chalk|paint\[|colorState\(|Style\(ctx\)\./.test(text);
    // A variable passed in: look at what it was assigned (`const line = style.green(…); … sanitizeForTerminal(line)`).
    const assigned = (name: string) => [...source.matchAll(new RegExp(`(?:const|let)\\s+${name}\\s*=([^;]*);`, 'g'))].map((m) => m[1]).join(' ');
    const offenders = callArguments(source, 'sanitizeForTerminal').filter(
      (arg) => coloured(arg) || (/^\w+$/.test(arg.trim()) && coloured(assigned(arg.trim()))),
    );
    expect(offenders).toEqual([]);
  });
});
