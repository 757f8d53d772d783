/**
 * Names a shell completion offers from the running services: connectors (Kafka Connect), topics
 * (Kafka), contexts (the config file). A completion must never keep the shell waiting, so each
 * lookup has a short time limit and any failure, slow answer or missing service gives no names.
 */
import type { Settings } from '../settings';

export type LiveKind = 'connectors' | 'topics' | 'contexts';

export interface LiveOptions {
  env: NodeJS.ProcessEnv;
  /** Resolved settings (ctx.settings): a bad setting is read inside the lookup and gives no names. */
  settings: Pick<Settings, 'connect' | 'kafka'>;
  timeoutMs: number;
}

export async function liveNames(kind: LiveKind, options: LiveOptions): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), options.timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([lookUp(kind, options).catch(() => []), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function lookUp(kind: LiveKind, options: LiveOptions): Promise<string[]> {
  if (kind === 'contexts') {
    const { listContexts } = await import('../config/contexts');
    return (await listContexts(options.env)).map((c) => c.name);
  }
  if (kind === 'connectors') return connectors(options);
  return topics(options);
}

async function connectors(options: LiveOptions): Promise<string[]> {
  const { connectOptions, createConnectClient } = await import('../connect/connection');
  const resolved = connectOptions(options.settings.connect, { timeout: String(options.timeoutMs / 1000) });
  // One attempt: a worker in a rebalance is not worth a wait here.
  const client = await createConnectClient({ ...resolved, retryBudgetMs: 0 });
  const raw = await client.request('GET', '/connectors');
  const names = JSON.parse(raw.text) as unknown;
  return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string').sort() : [];
}

async function topics(options: LiveOptions): Promise<string[]> {
  const { createKafka } = await import('../kafka/client');
  const kafka = await createKafka(options.settings.kafka, {
    clientId: 'cdc-completion',
    connectionTimeoutMs: options.timeoutMs,
    requestTimeoutMs: options.timeoutMs,
    retries: 0,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    // Kafka's own topics (__consumer_offsets) are nothing a user watches.
    return (await admin.listTopics()).filter((t) => !t.startsWith('__')).sort();
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
