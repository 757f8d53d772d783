/**
 * The consuming loop of `cdc watch`: checks the topics, works out where each partition starts and
 * (with --exit-at-end) where it stops, then hands batches of records to the caller's writer and
 * only afterwards moves on — and, with --group, commits the offsets of what was written.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { createKafka, kafkaError, type KafkaLog } from '../kafka/client';
import { fixedAssigner } from '../kafka/fixed-assigner';
import type { KafkaSettings } from '../kafka/options';
import { key, planPartitions, type PartitionState } from './plan';
import type { StartPosition } from './positions';
import type { WatchRecord } from './record';

export interface WatchPlan {
  topics: string[];
  start: StartPosition;
  /** Only these partitions (without --group). */
  partitions?: number[];
  /** Consume as this consumer group; offsets committed after each written batch. */
  group?: string;
  exitAtEnd: boolean;
  maxMessages?: number;
  /** Filters; a record it rejects is read (and committed) but not written. */
  accept?: (record: WatchRecord) => boolean;
  /** How long a lost connection is retried mid-stream before giving up. */
  reconnectForMs: number;
}

export interface WatchCallbacks {
  /** Writes records; resolves once they are handed to the OS (then offsets may be committed). */
  write(records: WatchRecord[]): Promise<void>;
  log?: KafkaLog;
  /** Partitions this process reads, after each (re)assignment. */
  onAssigned?(assigned: Array<{ topic: string; partitions: number[] }>): void;
  /** The connection dropped and is being re-established. */
  onReconnecting?(message: string): void;
}

export type StopReason = 'end' | 'max-messages' | 'interrupted';

export interface WatchSummary {
  reason: StopReason;
  /** Records read from Kafka (before filters). */
  received: number;
  written: number;
  filtered: number;
  tombstones: number;
  partitions: number;
  elapsedMs: number;
}


export async function watchTopics(
  settings: KafkaSettings,
  plan: WatchPlan,
  callbacks: WatchCallbacks,
  signal: AbortSignal,
): Promise<WatchSummary> {
  const startedAt = Date.now();
  const kafkajs = await import('kafkajs');
  const kafka = await createKafka(settings, { clientId: 'cdc-watch', log: callbacks.log });
  // The admin client asks short questions (metadata, offsets): a broker silent for 5 s is an
  // error, where the consumer's long fetches keep the 30 s request timeout.
  const admin = (await createKafka(settings, { clientId: 'cdc-watch', log: callbacks.log, requestTimeoutMs: 5_000 })).admin();
  const states = new Map<string, PartitionState>();
  const counts = { received: 0, written: 0, filtered: 0, tombstones: 0 };
  const summary = (reason: StopReason): WatchSummary => ({
    reason, ...counts, partitions: states.size, elapsedMs: Date.now() - startedAt,
  });

  // --group --exit-at-end keeps the admin client: a partition handed over by another member must
  // be judged by that member's commits, not by the offsets seen at start.
  const keepAdmin = Boolean(plan.group && plan.exitAtEnd);
  // Ctrl-C while connecting (an unreachable broker takes seconds to give up) ends at once as an
  // interruption, not later as a connection error.
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal.aborted) resolve('aborted');
    else signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  try {
    const setup = (async () => {
      await admin.connect().catch((err) => { throw kafkaError(err, settings, 'connecting'); });
      await planPartitions(admin, settings, plan, states);
      return 'ready' as const;
    })();
    if (await Promise.race([setup, aborted]) === 'aborted') {
      // Abandoned: its outcome no longer matters. Disconnecting mid-connect would make kafkajs
      // retry the connection; after the setup settles (5 s at most) it closes cleanly.
      void setup.catch(() => undefined).finally(() => admin.disconnect().catch(() => undefined));
      return summary('interrupted');
    }
  } catch (err) {
    await admin.disconnect().catch(() => undefined);
    if (signal.aborted) return summary('interrupted');
    throw err;
  }
  if (!keepAdmin) await admin.disconnect().catch(() => undefined);
  const allAtEnd = () => [...states.values()].every((s) => BigInt(s.next) >= BigInt(s.end));
  const early: StopReason | undefined = signal.aborted ? 'interrupted'
    : plan.exitAtEnd && !plan.group && allAtEnd() ? 'end'
      : plan.maxMessages === 0 ? 'max-messages' : undefined;
  if (early) {
    if (keepAdmin) await admin.disconnect().catch(() => undefined);
    return summary(early);
  }

  let finish!: (reason: StopReason) => void;
  let fail!: (error: Error) => void;
  let finished = false;
  const stopped = new Promise<StopReason>((resolve, reject) => {
    finish = (reason) => { if (!finished) { finished = true; resolve(reason); } };
    fail = (error) => { if (!finished) { finished = true; reject(error); } };
  });
  const onAbort = () => finish('interrupted');
  signal.addEventListener('abort', onAbort);

  // Partitions this member reads right now; --exit-at-end waits for these only.
  let assigned: string[] = [];
  const checkEnd = () => {
    if (!plan.exitAtEnd || assigned.length === 0) return;
    if (assigned.every((k) => { const s = states.get(k); return !s || BigInt(s.next) >= BigInt(s.end); })) finish('end');
  };

  let lastHealthy = Date.now();
  const partitionMap: Record<string, number[]> = {};
  for (const topic of plan.topics) {
    partitionMap[topic] = [...states.keys()].filter((k) => k.startsWith(`${topic}\u0000`)).map((k) => Number(k.split('\u0000')[1]));
  }
  const groupId = plan.group ?? `cdc-watch-${randomUUID()}`;
  callbacks.log?.('info', `consumer group ${groupId}${plan.group ? '' : ' (throw-away, deleted at the end)'}`);
  const consumer: Consumer = kafka.consumer({
    groupId,
    partitionAssigners: plan.group ? undefined : [fixedAssigner(kafkajs.AssignerProtocol, partitionMap)],
    allowAutoTopicCreation: false,
    // Big fetches: a Debezium record with its schema is 1–3 KB, and throughput matters for replays.
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
    maxWaitTimeInMs: 500,
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
    retry: {
      retries: 5,
      initialRetryTime: 300,
      maxRetryTime: 3000,
      // A broker restart is survived: kafkajs restarts the consumer until the outage lasts too long.
      restartOnFailure: async () => Date.now() - lastHealthy < plan.reconnectForMs,
    },
  });

  // Offsets written out but not committed because a rebalance got in the way. Committed (and
  // sought to) after the next join if this member still owns the partition; otherwise the new
  // owner re-reads from the last commit: at-least-once, never lost.
  const uncommitted = new Map<string, string>();
  const commit = async (topic: string, partition: number, offset: string) => {
    try {
      await consumer.commitOffsets([{ topic, partition, offset }]);
      uncommitted.delete(key(topic, partition));
    } catch (err) {
      uncommitted.set(key(topic, partition), offset);
      callbacks.log?.('warn', `commit of ${topic}[${partition}]@${offset} deferred: ${(err as Error).message}`);
    }
  };

  const catchUpWithCommits = async () => {
    try {
      const committed = await admin.fetchOffsets({ groupId: plan.group!, topics: plan.topics });
      for (const { topic, partitions } of committed) {
        for (const { partition, offset } of partitions) {
          const state = states.get(key(topic, partition));
          if (state && BigInt(offset) > BigInt(state.next)) state.next = offset;
        }
      }
      checkEnd();
    } catch (err) {
      callbacks.log?.('warn', `could not read the group's offsets: ${(err as Error).message}`);
    }
  };

  const { GROUP_JOIN, CRASH, FETCH, END_BATCH_PROCESS } = consumer.events;
  consumer.on(FETCH, () => { lastHealthy = Date.now(); });
  consumer.on(GROUP_JOIN, ({ payload }) => {
    lastHealthy = Date.now();
    const assignment = payload.memberAssignment as Record<string, number[]>;
    assigned = Object.entries(assignment).flatMap(([topic, parts]) => parts.map((p) => key(topic, p)));
    if (!plan.group) {
      // Also after a restart: carry on where the output stopped, not at the group's (absent) offsets.
      for (const k of assigned) {
        const [topic, partition] = k.split('\u0000');
        consumer.seek({ topic, partition: Number(partition), offset: states.get(k)!.next });
      }
    } else {
      if (keepAdmin) void catchUpWithCommits();
      for (const [k, offset] of [...uncommitted]) {
        uncommitted.delete(k);
        if (!assigned.includes(k)) continue;
        const [topic, partition] = k.split('\u0000');
        consumer.seek({ topic, partition: Number(partition), offset });
        void commit(topic, Number(partition), offset);
      }
    }
    callbacks.onAssigned?.(Object.entries(assignment).map(([topic, partitions]) => ({ topic, partitions: [...partitions].sort((a, b) => a - b) })));
    checkEnd();
  });
  consumer.on(END_BATCH_PROCESS, ({ payload }) => {
    // Batches of only control records or compacted-away offsets never reach eachBatch; move past them.
    const state = states.get(key(payload.topic, payload.partition));
    if (state && payload.batchSize === 0 && payload.lastOffset !== null) {
      const after = BigInt(payload.lastOffset) + 1n;
      if (after > BigInt(state.next)) state.next = after.toString();
      checkEnd();
    }
  });
  consumer.on(CRASH, ({ payload }) => {
    if (payload.restart) {
      callbacks.onReconnecting?.(`lost the connection to Kafka (${payload.error.message}); reconnecting`);
    } else {
      fail(kafkaError(payload.error, settings, 'consuming'));
    }
  });

  const eachBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
    if (finished) return;
    const state = states.get(key(batch.topic, batch.partition));
    if (!state) return;
    const end = BigInt(state.end);
    const out: WatchRecord[] = [];
    let last: string | undefined;
    let reachedMax = false;
    for (const message of batch.messages) {
      if (finished || !isRunning() || isStale()) break;
      if (plan.exitAtEnd && BigInt(message.offset) >= end) break;
      counts.received += 1;
      last = message.offset;
      const record = toRecord(batch.topic, batch.partition, message);
      if (plan.accept && !plan.accept(record)) {
        counts.filtered += 1;
        continue;
      }
      out.push(record);
      if (plan.maxMessages !== undefined && counts.written + out.length >= plan.maxMessages) {
        reachedMax = true;
        break;
      }
    }
    if (out.length > 0) {
      await callbacks.write(out);
      counts.written += out.length;
      for (const r of out) if (r.value === null) counts.tombstones += 1;
    }
    if (last !== undefined) {
      resolveOffset(last);
      state.next = (BigInt(last) + 1n).toString();
      if (plan.group) await commit(batch.topic, batch.partition, state.next);
    }
    if (reachedMax) finish('max-messages');
    checkEnd();
    if (!finished) await heartbeat();
  };

  let reason: StopReason;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: plan.topics, fromBeginning: plan.start.kind !== 'end' });
    await Promise.race([
      consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch }),
      stopped,
    ]);
    reason = await stopped;
  } catch (err) {
    if (err instanceof Error && err.name.startsWith('KafkaJS')) throw kafkaError(err, settings, 'consuming');
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
    // Waits for a batch in flight to be written (and committed), then leaves the group so that
    // another member of a --group takes over the partitions at once.
    await consumer.disconnect().catch(() => undefined);
    if (keepAdmin) await admin.disconnect().catch(() => undefined);
  }
  if (!plan.group) await deleteGroup(kafka, groupId);
  return summary(reason);
}

/** Removes the throw-away group (it holds no offsets) so runs leave no Empty groups behind. Best effort, ≤ 3 s. */
async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  const attempt = (async () => {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  })().catch(() => undefined);
  await Promise.race([attempt, new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
  await admin.disconnect().catch(() => undefined);
}

function toRecord(topic: string, partition: number, message: KafkaMessage): WatchRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key ?? null,
    value: message.value ?? null,
    headers: (message.headers ?? {}) as Record<string, unknown>,
  };
}
