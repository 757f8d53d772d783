/**
 * Shell completion as bash runs it: the script from `cdc completion bash` is sourced, COMP_WORDS
 * and COMP_CWORD are set as readline sets them, and COMPREPLY is read back. Live names come from
 * the real stack: a connector and a topic made for this test, and contexts in a config file.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { removeDebeziumPipeline, withPg } from '../helpers/pipeline';
import { CDC_BIN, describeResult, runCli } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';

jest.setTimeout(180_000);

describe('cdc completion bash, exercised by bash', () => {
  const urls = stackUrls();
  const id = randomBytes(4).toString('hex');
  const names = { connector: `cmp_${id}`, schema: `cmp_${id}`, topic: `cmp${id}.extra` };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-completion-'));
  const binDir = path.join(work, 'bin');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CDC_CONNECT_URL: urls.connectUrl,
    CDC_BROKERS: urls.brokers,
    DATABASE_URL: urls.pgUrl,
    CDC_CONFIG: path.join(work, 'config.json'),
    PATH: `${binDir}${path.delimiter}${process.env.PATH}`,
  };

  beforeAll(async () => {
    fs.mkdirSync(binDir);
    fs.symlinkSync(CDC_BIN, path.join(binDir, 'cdc'));
    for (const context of [`ctx-${id}-a`, `ctx-${id}-b`]) {
      const set = await runCli(['config', 'set-context', context, '--connect-url', urls.connectUrl], { env });
      expect(set.code).toBe(0);
    }
    await withPg(urls.pgUrl, (c) => c.query(`create schema ${names.schema}; create table ${names.schema}.t (id int primary key)`));
    const register = await runCli(
      ['connector', 'register', names.connector, '--table', `${names.schema}.t`, '--topic-prefix', `cmp${id}`, '--snapshot-mode', 'no_data'],
      { env },
    );
    expect(describeResult(register)).toMatch(/^exit 0/);
    const admin = new Kafka({ brokers: [urls.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: names.topic }], waitForLeaders: true });
    await admin.disconnect();
  });

  afterAll(async () => {
    await removeDebeziumPipeline(urls, env, names);
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** COMPREPLY for the command line `words` (the last one being completed), as bash computes it. */
  function complete(words: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<string[]> {
    const quoted = ['cdc', ...words].map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
    const script = `source <(cdc completion bash)
COMP_WORDS=(${quoted}); COMP_CWORD=${words.length}
_cdc_complete
printf '%s\\n' "\${COMPREPLY[@]}"`;
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['-c', script], { cwd: path.resolve(__dirname, '../..'), env: { ...env, ...extraEnv } });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
      });
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => {
        if (code !== 0 || err) reject(new Error(`bash exited ${code}: ${err}`));
        else resolve(out.split('\n').filter(Boolean).sort());
      });
    });
  }

  it('completes commands, subcommands, flags and choices', async () => {
    expect(await complete(['con'])).toEqual(['config', 'connector']);
    expect(await complete(['connector', 'wa'])).toEqual(['wait']);
    expect(await complete(['watch', '--exit'])).toEqual(['--exit-at-end']);
    expect(await complete(['connector', 'wait', 'x', '--for', ''])).toEqual(['caught-up', 'snapshot']);
  });

  it('completes live connector, topic and context names', async () => {
    // A generous limit: the machine running the suite may be loaded; the bound itself is tested below and in unit tests.
    const patient = { CDC_COMPLETION_TIMEOUT_MS: '15000' };
    expect(await complete(['connector', 'status', `cmp_${id.slice(0, 2)}`], patient)).toEqual([names.connector]);
    expect(await complete(['watch', `cmp${id}`], patient)).toEqual([names.topic]);
    expect(await complete(['--context', `ctx-${id}`])).toEqual([`ctx-${id}-a`, `ctx-${id}-b`]);
    expect(await complete(['config', 'use-context', `ctx-${id}-`])).toEqual([`ctx-${id}-a`, `ctx-${id}-b`]);
  });

  it('completes file names where a command reads files', async () => {
    const fixtures = fs
      .readdirSync(path.resolve(__dirname, '../../fixtures'))
      .filter((f) => f.startsWith('holding-e'))
      .map((f) => `fixtures/${f}`);
    expect(fixtures.length).toBeGreaterThan(1);
    expect(await complete(['parse', 'fixtures/holding-e'])).toEqual(fixtures.sort());
  });

  it('offers nothing, and no error, when the services are down', async () => {
    const dead = { CDC_CONNECT_URL: 'http://127.0.0.1:9', CDC_BROKERS: '127.0.0.1:9' };
    expect(await complete(['connector', 'status', ''], dead)).toEqual([]);
    expect(await complete(['watch', ''], dead)).toEqual([]);
  });
});
