/**
 * Helpers for the `cdc watch` integration tests: long-running `cdc watch` subprocesses whose output
 * is read while they run, unique names, and Debezium-shaped records for topics the tests fill
 * themselves (the pipeline test uses real Debezium output instead).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { CDC_BIN } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}`;
}

export function testKafka(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [stackUrls().brokers], logLevel: logLevel.NOTHING });
}

/** A `cdc watch` (or any cdc command) running in the background. */
export class CdcProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [CDC_BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', CDC_BROKERS: stackUrls().brokers, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.on('data', (c: Buffer) => {
      this.stdout += c.toString('utf8');
    });
    this.child.stderr.on('data', (c: Buffer) => {
      this.stderr += c.toString('utf8');
    });
    this.child.stdin.end();
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => resolve({ code, signal })));
  }

  /** Complete lines written so far. */
  lines(): string[] {
    const end = this.stdout.lastIndexOf('\n');
    return end < 0 ? [] : this.stdout.slice(0, end).split('\n');
  }

  describe(): string {
    return `--- stdout (${this.lines().length} lines, last 2000 chars) ---\n${this.stdout.slice(-2000)}\n--- stderr ---\n${this.stderr}`;
  }

  async waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (this.child.exitCode !== null) throw new Error(`cdc exited (${this.child.exitCode}) while waiting for ${what}\n${this.describe()}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${this.describe()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGINT', timeoutMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A schemaless Debezium create/update/delete payload for table `table` (schema `bank`). */
export function changeValue(op: 'c' | 'u' | 'd', id: number, quantity: number, commitMs: number): string {
  const row = `{"holding_id":${id},"big":9007199254740993,"holding_quantity":${quantity}}`;
  const before = op === 'c' ? 'null' : row.replace(`"holding_quantity":${quantity}`, `"holding_quantity":${quantity - 1}`);
  const after = op === 'd' ? 'null' : row;
  return `{"before":${before},"after":${after},"source":{"version":"3.4.3.Final","connector":"postgresql","name":"it","ts_ms":${commitMs},"snapshot":"false","db":"postgres","schema":"bank","table":"holding","txId":1,"lsn":1},"transaction":null,"op":"${op}","ts_ms":${commitMs + 5}}`;
}

export function keyOf(id: number): string {
  return `{"holding_id":${id}}`;
}

export async function produce(kafka: Kafka, topic: string, messages: Message[]): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 1000) {
      await producer.send({ topic, messages: messages.slice(i, i + 1000), acks: -1 });
    }
  } finally {
    await producer.disconnect();
  }
}
