import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectOptions, createConnectClient, type ConnectOptions } from '../../src/connect/connection';
import { createSettings } from '../../src/settings';

/** The resolver as the connector commands use it: their flags, the environment, --context. */
async function resolveConnectOptions(flags: { connectUrl?: string; connectUser?: string }, env: NodeJS.ProcessEnv, contextName?: string) {
  return connectOptions(createSettings({ env, flags: { connect: { url: flags.connectUrl, user: flags.connectUser } }, contextName }).connect);
}
import { ConnectBadRequestError } from '../../src/connect/errors';
import { Redactor } from '../../src/connect/redactor';
import { readOffsets, resetOffsets } from '../../src/connect/offsets';
import { type CdcError, ExitCode, NotFoundError } from '../../src/errors';
import { closedPort, FakeConnect, recorded } from './connect-fake-server';

const fake = new FakeConnect();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

function options(overrides: Partial<ConnectOptions> = {}): ConnectOptions {
  return { url: fake.url, urlSource: 'flag', timeoutMs: 5000, retryBudgetMs: 2000, ...overrides };
}

async function client(overrides: Partial<ConnectOptions> = {}, redactor = new Redactor()) {
  return createConnectClient(options(overrides), redactor, { sleep: async () => undefined });
}

async function thrown(promise: Promise<unknown>): Promise<CdcError> {
  try {
    await promise;
  } catch (err) {
    return err as CdcError;
  }
  throw new Error('expected a rejection');
}

describe('ConnectClient against recorded answers', () => {
  it('retries 409 rebalance and stale-config answers, then succeeds', async () => {
    fake.on(
      'PUT',
      '/connectors/rec-holding/pause',
      {
        status: 409,
        body: { error_code: 409, message: 'Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)' },
      },
      { status: 409, body: { error_code: 409, message: 'Request cannot be completed because a rebalance is expected' } },
      { status: 202 },
    );
    const c = await client();
    await c.pause('rec-holding');
    expect(fake.requests.map((r) => r.url)).toEqual(Array(3).fill('/connectors/rec-holding/pause'));
  });

  it('retries 500 "rebalance is expected" but not other 500s', async () => {
    fake.on(
      'GET',
      '/connectors/a/status',
      { status: 500, body: { error_code: 500, message: 'Request cannot be completed because a rebalance is expected' } },
      { status: 200, body: recorded('status-running') },
    );
    fake.on('GET', '/connectors/b/status', { status: 500, body: { error_code: 500, message: 'Request timed out' } });
    const c = await client();
    expect((await c.status('a')).connector.state).toBe('RUNNING');
    const err = await thrown(c.status('b'));
    expect(err.message).toContain('Request timed out');
    expect(err.hint).toContain('90 s');
    expect(fake.requests.filter((r) => r.url === '/connectors/b/status')).toHaveLength(1);
  });

  it('retries 503 while the worker starts, then says what to check', async () => {
    fake.on('GET', '/connectors/x/status', { status: 503, body: { error_code: 503, message: 'Service Unavailable' } });
    const err = await thrown((await client({ retryBudgetMs: 300 })).status('x'));
    expect(err.message).toBe('Kafka Connect answered 503 to GET /connectors/x/status: Service Unavailable');
    expect(err.hint).toContain('/health');
    expect(fake.requests.length).toBeGreaterThan(1);
  });

  it('gives up on transient answers once the retry budget is spent', async () => {
    fake.on('GET', '/connectors/x/config', { status: 409, body: { error_code: 409, message: 'rebalance in progress' } });
    let clock = 0;
    const c = await createConnectClient(options({ retryBudgetMs: 1000 }), new Redactor(), {
      sleep: async (ms) => {
        clock += ms;
      },
      now: () => clock,
    });
    const err = await thrown(c.config('x'));
    expect(err.message).toContain('rebalance in progress');
    // 100 + 200 + 400 ms of backoff fit in 1 s; the next (800 ms) would not.
    expect(fake.requests).toHaveLength(4);
  });

  it('does not retry 409 "already exists"', async () => {
    fake.on('PUT', '/connectors/rec-holding/config', { status: 409, body: recorded('post-409-exists') });
    const err = await thrown((await client()).putConfig('rec-holding', {}));
    expect(err.message).toBe('Connector rec-holding already exists');
    expect(fake.requests).toHaveLength(1);
  });

  it('maps 404 to NotFoundError with the server message', async () => {
    fake.on('GET', '/connectors/nope-404/status', { status: 404, body: recorded('get-404') });
    const err = await thrown((await client()).status('nope-404'));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.exitCode).toBe(ExitCode.NOT_FOUND);
    expect(err.message).toBe("connector 'nope-404' not found");
  });

  it('understands a plain-text 401 from the basic-auth extension and sends credentials', async () => {
    fake.on('GET', '/connectors?expand=status&expand=info', { status: 401, body: 'User cannot access the resource.', contentType: 'text/plain' });
    const err = await thrown((await client({ username: 'alice', password: 'pw-123456' })).listExpanded());
    expect(err.message).toContain('refused the credentials: User cannot access the resource.');
    expect(err.exitCode).toBe(ExitCode.RUNTIME);
    expect(fake.requests[0].headers.authorization).toBe(`Basic ${Buffer.from('alice:pw-123456').toString('base64')}`);
  });

  it('turns 400 into ConnectBadRequestError and redacts secrets it has seen', async () => {
    fake.on('PUT', '/connectors/rec-bad/config', { status: 400, body: { error_code: 400, message: 'bad value Sup3r-S3cret for database.password' } });
    const c = await client();
    const err = await thrown(c.putConfig('rec-bad', { 'database.password': 'Sup3r-S3cret' }));
    expect(err).toBeInstanceOf(ConnectBadRequestError);
    expect(err.exitCode).toBe(ExitCode.INVALID_INPUT);
    expect(err.message).toBe('bad value ******** for database.password');
  });

  it('says the stack is not running when the connection is refused', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const err = await thrown((await client({ url })).server());
    expect(err.message).toBe(`cannot reach Kafka Connect at ${url} — is the stack running?`);
    expect(err.exitCode).toBe(ExitCode.RUNTIME);
    expect(err.hint).toContain('--connect-url');
  });

  it('times out slow answers with the limit in the message', async () => {
    fake.on('GET', '/', { status: 200, body: recorded('root'), delayMs: 1500 });
    const err = await thrown((await client({ timeoutMs: 200 })).server());
    expect(err.message).toContain('did not answer within 200 ms');
    expect(err.hint).toContain('--timeout');
  });

  it('keeps 64-bit offsets exact', async () => {
    fake.on('GET', '/', { status: 200, body: recorded('root') });
    fake.on('GET', '/connectors/rec-holding/offsets', {
      status: 200,
      body: '{"offsets":[{"partition":{"server":"rec"},"offset":{"lsn":18446744073709551615,"txId":765,"ts_usec":1795317684383211}}]}',
    });
    const offsets = await readOffsets(await client(), 'rec-holding');
    expect(offsets[0].offset).toEqual({ lsn: '18446744073709551615', txId: 765, ts_usec: 1795317684383211 });
  });

  it('parses recorded offsets', async () => {
    fake.on('GET', '/', { status: 200, body: recorded('root') });
    fake.on('GET', '/connectors/rec-holding/offsets', { status: 200, body: recorded('offsets') });
    const offsets = await readOffsets(await client(), 'rec-holding');
    expect(offsets).toEqual(JSON.parse(recorded('offsets')).offsets);
  });

  it('refuses offsets on a worker older than 3.5', async () => {
    fake.on('GET', '/', { status: 200, body: { version: '3.4.1', commit: 'x', kafka_cluster_id: 'y' } });
    const err = await thrown(readOffsets(await client(), 'rec-holding'));
    expect(err.message).toBe('reading offsets needs Kafka Connect 3.5.0 or later; this worker runs 3.4.1');
    expect(fake.requests.map((r) => r.url)).toEqual(['/']);
  });

  it('resets offsets: stop, wait for STOPPED, delete (retrying a 400 while stopping)', async () => {
    fake.on('GET', '/', { status: 200, body: recorded('root') });
    fake.on('GET', '/connectors/rec-holding/status', { status: 200, body: recorded('status-running') }, { status: 200, body: recorded('status-stopped') });
    fake.on('PUT', '/connectors/rec-holding/stop', { status: 204 });
    fake.on(
      'DELETE',
      '/connectors/rec-holding/offsets',
      { status: 400, body: recorded('delete-offsets-400-not-stopped') },
      { status: 200, body: recorded('delete-offsets-200') },
    );
    const result = await resetOffsets(await client(), 'rec-holding', { sleep: async () => undefined });
    expect(result.stopped).toBe(true);
    expect(result.message).toContain('have been reset successfully');
    expect(fake.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /',
      'GET /connectors/rec-holding/status',
      'PUT /connectors/rec-holding/stop',
      'GET /connectors/rec-holding/status',
      'DELETE /connectors/rec-holding/offsets',
      'GET /connectors/rec-holding/status',
      'DELETE /connectors/rec-holding/offsets',
    ]);
  });

  it('returns the restart status of a 202', async () => {
    fake.on('POST', '/connectors/rec-holding/restart?includeTasks=true&onlyFailed=false', { status: 202, body: recorded('restart-202') });
    const status = await (await client()).restart('rec-holding', { includeTasks: true });
    expect(status?.tasks[0].state).toBe('RESTARTING');
  });
});

describe('resolveConnectOptions', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-connect-opts-'));
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      currentContext: 'dev',
      contexts: {
        dev: { connectUrl: 'http://dev:8083', connectUsername: 'bob', connectPasswordEnv: 'DEV_CONNECT_PW' },
        prod: { connectUrl: 'https://prod:8443', connectCaFile: '/etc/ca.pem' },
      },
    }),
  );
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('follows flag > CDC_CONNECT_URL > context > default', async () => {
    const env = { CDC_CONFIG: file, CDC_CONNECT_URL: 'http://env:8083' };
    expect((await resolveConnectOptions({ connectUrl: 'http://flag:8083' }, env)).url).toBe('http://flag:8083');
    expect((await resolveConnectOptions({}, env)).url).toBe('http://env:8083');
    const fromContext = await resolveConnectOptions({}, { CDC_CONFIG: file, DEV_CONNECT_PW: 'pw' });
    expect(fromContext).toMatchObject({ url: 'http://dev:8083', urlSource: 'context:dev', username: 'bob', password: 'pw' });
    const prod = await resolveConnectOptions({}, { CDC_CONFIG: file }, 'prod');
    expect(prod).toMatchObject({ url: 'https://prod:8443', caFile: '/etc/ca.pem' });
    const none = await resolveConnectOptions({}, { CDC_CONFIG: path.join(dir, 'missing.json') });
    expect(none).toMatchObject({ url: 'http://localhost:8083', urlSource: 'default' });
  });

  it('takes credentials out of the URL so that it can be printed', async () => {
    const opts = await resolveConnectOptions({ connectUrl: 'http://u:p%40ss@host:8083/' }, { CDC_CONFIG: file });
    expect(opts).toMatchObject({ url: 'http://host:8083', username: 'u', password: 'p@ss' });
  });

  it('rejects an unknown context and a bad URL as usage errors', async () => {
    await expect(resolveConnectOptions({}, { CDC_CONFIG: file }, 'nope')).rejects.toMatchObject({ exitCode: ExitCode.USAGE });
    await expect(resolveConnectOptions({ connectUrl: 'ftp://x' }, { CDC_CONFIG: file })).rejects.toMatchObject({ exitCode: ExitCode.USAGE });
  });
});

describe('HTTPS with a custom CA', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-tls-'));
  const tlsFake = new FakeConnect();
  const mtlsFake = new FakeConnect();
  /** Servers whose certificate is wrong in one way each (issue 12 item 8: each cause named). */
  const wrongHost = new FakeConnect();
  const expired = new FakeConnect();
  const selfSigned = new FakeConnect();
  beforeAll(async () => {
    const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    /** The server's request signed by the test CA, with the names of an extensions file. */
    const signServer = (out: string, extensions: string) =>
      run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', out, '-days', '2', '-extfile', extensions]);
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=cdc test CA']);
    run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
    fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    signServer('server.pem', 'ext.cnf');
    run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=cdc client']);
    run(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '2']);
    const read = (f: string) => fs.readFileSync(path.join(dir, f));
    await tlsFake.start({ key: read('server.key'), cert: read('server.pem') });
    tlsFake.on('GET', '/', { status: 200, body: recorded('root') });
    await mtlsFake.start({ key: read('server.key'), cert: read('server.pem'), ca: read('ca.pem'), requestCert: true, rejectUnauthorized: true });
    mtlsFake.on('GET', '/', { status: 200, body: recorded('root') });
    // Signed by the CA, but for another host name.
    fs.writeFileSync(path.join(dir, 'other.cnf'), 'subjectAltName=DNS:connect.example.com\n');
    signServer('other-host.pem', 'other.cnf');
    // Signed by the CA for the right host, valid for one day in 2020.
    fs.writeFileSync(
      path.join(dir, 'ca.cnf'),
      '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n',
    );
    fs.writeFileSync(path.join(dir, 'index.txt'), '');
    fs.writeFileSync(path.join(dir, 'serial'), '01\n');
    run([
      'ca',
      '-config',
      'ca.cnf',
      '-batch',
      '-notext',
      '-in',
      'server.csr',
      '-out',
      'expired.pem',
      '-cert',
      'ca.pem',
      '-keyfile',
      'ca.key',
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '20200102000000Z',
      '-extfile',
      'ext.cnf',
    ]);
    // Its own issuer.
    run(['req', '-x509', '-key', 'server.key', '-out', 'self.pem', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
    for (const [fake, cert] of [
      [wrongHost, 'other-host.pem'],
      [expired, 'expired.pem'],
      [selfSigned, 'self.pem'],
    ] as const) {
      await fake.start({ key: read('server.key'), cert: read(cert) });
      fake.on('GET', '/', { status: 200, body: recorded('root') });
    }
  });
  afterAll(async () => {
    await tlsFake.stop();
    await mtlsFake.stop();
    for (const fake of [wrongHost, expired, selfSigned]) await fake.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fails with a hint to pass --ca-file, and works with it', async () => {
    const without = await thrown((await client({ url: tlsFake.url })).server());
    expect(without.message).toContain('TLS handshake with Kafka Connect');
    expect(without.hint).toContain('--ca-file');
    const withCa = await client({ url: tlsFake.url, caFile: path.join(dir, 'ca.pem') });
    expect((await withCa.server()).version).toBe('4.1.1');
  });

  it('names the real cause of a refused certificate: host name, expiry, self-signed, unknown CA', async () => {
    const ca = path.join(dir, 'ca.pem');
    const host = await thrown((await client({ url: wrongHost.url, caFile: ca })).server());
    expect(host.message).toContain("Kafka Connect's certificate is not valid for host 127.0.0.1");
    expect(host.message).toContain('connect.example.com');
    expect(host.hint).toContain('subjectAltName');
    expect(host.hint).not.toMatch(/pass the CA/);
    const old = await thrown((await client({ url: expired.url, caFile: ca })).server());
    expect(old.message).toContain("Kafka Connect's certificate has expired");
    expect(old.hint).toContain('renew');
    expect(old.hint).not.toMatch(/pass the CA/);
    const self = await thrown((await client({ url: selfSigned.url })).server());
    expect(self.message).toContain('self-signed');
    expect(self.hint).toContain('pass that certificate itself with --ca-file');
    const unknown = await thrown((await client({ url: tlsFake.url })).server());
    expect(unknown.message).toContain('signed by a CA that is not trusted here');
    expect(unknown.hint).toContain('pass the CA that signed it');
    // https:// to a plain-HTTP port.
    const plain = new FakeConnect();
    await plain.start();
    try {
      const notTls = await thrown((await client({ url: plain.url.replace('http:', 'https:') })).server());
      expect(notTls.message).toContain('did not answer in TLS');
      expect(notTls.hint).toContain('http://');
    } finally {
      await plain.stop();
    }
  });

  it('presents a client certificate for mutual TLS', async () => {
    const ca = path.join(dir, 'ca.pem');
    await expect((await client({ url: mtlsFake.url, caFile: ca })).server()).rejects.toThrow(/Kafka Connect/);
    const withCert = await client({ url: mtlsFake.url, caFile: ca, certFile: path.join(dir, 'client.pem'), keyFile: path.join(dir, 'client.key') });
    expect((await withCert.server()).version).toBe('4.1.1');
    await expect(client({ url: mtlsFake.url, caFile: ca, certFile: path.join(dir, 'client.pem') })).rejects.toThrow(/--cert-file and --key-file/);
  });
});
