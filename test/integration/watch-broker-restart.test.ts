/**
 * `cdc watch` survives a broker restart mid-stream. Restarting the shared stack's broker would break
 * every other test running beside this one, so this test starts a private single-node KRaft broker
 * of its own (the stack's jars and config templates, a temporary folder, free ports), stops it while
 * `cdc watch` follows a topic, starts it again, and checks that every event arrives exactly once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePorts, privateStackFolder } from '../helpers/private-stack';
import { formatStorage, newClusterId, startJava, waitForBroker } from '../../src/stack/kafka';
import type { StackLayout } from '../../src/stack/layout';
import { stopProcess } from '../../src/stack/processes';
import { renderConfigs } from '../../src/stack/templates';
import { CdcProcess, changeValue, keyOf, produce } from './watch-helpers';

const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
const topic = `restartit.${process.pid}.bank.holding`;
let dir: string;
let layout: StackLayout;
let port: number;
let brokerPid: number | undefined;
let watcher: CdcProcess | undefined;

async function startBroker(): Promise<void> {
  brokerPid = startJava(layout, java, 'kafka');
  await waitForBroker(layout, brokerPid, port, 90_000);
}

async function stopBroker(): Promise<void> {
  if (brokerPid !== undefined) await stopProcess(brokerPid, 20_000);
  brokerPid = undefined;
  // The next start must not see the previous start's "started" line.
  fs.writeFileSync(layout.log('kafka'), '');
}

beforeAll(async () => {
  ({ dir, layout } = privateStackFolder('cdc-watch-restart-'));
  const [kafkaPort, controller, connect, pg] = await freePorts(4);
  port = kafkaPort;
  renderConfigs(layout, { kafka: port, controller, connect, pg });
  await formatStorage(layout, java, newClusterId());
  await startBroker();
}, 180_000);

afterAll(async () => {
  await watcher?.stop('SIGKILL');
  await stopBroker();
  fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

it('keeps following a topic across a broker restart, losing and repeating nothing', async () => {
  const brokers = `127.0.0.1:${port}`;
  const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 10 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();
  const batch = (from: number) =>
    Array.from({ length: 50 }, (_, i) => ({
      partition: (from + i) % 2,
      key: keyOf(from + i),
      value: changeValue('c', from + i, 1, 1_700_000_000_000),
    }));

  await produce(kafka, topic, batch(0));
  watcher = new CdcProcess(['watch', topic, '--brokers', brokers]);
  await watcher.waitFor('the first 50 events', () => watcher!.lines().length >= 50);

  await stopBroker();
  await new Promise((r) => setTimeout(r, 3000));
  expect(watcher.child.exitCode).toBeNull();
  await startBroker();

  const again = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 10 } });
  await produce(again, topic, batch(50));
  await watcher.waitFor('the 50 events produced after the restart', () => watcher!.lines().length >= 100, 120_000);
  await new Promise((r) => setTimeout(r, 1000));

  const ids = watcher.lines().map((l) => (JSON.parse(l) as { after: { holding_id: number } }).after.holding_id);
  expect(ids).toHaveLength(100);
  expect(new Set(ids).size).toBe(100);
  const { code } = await watcher.stop('SIGINT');
  expect(code).toBe(130);
}, 300_000);

it('gives up with a clear error when the broker stays away longer than --reconnect-for', async () => {
  const brokers = `127.0.0.1:${port}`;
  watcher = new CdcProcess(['watch', topic, '--brokers', brokers, '--reconnect-for', '5']);
  await watcher.waitFor('the events so far', () => watcher!.lines().length >= 100);
  await stopBroker();
  const started = Date.now();
  const timeout = setTimeout(() => watcher!.child.kill('SIGKILL'), 90_000);
  const { code } = await watcher.exited;
  clearTimeout(timeout);
  expect({ code, stderr: watcher.stderr }).toEqual({
    code: 1,
    stderr: expect.stringMatching(/error: cannot reach Kafka at 127\.0\.0\.1:\d+ \(flag\) while consuming/),
  });
  expect(watcher.stderr).not.toMatch(/\n\s+at /);
  expect(Date.now() - started).toBeLessThan(60_000);
}, 120_000);
