/**
 * Issue 12 items 11 and 12: every command refuses bad flag values before it does anything — a
 * usage error (2), or not found (4) for a file that does not exist — with a message naming the
 * flag. Every service points at a closed port and the stack folder is empty: a command that went
 * on to act would fail differently (exit 1, "cannot reach"), so the exit code proves the order.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../commands/main';
import { ExitCode } from '../../src/errors';
import { testContext } from '../helpers/context';

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-bad-flags-'));
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  env = {
    CDC_CONFIG: path.join(dir, 'none.json'),
    CDC_STACK_DIR: path.join(dir, 'stack'),
    CDC_CONNECT_URL: `http://127.0.0.1:${port}`,
    CDC_BROKERS: `127.0.0.1:${port}`,
    DATABASE_URL: `postgres://u:p@127.0.0.1:${port}/db`,
  };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const MISSING = '/nonexistent/cdc/file.pem';
const DIRECTORY = os.tmpdir();
const HUGE = '99999999999999999999999';

/** [command line, exit code, text the message must contain] */
const CASES: Array<[string[], number, string]> = [
  // watch
  [['watch', 't', '--group', ''], ExitCode.USAGE, '--group'],
  [['watch', 't', '--max-messages', '-1'], ExitCode.USAGE, '--max-messages'],
  [['watch', 't', '--max-messages', 'ten'], ExitCode.USAGE, '--max-messages'],
  [['watch', 't', '--max-messages', '1.5'], ExitCode.USAGE, '--max-messages'],
  [['watch', 't', '--max-messages', HUGE], ExitCode.USAGE, '--max-messages'],
  [['watch', 't', '--reconnect-for', '0'], ExitCode.USAGE, '--reconnect-for'],
  [['watch', 't', '--reconnect-for', '-5'], ExitCode.USAGE, '--reconnect-for'],
  [['watch', 't', '--reconnect-for', HUGE], ExitCode.USAGE, '--reconnect-for'],
  [['watch', 't', '--group', 'g', '--session-timeout', '0'], ExitCode.USAGE, '--session-timeout'],
  [['watch', 't', '--group', 'g', '--session-timeout', '7.5'], ExitCode.USAGE, '--session-timeout'],
  [['watch', 't', '--group', 'g', '--session-timeout', '10s'], ExitCode.USAGE, '--session-timeout'],
  [['watch', 't', '--group', 'g', '--session-timeout', '3601'], ExitCode.USAGE, '--session-timeout'],
  [['watch', 't', '--session-timeout', '10'], ExitCode.USAGE, '--session-timeout needs --group'],
  [['watch', 't', '--table', ''], ExitCode.USAGE, '--table'],
  [['watch', 't', '--key', ''], ExitCode.USAGE, '--key'],
  [['watch', 't', '--key', '='], ExitCode.USAGE, '--key'],
  [['watch', 't', '--key', '=5'], ExitCode.USAGE, '--key'],
  [['watch', 't', '--brokers', ''], ExitCode.USAGE, '--brokers'],
  [['watch', 't', '--sasl-mechanism', ''], ExitCode.USAGE, '--sasl-mechanism'],
  [['watch', 't', '--ca-file', MISSING], ExitCode.NOT_FOUND, `--ca-file ${MISSING}`],
  [['watch', 't', '--ca-file', DIRECTORY], ExitCode.USAGE, `--ca-file ${DIRECTORY}`],
  [['watch', 't', '--ca-file', ''], ExitCode.USAGE, '--ca-file'],
  [['watch', 't', '--cert-file', MISSING, '--key-file', MISSING], ExitCode.NOT_FOUND, `--cert-file ${MISSING}`],
  [['watch', 't', '--key-file', MISSING], ExitCode.NOT_FOUND, `--key-file ${MISSING}`],
  [['watch', ''], ExitCode.USAGE, 'is not a Kafka topic name'],
  // connector
  [['connector', 'register', 'x', '--table', ''], ExitCode.USAGE, '--table'],
  [['connector', 'register', 'x', '--table', 'bank.holding', '--schema', ''], ExitCode.USAGE, '--schema'],
  [['connector', 'register', 'a/b', '--table', 'bank.holding', '--dry-run'], ExitCode.USAGE, "contains '/'"],
  [['connector', 'register', 'x', '--table', 'bank.holding', '--port', '0'], ExitCode.USAGE, '--port'],
  [['connector', 'register', 'x', '--table', 'bank.holding', '--port', '70000'], ExitCode.USAGE, '--port'],
  [['connector', 'register', 'x', '--table', 'bank.holding', '--port', 'http'], ExitCode.USAGE, '--port'],
  [['connector', 'register', 'x', '--table', 'bank.holding', '--database', ''], ExitCode.USAGE, '--database'],
  [['connector', 'register', 'x', '--table', 'bank.holding', '--pg-url', ''], ExitCode.USAGE, '--pg-url'],
  [['connector', 'register', 'x', '--table', 'bank.holding', '--host', ''], ExitCode.USAGE, '--host'],
  [['connector', 'register', 'x', '--table', 'bank.holding', '--password-env', 'NOT A NAME'], ExitCode.USAGE, '--password-env'],
  [['connector', 'register', 'x', '--table', 'bank.holding', '--set', 'novalue'], ExitCode.USAGE, '--set'],
  [['connector', 'register', 'x', '--table', 'bank.holding', '--set', '=v'], ExitCode.USAGE, '--set'],
  [['connector', 'register', 'x', '--table', 'bank.holding', '--wait', '--wait-timeout', '-5'], ExitCode.USAGE, '--wait-timeout'],
  [['connector', 'register', 'x', '--table', 'bank.holding', '--wait', '--wait-timeout', HUGE], ExitCode.USAGE, '--wait-timeout'],
  [['connector', 'register', 'x', '--table', 'bank.holding', '--connect-url', ''], ExitCode.USAGE, '--connect-url'],
  [['connector', 'restart', 'x', '--wait', '--wait-timeout', '-5'], ExitCode.USAGE, '--wait-timeout'],
  [['connector', 'restart', 'x', '--wait', '--wait-timeout', '0'], ExitCode.USAGE, '--wait-timeout'],
  [['connector', 'restart', 'a/b'], ExitCode.USAGE, "contains '/'"],
  [['connector', 'resume', ''], ExitCode.USAGE, 'is empty'],
  [['connector', 'resume', 'x', '--wait', '--wait-timeout', 'soon'], ExitCode.USAGE, '--wait-timeout'],
  [['connector', 'delete', ''], ExitCode.USAGE, 'is empty'],
  [['connector', 'describe', 'a/b'], ExitCode.USAGE, "contains '/'"],
  [['connector', 'status', 'a/b'], ExitCode.USAGE, "contains '/'"],
  [['connector', 'offsets', ''], ExitCode.USAGE, 'is empty'],
  [['connector', 'wait', 'x', '--wait-timeout', '0'], ExitCode.USAGE, '--wait-timeout'],
  [['connector', 'list', '--timeout', '0'], ExitCode.USAGE, '--timeout'],
  [['connector', 'list', '--timeout', '-1'], ExitCode.USAGE, '--timeout'],
  [['connector', 'list', '--timeout', HUGE], ExitCode.USAGE, '--timeout'],
  [['connector', 'list', '--connect-url', ''], ExitCode.USAGE, '--connect-url'],
  [['connector', 'list', '--connect-user', ''], ExitCode.USAGE, '--connect-user'],
  [['connector', 'list', '--ca-file', MISSING], ExitCode.NOT_FOUND, `--ca-file ${MISSING}`],
  [['connector', 'list', '--ca-file', DIRECTORY], ExitCode.USAGE, `--ca-file ${DIRECTORY}`],
  [['connector', 'list', '--cert-file', MISSING], ExitCode.NOT_FOUND, `--cert-file ${MISSING}`],
  [['connector', 'list', '--key-file', DIRECTORY], ExitCode.USAGE, `--key-file ${DIRECTORY}`],
  // pg
  [['pg', 'slots', '--drop', ''], ExitCode.USAGE, '--drop'],
  [['pg', 'slots', '--pg-url', ''], ExitCode.USAGE, '--pg-url'],
  [['pg', 'slots', '--database', ''], ExitCode.USAGE, '--database'],
  [['pg', 'check', '--publication', ''], ExitCode.USAGE, '--publication'],
  [['pg', 'check', '--slot', ''], ExitCode.USAGE, '--slot'],
  [['pg', 'check', '--name', ''], ExitCode.USAGE, '--name'],
  // seed
  [['seed', 'customers', '--limit', '0'], ExitCode.USAGE, '--limit'],
  [['seed', 'customers', '--limit', '-1'], ExitCode.USAGE, '--limit'],
  [['seed', 'customers', '--limit', HUGE], ExitCode.USAGE, '--limit'],
  [['seed', 'customers', '--batch-size', '0'], ExitCode.USAGE, '--batch-size'],
  [['seed', 'customers', '--batch-size', '100000000'], ExitCode.USAGE, '--batch-size'],
  [['seed', 'customers', '--rate', '0'], ExitCode.USAGE, '--rate'],
  [['seed', 'customers', '--rate', 'Infinity'], ExitCode.USAGE, '--rate'],
  [['seed', 'customers', '--rate', 'fast'], ExitCode.USAGE, '--rate'],
  [['seed', 'customers', '--source', ''], ExitCode.USAGE, '--source'],
  [['seed', 'customers', '--pg-url', ''], ExitCode.USAGE, '--pg-url'],
  [['seed', 'holdings', '--ops', '0'], ExitCode.USAGE, '--ops'],
  [['seed', 'holdings', '--seed', '-1'], ExitCode.USAGE, '--seed'],
  [['seed', 'holdings', '--seed', HUGE], ExitCode.USAGE, '--seed'],
  [['seed', 'holdings', '--users', '0'], ExitCode.USAGE, '--users'],
  [['seed', 'holdings', '--rate', '-3'], ExitCode.USAGE, '--rate'],
  [['seed', 'holdings', '--database', ''], ExitCode.USAGE, '--database'],
  // sink s3 (settings flags: either spelling of the endpoint and region)
  [['sink', 's3', 't', '--bucket', 'cdc', '--endpoint', ''], ExitCode.USAGE, '--endpoint'],
  [['sink', 's3', 't', '--bucket', 'cdc', '--session-timeout', '-1'], ExitCode.USAGE, '--session-timeout'],
  [['sink', 's3', 't', '--bucket', 'cdc', '--session-timeout', HUGE], ExitCode.USAGE, '--session-timeout'],
  [['sink', 'postgres', 't', '--session-timeout', '0'], ExitCode.USAGE, '--session-timeout'],
  [['sink', 'postgres', 't', '--session-timeout', 'soon'], ExitCode.USAGE, '--session-timeout'],
  [['sink', 'mongo', 't', '--session-timeout', '1.5'], ExitCode.USAGE, '--session-timeout'],
  [['sink', 'mongo', 't', '--session-timeout', ''], ExitCode.USAGE, '--session-timeout'],
  [['sink', 's3', 't', '--bucket', 'cdc', '--s3-endpoint', ''], ExitCode.USAGE, '--s3-endpoint'],
  [['sink', 's3', 't', '--bucket', 'cdc', '--endpoint', 'ftp://x'], ExitCode.USAGE, 'not an http(s) URL'],
  [['sink', 's3', 't', '--bucket', 'cdc', '--region', ''], ExitCode.USAGE, '--region'],
  [['sink', 's3', 't', '--bucket', 'cdc', '--s3-region', ''], ExitCode.USAGE, '--s3-region'],
  [['sink', 's3', 't', '--bucket', 'cdc', '--region', 'a', '--s3-region', 'b'], ExitCode.USAGE, '--region "a" and --s3-region "b" disagree'],
  [['sink', 's3', 't', '--bucket', 'cdc', '--flush-size', '0'], ExitCode.USAGE, '--flush-size'],
  [['sink', 's3', 't', '--bucket', 'cdc', '--buffer-memory', '-1'], ExitCode.USAGE, '--buffer-memory'],
  [['sink', 's3', 't', '--bucket', 'cdc', '--buffer-memory', '64MiB'], ExitCode.USAGE, '--buffer-memory'],
  [['sink', 's3', 't', '--bucket', 'cdc', '--buffer-memory', HUGE], ExitCode.USAGE, '--buffer-memory'],
  // stack
  [['stack', 'logs', '-n', '0'], ExitCode.USAGE, '--lines'],
  [['stack', 'logs', '-n', 'all'], ExitCode.USAGE, '--lines'],
  [['stack', 'up', '--timeout', '-1'], ExitCode.USAGE, '--timeout'],
  [['stack', 'up', '--timeout', HUGE], ExitCode.USAGE, '--timeout'],
  [['stack', 'up', '--dir', ''], ExitCode.USAGE, '--dir'],
  [['stack', 'status', '--pg-port', '0'], ExitCode.USAGE, '--pg-port'],
  [['stack', 'status', '--kafka-port', 'x'], ExitCode.USAGE, '--kafka-port'],
  // parse
  [['parse', ''], ExitCode.USAGE, 'FILE argument is empty'],
  [['parse', '--identity', '', '/dev/null'], ExitCode.USAGE, '--identity'],
  // global
  [['--context', '', 'connector', 'list'], ExitCode.USAGE, '--context'],
];

describe('bad flag values are refused before anything is done', () => {
  it.each(CASES)('%j → exit %i naming %s', async (args, code, text) => {
    const ctx = testContext({ env });
    const exit = await main(['node', 'cdc', ...args], ctx);
    const err = ctx.err();
    expect({ exit, named: err.includes(text) }).toEqual({ exit: code, named: true });
    expect(err).not.toMatch(/cannot reach|This is a bug/);
    expect(ctx.out()).toBe('');
  });
});
