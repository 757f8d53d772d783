/**
 * `cdc sink s3 --endpoint URL --region R`, as issue 11 writes them, and the first spellings
 * `--s3-endpoint` / `--s3-region`: both reach the one resolver with the same precedence (flag >
 * AWS_ENDPOINT_URL_S3 / AWS_REGION > context > running stack), and two spellings that disagree are
 * a usage error. Each run stops at the missing --bucket, after settings are resolved and before
 * anything connects; --verbose shows what the resolver chose and why.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../commands/main';
import { ExitCode } from '../../src/errors';
import { testContext } from '../helpers/context';

let dir: string;
let config: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-sink-s3-flags-'));
  config = path.join(dir, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ currentContext: 'dev', contexts: { dev: { s3Endpoint: 'http://ctx:9000', s3Region: 'eu-ctx-1' } } }));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function sinkS3(args: string[], env: NodeJS.ProcessEnv = {}) {
  const ctx = testContext({ env: { CDC_CONFIG: config, ...env } });
  const code = await main(['node', 'cdc', '--verbose', 'sink', 's3', 'some.topic', ...args], ctx);
  const s3 = /^S3: (.*)$/m.exec(ctx.err())?.[1];
  return { code, err: ctx.err(), out: ctx.out(), s3 };
}

const ENV = { AWS_ENDPOINT_URL_S3: 'http://env:9000', AWS_REGION: 'eu-env-1' };

describe('cdc sink s3: --endpoint and --region, and their first spellings', () => {
  it.each([
    [['--endpoint', 'http://flag:9000', '--region', 'eu-flag-1']],
    [['--s3-endpoint', 'http://flag:9000', '--s3-region', 'eu-flag-1']],
    [['--endpoint', 'http://flag:9000', '--s3-region', 'eu-flag-1']],
    [['--endpoint', 'http://flag:9000', '--s3-endpoint', 'http://flag:9000', '--region', 'eu-flag-1', '--s3-region', 'eu-flag-1']],
  ])('%j: the flag wins over the environment and the context', async (args) => {
    const r = await sinkS3(args, ENV);
    expect(r.s3).toBe('http://flag:9000 (from flag), region eu-flag-1 (from flag)');
    // It went on to the next check: the command's own flags (--bucket) are checked after settings.
    expect({ code: r.code, bucket: r.err.includes('--bucket is required') }).toEqual({ code: ExitCode.USAGE, bucket: true });
  });

  it('without the flags: the environment, then the config context', async () => {
    expect((await sinkS3([], ENV)).s3).toBe('http://env:9000 (from env:AWS_ENDPOINT_URL_S3), region eu-env-1 (from env:AWS_REGION)');
    expect((await sinkS3([])).s3).toBe('http://ctx:9000 (from context:dev), region eu-ctx-1 (from context:dev)');
  });

  it.each([
    [['--endpoint', 'http://a:9000', '--s3-endpoint', 'http://b:9000'], '--endpoint "http://a:9000" and --s3-endpoint "http://b:9000" disagree'],
    [['--s3-region', 'eu-b-1', '--region', 'eu-a-1'], '--region "eu-a-1" and --s3-region "eu-b-1" disagree'],
  ])('%j: two spellings with different values are a usage error (exit 2)', async (args, message) => {
    const r = await sinkS3(args, ENV);
    expect({ code: r.code, err: r.err }).toEqual({ code: ExitCode.USAGE, err: expect.stringContaining(message) });
    expect(r.s3).toBeUndefined();
    expect(r.out).toBe('');
  });

  it.each([
    [['--endpoint', ''], '--endpoint is empty'],
    [['--s3-endpoint', ' '], '--s3-endpoint is empty'],
    [['--region', ''], '--region is empty'],
    [['--s3-region', ''], '--s3-region is empty'],
    [['--endpoint', 'ftp://x'], "S3 endpoint 'ftp://x' (from flag) is not an http(s) URL"],
    [['--s3-endpoint', 'not a url'], "S3 endpoint 'not a url' (from flag) is not an http(s) URL"],
  ])('%j is refused, whichever spelling', async (args, message) => {
    const r = await sinkS3(args, ENV);
    expect({ code: r.code, err: r.err }).toEqual({ code: ExitCode.USAGE, err: expect.stringContaining(message) });
  });

  it('--help shows --endpoint and --region, not the first spellings', async () => {
    const ctx = testContext();
    expect(await main(['node', 'cdc', 'sink', 's3', '--help'], ctx)).toBe(ExitCode.OK);
    expect(ctx.out()).toMatch(/^ {2}--endpoint <url> /m);
    expect(ctx.out()).toMatch(/^ {2}--region <name> /m);
    expect(ctx.out()).not.toContain('--s3-');
  });
});
