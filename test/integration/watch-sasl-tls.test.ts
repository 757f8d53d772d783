/**
 * `cdc watch`'s SASL and TLS options against a real broker. The shared stack's broker speaks
 * plaintext only, so this test starts a private single-node KRaft broker (the stack's jars, a
 * temporary folder, free ports) with three more listeners: SASL_PLAINTEXT (PLAIN and
 * SCRAM-SHA-256), SSL with a certificate from a throw-away CA, and SSL that requires a client
 * certificate. Each option must reach the broker: the right settings read the topic, wrong ones
 * fail with a clear error in bounded time (never a hang or a stack trace).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { describeResult, runCli, type CliResult } from '../helpers/run-cli';
import { freePorts, privateStackFolder } from '../helpers/private-stack';
import { startJava, waitForBroker } from '../../src/stack/kafka';
import type { StackLayout } from '../../src/stack/layout';
import { stopProcess } from '../../src/stack/processes';
import { runTool } from '../../src/stack/run-tool';
import { renderConfigs } from '../../src/stack/templates';
import { changeValue, keyOf, produce } from './watch-helpers';

const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
const topic = `secureit.${process.pid}.bank.holding`;
const PASSWORD = 'alice-secret';
let dir: string;
let layout: StackLayout;
let brokerPid: number | undefined;
const ports = { plain: 0, sasl: 0, tls: 0, mtls: 0, controller: 0 };
const pem = (name: string) => path.join(dir, 'tls', name);

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
function makeCertificates(): void {
  const tls = path.join(dir, 'tls');
  fs.mkdirSync(tls);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: tls, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=cdc-test-ca', '-keyout', 'ca.key', '-out', 'ca.pem');
  fs.writeFileSync(path.join(tls, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const name of ['server', 'client']) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      ...(name === 'server' ? ['-extfile', 'san.ext'] : []),
      '-out',
      `${name}.pem`,
    );
    // Kafka's PEM keystore wants the unencrypted PKCS#8 key and the certificate in one file.
    const key = ssl('pkcs8', '-topk8', '-nocrypt', '-in', `${name}.key`).toString();
    fs.writeFileSync(path.join(tls, `${name}.keystore.pem`), key + fs.readFileSync(path.join(tls, `${name}.pem`), 'utf8'));
  }
  fs.writeFileSync(path.join(tls, 'client-key.pem'), ssl('pkcs8', '-topk8', '-nocrypt', '-in', 'client.key'));
}

/** The stack's server.properties with the secured listeners added. */
function secureServerProperties(): void {
  const file = path.join(layout.conf, 'server.properties');
  const listeners = `PLAINTEXT://127.0.0.1:${ports.plain},SASL_PLAINTEXT://127.0.0.1:${ports.sasl},SSL://127.0.0.1:${ports.tls},MTLS://127.0.0.1:${ports.mtls}`;
  const text = fs
    .readFileSync(file, 'utf8')
    .replace(/^listeners=.*$/m, `listeners=${listeners},CONTROLLER://127.0.0.1:${ports.controller}`)
    .replace(/^advertised\.listeners=.*$/m, `advertised.listeners=${listeners},CONTROLLER://127.0.0.1:${ports.controller}`)
    .replace(
      /^listener\.security\.protocol\.map=.*$/m,
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,MTLS:SSL',
    );
  const keystore = (listener: string) => [
    `listener.name.${listener}.ssl.keystore.type=PEM`,
    `listener.name.${listener}.ssl.keystore.location=${pem('server.keystore.pem')}`,
    `listener.name.${listener}.ssl.truststore.type=PEM`,
    `listener.name.${listener}.ssl.truststore.location=${pem('ca.pem')}`,
  ];
  fs.writeFileSync(
    file,
    [
      text,
      'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256',
      `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="${PASSWORD}";`,
      'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      ...keystore('ssl'),
      ...keystore('mtls'),
      'listener.name.mtls.ssl.client.auth=required',
      '',
    ].join('\n'),
  );
}

beforeAll(async () => {
  ({ dir, layout } = privateStackFolder('cdc-watch-secure-'));
  const names = Object.keys(ports) as (keyof typeof ports)[];
  const free = await freePorts(names.length + 2);
  names.forEach((name, i) => {
    ports[name] = free[i];
  });
  renderConfigs(layout, { kafka: ports.plain, controller: ports.controller, connect: free[names.length], pg: free[names.length + 1] });
  makeCertificates();
  secureServerProperties();
  // Formatting is where KRaft takes SCRAM credentials (there is no broker yet to store them).
  const format = await runTool(
    java,
    [
      '-Xmx256m',
      `-Dlog4j2.configurationFile=${path.join(layout.conf, 'log4j2.properties')}`,
      '-cp',
      `${layout.lib}/*`,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      'c2VjdXJlaXRjbHVzdGVyMQ',
      '-c',
      path.join(layout.conf, 'server.properties'),
      '--standalone',
      '--add-scram',
      `SCRAM-SHA-256=[name=alice,password=${PASSWORD}]`,
    ],
    { logFile: layout.log('kafka'), cwd: dir },
  );
  if (format.code !== 0) throw new Error(`storage format failed:\n${fs.readFileSync(layout.log('kafka'), 'utf8')}`);
  brokerPid = startJava(layout, java, 'kafka');
  await waitForBroker(layout, brokerPid, ports.plain, 90_000);

  const kafka = new Kafka({ clientId: 'secure-it', brokers: [`127.0.0.1:${ports.plain}`], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  await produce(
    kafka,
    topic,
    [1, 2, 3].map((id) => ({ key: keyOf(id), value: changeValue('c', id, 10, Date.now()) })),
  );
}, 180_000);

afterAll(async () => {
  if (brokerPid !== undefined) await stopProcess(brokerPid, 20_000);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function watch(port: number, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(['watch', topic, '--exit-at-end', '--brokers', `127.0.0.1:${port}`, ...args], {
    env: { CDC_KAFKA_PASSWORD: '', CDC_KAFKA_SASL_MECHANISM: '', CDC_KAFKA_SASL_USERNAME: '', CDC_KAFKA_SSL: '', ...env },
    timeoutMs: 60_000,
  });
}

function expectEvents(result: CliResult): void {
  expect({ code: result.code, lines: result.stdout.trim().split('\n').length }).toEqual({ code: 0, lines: 3 });
  expect(result.stdout.trim().split('\n')).toEqual([1, 2, 3].map((id) => expect.stringContaining(`"holding_id":${id}`)));
}

function expectCleanFailure(result: CliResult, message: RegExp, hint: RegExp): void {
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(message) });
  expect(result.stderr).toMatch(hint);
  expect(result.stdout).toBe('');
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('SASL', () => {
  it('--sasl-mechanism plain with the password from CDC_KAFKA_PASSWORD reads the topic', async () => {
    // --verbose with kafkajs's debug log: the password must still never be printed.
    const result = await watch(ports.sasl, ['--sasl-mechanism', 'plain', '--sasl-username', 'alice', '--verbose'], {
      CDC_KAFKA_PASSWORD: PASSWORD,
      CDC_KAFKA_DEBUG: '1',
    });
    try {
      expectEvents(result);
      expect(result.stderr).toMatch(/kafkajs/);
      expect(result.stderr).not.toContain(PASSWORD);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${describeResult(result)}`);
    }
  }, 90_000);

  it('scram-sha-256 from the environment variables alone reads the topic', async () => {
    const result = await watch(ports.sasl, [], {
      CDC_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
      CDC_KAFKA_SASL_USERNAME: 'alice',
      CDC_KAFKA_PASSWORD: PASSWORD,
    });
    try {
      expectEvents(result);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${describeResult(result)}`);
    }
  }, 90_000);

  it('a wrong password is a clear credentials error that does not show the password', async () => {
    const started = Date.now();
    const result = await watch(ports.sasl, ['--sasl-mechanism', 'scram-sha-256', '--sasl-username', 'alice'], { CDC_KAFKA_PASSWORD: 'not-the-password' });
    try {
      expectCleanFailure(result, /error: Kafka at 127\.0\.0\.1:\d+ refused the credentials/, /hint: check --sasl-mechanism/);
      expect(result.stderr).not.toContain('not-the-password');
      expect(Date.now() - started).toBeLessThan(30_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${describeResult(result)}`);
    }
  }, 90_000);
});

describe('TLS', () => {
  it("--ca-file trusts the broker's CA and reads the topic", async () => {
    const result = await watch(ports.tls, ['--ca-file', pem('ca.pem')]);
    try {
      expectEvents(result);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${describeResult(result)}`);
    }
  }, 90_000);

  it('--ssl without the CA fails on the certificate, clearly and in bounded time; --insecure (alone) then reads', async () => {
    const started = Date.now();
    const refused = await watch(ports.tls, ['--ssl']);
    try {
      expectCleanFailure(refused, /error: .*Kafka at 127\.0\.0\.1:\d+.*certificate/, /hint: .*not trusted.*--ca-file/);
      expect(Date.now() - started).toBeLessThan(30_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${describeResult(refused)}`);
    }
    const insecure = await watch(ports.tls, ['--insecure']);
    try {
      expectEvents(insecure);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${describeResult(insecure)}`);
    }
  }, 90_000);

  it('plaintext to a TLS listener is a clear error in bounded time that suggests --ssl', async () => {
    const started = Date.now();
    const result = await watch(ports.tls, []);
    try {
      expectCleanFailure(result, /error: cannot reach Kafka at 127\.0\.0\.1:\d+/, /hint: .*--ssl/);
      expect(Date.now() - started).toBeLessThan(30_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${describeResult(result)}`);
    }
  }, 90_000);

  it('mutual TLS: --cert-file and --key-file are presented to a broker that requires them', async () => {
    const result = await watch(ports.mtls, ['--ca-file', pem('ca.pem'), '--cert-file', pem('client.pem'), '--key-file', pem('client-key.pem')]);
    try {
      expectEvents(result);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${describeResult(result)}`);
    }
    const without = await watch(ports.mtls, ['--ca-file', pem('ca.pem')]);
    try {
      expectCleanFailure(without, /error: .*Kafka at 127\.0\.0\.1:\d+/, /hint: .*client certificate.*--cert-file/);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${describeResult(without)}`);
    }
  }, 90_000);
});
