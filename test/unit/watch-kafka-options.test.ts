import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExitCode, UsageError } from '../../src/errors';
import { kafkaError } from '../../src/kafka/client';
import { consumerConfig, heartbeatIntervalMs } from '../../src/kafka/consume/kafkajs';
import { createSettings, type SettingsFlags } from '../../src/settings';

/** The resolver as `cdc watch` uses it: its Kafka flags, the environment, --context. */
async function resolveKafkaSettings(flags: SettingsFlags['kafka'], env: NodeJS.ProcessEnv, contextName?: string) {
  return createSettings({ env, flags: { kafka: flags }, contextName }).kafka;
}

let dir: string;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cdc-watch-opts-'));
  const config = path.join(dir, 'config.json');
  await fs.writeFile(
    config,
    JSON.stringify({
      currentContext: 'dev',
      contexts: {
        dev: { brokers: 'ctx-a:9092,ctx-b:9092' },
        prod: { brokers: 'prod:9093', kafkaSaslMechanism: 'scram-sha-512', kafkaSaslUsername: 'cdc', kafkaSaslPasswordEnv: 'PROD_KAFKA_PW', kafkaSsl: 'true' },
      },
    }),
  );
  env = { CDC_CONFIG: config };
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

describe('brokers: --brokers > CDC_BROKERS > config context > localhost:9092', () => {
  it('flag wins', async () => {
    const s = await resolveKafkaSettings({ brokers: 'flag:1' }, { ...env, CDC_BROKERS: 'env:2' });
    expect(s.brokers).toMatchObject({ value: ['flag:1'], source: 'flag' });
  });
  it('then the environment', async () => {
    const s = await resolveKafkaSettings({}, { ...env, CDC_BROKERS: 'env:2, env:3' });
    expect(s.brokers).toMatchObject({ value: ['env:2', 'env:3'], source: 'env:CDC_BROKERS' });
  });
  it('then the current context, or the one chosen with --context', async () => {
    expect((await resolveKafkaSettings({}, env)).brokers).toMatchObject({ value: ['ctx-a:9092', 'ctx-b:9092'], source: 'context:dev' });
    expect((await resolveKafkaSettings({}, { ...env, PROD_KAFKA_PW: 'x' }, 'prod')).brokers.value).toEqual(['prod:9093']);
  });
  it('then the default', async () => {
    const s = await resolveKafkaSettings({}, { CDC_CONFIG: path.join(dir, 'missing.json') });
    expect(s.brokers).toMatchObject({ value: ['localhost:9092'], source: 'default' });
  });
});

describe('SASL and TLS', () => {
  it('takes the password only from the environment variable the context names', async () => {
    const s = await resolveKafkaSettings({}, { ...env, PROD_KAFKA_PW: 's3cret' }, 'prod');
    expect(s.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'cdc', password: 's3cret', passwordEnv: 'PROD_KAFKA_PW' });
    expect(s.ssl).toEqual({ caFile: undefined, certFile: undefined, keyFile: undefined, insecure: false });
  });
  it('says which variable to set when the password is missing', async () => {
    await expect(resolveKafkaSettings({}, env, 'prod')).rejects.toThrow(expect.objectContaining({ hint: 'set the environment variable PROD_KAFKA_PW' }));
  });
  it('flags: mechanism and user, password from CDC_KAFKA_PASSWORD', async () => {
    const s = await resolveKafkaSettings({ saslMechanism: 'PLAIN', saslUsername: 'u' }, { ...env, CDC_KAFKA_PASSWORD: 'pw' });
    expect(s.sasl?.mechanism).toBe('plain');
    expect(s.sasl?.password).toBe('pw');
  });
  it('rejects an unknown mechanism and half a client certificate', async () => {
    await expect(resolveKafkaSettings({ saslMechanism: 'gssapi', saslUsername: 'u' }, env)).rejects.toThrow(UsageError);
    await expect(resolveKafkaSettings({ certFile: 'c.pem' }, env)).rejects.toThrow(/--cert-file and --key-file/);
  });
  it('--ca-file implies TLS', async () => {
    expect((await resolveKafkaSettings({ caFile: 'ca.pem' }, env)).ssl?.caFile).toBe('ca.pem');
    expect((await resolveKafkaSettings({}, env)).ssl).toBeUndefined();
  });
  it('--insecure alone implies TLS (it would otherwise be ignored and connect in plaintext)', async () => {
    expect((await resolveKafkaSettings({ insecure: true }, env)).ssl).toEqual(expect.objectContaining({ insecure: true }));
  });
});

describe('errors', () => {
  it('an unreachable broker names the brokers, where they came from, and what to do', async () => {
    const s = await resolveKafkaSettings({ brokers: 'nowhere:1' }, env);
    const err = Object.assign(new Error('Connection error: connect ECONNREFUSED'), { name: 'KafkaJSConnectionError' });
    const mapped = kafkaError(err, s, 'connecting');
    expect(mapped.message).toBe('cannot reach Kafka at nowhere:1 (flag) while connecting: Connection error: connect ECONNREFUSED');
    expect(mapped.hint).toMatch(/cdc stack status.*--brokers.*--ssl \/ --sasl-mechanism/);
  });
  it("kafkajs's plain 'Broker not connected' is a connection error, not a bare Kafka error", async () => {
    const s = await resolveKafkaSettings({ brokers: 'b:9092' }, env);
    const mapped = kafkaError(new Error('Broker not connected'), s, 'listing topics');
    expect(mapped.message).toBe('cannot reach Kafka at b:9092 (flag) while listing topics: no answer from the broker');
    expect(mapped.hint).toMatch(/cdc stack status/);
  });
  it('TLS failures name the TLS option that is missing, on one line', async () => {
    const s = await resolveKafkaSettings({ brokers: 'b:9093', ssl: true }, env);
    const untrusted = kafkaError(
      Object.assign(new Error('Connection error: unable to verify the first certificate'), { name: 'KafkaJSConnectionError' }),
      s,
      'connecting',
    );
    expect(untrusted.hint).toMatch(/--ca-file.*--insecure/);
    const alert = kafkaError(
      Object.assign(
        new Error(
          'Connection error: 808C:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 42\n',
        ),
        { name: 'KafkaJSConnectionError' },
      ),
      s,
      'connecting',
    );
    expect(alert.message).toBe(
      'cannot reach Kafka at b:9093 (flag) while connecting: Connection error: 808C:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:SSL alert number 42',
    );
    expect(alert.hint).toMatch(/client certificate.*--cert-file/);
  });
  it('a certificate for another host or out of date is not called untrusted: the hint names the real cause', async () => {
    const s = await resolveKafkaSettings({ brokers: 'kafka.internal:9093', ssl: true }, env);
    const connError = (message: string) => kafkaError(Object.assign(new Error(message), { name: 'KafkaJSConnectionError' }), s, 'connecting');
    const host = connError(
      "Connection error: Hostname/IP does not match certificate's altnames: Host: kafka.internal. is not in the cert's altnames: DNS:broker-1",
    );
    expect(host.hint).toMatch(/not valid for host kafka\.internal.*subjectAltName/);
    expect(host.hint).not.toMatch(/pass (its|the) CA/);
    const expired = connError('Connection error: certificate has expired');
    expect(expired.hint).toMatch(/expired.*renew/);
    expect(expired.hint).not.toMatch(/--ca-file/);
    const self = connError('Connection error: self-signed certificate');
    expect(self.hint).toMatch(/self-signed.*--ca-file/);
  });
  it("a session timeout outside the broker's range is a usage error naming --session-timeout", async () => {
    const s = await resolveKafkaSettings({ brokers: 'b:9092' }, env);
    // What kafkajs throws when JoinGroup answers INVALID_SESSION_TIMEOUT (error code 26).
    const refused = Object.assign(new Error('The session timeout is not within the range allowed by the broker'), {
      name: 'KafkaJSProtocolError',
      type: 'INVALID_SESSION_TIMEOUT',
      code: 26,
    });
    const mapped = kafkaError(refused, s, 'consuming');
    expect(mapped.exitCode).toBe(ExitCode.USAGE);
    expect(mapped.message).toMatch(/^Kafka at b:9092 refused the consumer group's session timeout while consuming: .*group\.min\.session\.timeout\.ms/);
    expect(mapped.hint).toMatch(/--session-timeout/);
  });
});

describe('consumer group session timeout', () => {
  const planned = [{ topic: 't', partition: 0 }];
  const config = (sessionTimeoutMs?: number) =>
    consumerConfig(
      { AssignerProtocol: {} } as unknown as typeof import('kafkajs'),
      { topics: ['t'], group: 'g', start: { kind: 'beginning' }, sessionTimeoutMs },
      'g',
      planned,
      () => true,
    );
  it("defaults to Kafka's 30 s with heartbeats every 3 s", () => {
    expect(config()).toMatchObject({ sessionTimeout: 30_000, heartbeatInterval: 3000 });
  });
  it('keeps at least three heartbeats per session when it is short', () => {
    expect(config(6000)).toMatchObject({ sessionTimeout: 6000, heartbeatInterval: 2000 });
    expect(config(7000)).toMatchObject({ sessionTimeout: 7000, heartbeatInterval: 2333 });
    expect(config(120_000)).toMatchObject({ sessionTimeout: 120_000, heartbeatInterval: 3000 });
    for (const session of [1000, 2000, 6000, 9000, 45_000]) expect(heartbeatIntervalMs(session) * 3).toBeLessThanOrEqual(session);
  });
});
