/**
 * kafkajs specifics of the consumer core: the consumer's configuration, heartbeats while a handler
 * works, and removing a throw-away group.
 */
import type { ConsumerConfig, EachBatchPayload, Kafka } from 'kafkajs';
import { fixedAssigner } from '../fixed-assigner';
import type { TopicPartition } from './partitions';
import { byTopic } from './partitions';
import type { ConsumeOptions } from './types';

/** kafkajs's and Kafka's own default. */
export const DEFAULT_SESSION_TIMEOUT_MS = 30_000;

/**
 * Heartbeats every 3 s (kafkajs's default), but at least three per session, as Kafka advises: with a
 * short session timeout one late heartbeat must not drop a live member.
 */
export function heartbeatIntervalMs(sessionTimeoutMs: number): number {
  return Math.max(1, Math.min(3000, Math.floor(sessionTimeoutMs / 3)));
}

export function consumerConfig(
  kafkajs: typeof import('kafkajs'),
  options: ConsumeOptions,
  groupId: string,
  planned: TopicPartition[],
  stillRetrying: () => boolean,
): ConsumerConfig {
  const sessionTimeout = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
  const fixed = Object.fromEntries(byTopic(planned).map((p) => [p.topic, p.partitions]));
  return {
    groupId,
    // Without a group the one member gets exactly the planned partitions (kcat's assign()).
    partitionAssigners: options.group ? undefined : [fixedAssigner(kafkajs.AssignerProtocol, fixed)],
    allowAutoTopicCreation: false,
    // Big fetches: a Debezium record with its schema is 1–3 KB, and throughput matters for replays
    // (1 MB fetches cost a quarter more CPU). 8 MB in all, too: a response is held in one buffer,
    // and past 32 MB glibc maps and unmaps each one (page faults: twice the system time replaying
    // 4 partitions at 32 MB; BENCHMARKS.md, `cdc watch`).
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxBytes: 8 * 1024 * 1024,
    maxWaitTimeInMs: 500,
    sessionTimeout,
    // A member whose handler is still writing gets this long to finish before the group moves on.
    rebalanceTimeout: 60_000,
    heartbeatInterval: heartbeatIntervalMs(sessionTimeout),
    retry: {
      retries: 5,
      initialRetryTime: 300,
      maxRetryTime: 3000,
      // A broker restart is survived: kafkajs restarts the consumer until the outage lasts too long.
      restartOnFailure: async () => stillRetrying(),
    },
  };
}

/**
 * kafkajs heartbeats only between batches: while a handler waits (a slow disk, a full pipe, a
 * database transaction) the member would be dropped after the session timeout. Heartbeat meanwhile,
 * and keep what the group answered (a rebalance) for after the batch.
 */
export function keepAlive(payload: EachBatchPayload, sessionTimeoutMs = DEFAULT_SESSION_TIMEOUT_MS): { stop(): void; error?: Error } {
  const state: { stop(): void; error?: Error } = { stop: () => clearInterval(timer) };
  const timer = setInterval(
    () => {
      payload.heartbeat().catch((err: Error) => {
        state.error ??= err;
      });
    },
    Math.min(1000, heartbeatIntervalMs(sessionTimeoutMs)),
  );
  timer.unref();
  return state;
}

/** Removes a throw-away group (it holds no offsets) so runs leave no Empty groups behind. Best effort, ≤ 3 s. */
export async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  const attempt = (async () => {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  })().catch(() => undefined);
  await Promise.race([attempt, new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
  await admin.disconnect().catch(() => undefined);
}
