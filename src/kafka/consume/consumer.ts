/**
 * The consumer core: runs a kafkajs consumer for `cdc watch` and the sinks. It plans the
 * partitions, places every (re)assigned partition where the offset store says, hands the handler
 * records in batches, moves on (and with a group commits) only once the handler resolved, keeps
 * the group membership alive while the handler is slow, and stops cleanly on the AbortSignal.
 * What each partition is doing lives in one PartitionTracker.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Batch, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { createKafka, kafkaError, type KafkaLog } from '../client';
import { fixedAssigner } from '../fixed-assigner';
import type { KafkaSettings } from '../options';
import { byTopic, fromAssignment, partitionName, type TopicPartition } from './partitions';
import { planPartitions } from './plan';
import type { StartPosition } from './positions';
import { toRecord, type KafkaRecord } from './record';
import { groupOffsetStore, type OffsetStore } from './store';
import { PartitionTracker, type PartitionProgress, type ResumeFrom } from './tracker';

export interface ConsumeOptions {
  topics: string[];
  /** Consume as this consumer group: members share the partitions; commits after each handled batch. */
  group?: string;
  /** Without a group: only these partitions of every topic (default: all). */
  partitions?: number[];
  /** Where a partition starts when nothing is stored for it. */
  start: StartPosition;
  /** The truth for positions (a sink's offsets table). Default: the group's commits, if any. */
  store?: OffsetStore;
  /** Stop once every assigned partition reached the high watermark it had when the run started. */
  exitAtEnd?: boolean;
  /** At most this many records per handler call (default 500): also what a crash can repeat. */
  maxBatchRecords?: number;
  /** Partitions handled at the same time (default 1). */
  concurrency?: number;
  /** How long a lost connection is retried mid-stream before giving up (default 120 s). */
  reconnectForMs?: number;
  clientId?: string;
  /** A member silent this long leaves the group (default 30 s); heartbeats continue while the handler works. */
  sessionTimeoutMs?: number;
}

/** Records of one partition, in offset order. */
export interface RecordBatch extends TopicPartition {
  records: KafkaRecord[];
  /** The offset after the last record: the position to store once the batch is durably handled. */
  next: bigint;
  highWatermark: bigint;
}

/** A handler's answer when it handled only part of a batch; the run then ends. */
export interface PartialBatch {
  /** Records below this offset are durably handled: the position moves (and is committed) here. */
  handledUntil: bigint;
  /** Why it stopped; without one the run ends as 'stopped' (e.g. watch's --max-messages). */
  error?: Error;
}

export interface ConsumeHooks {
  /** Resolves once the records are durably handled; throwing ends the run with that error, nothing of the batch committed. */
  handle(batch: RecordBatch): Promise<void | PartialBatch>;
  log?: KafkaLog;
  /** After each (re)assignment, once the positions of the partitions this process holds are known. */
  onAssigned?(assigned: PartitionProgress[]): void;
  /** After each handled batch: positions and lag of every partition. */
  onProgress?(progress: PartitionProgress[]): void;
  /** The connection dropped and is being re-established. */
  onReconnecting?(message: string): void;
}

export type ConsumeStop = 'end' | 'stopped' | 'interrupted';

export interface ConsumeSummary {
  reason: ConsumeStop;
  /** Records handled. */
  handled: number;
  /** Partitions planned. */
  partitions: number;
  elapsedMs: number;
  progress: PartitionProgress[];
}

export async function consume(settings: KafkaSettings, options: ConsumeOptions, hooks: ConsumeHooks, signal: AbortSignal): Promise<ConsumeSummary> {
  return new ConsumerRun(settings, options, hooks, signal).run();
}

class ConsumerRun {
  private readonly startedAt = Date.now();
  private readonly tracker: PartitionTracker;
  private readonly resumeFrom: ResumeFrom;
  private readonly groupId: string;
  private readonly maxBatch: number;
  private kafkajs!: typeof import('kafkajs');
  private kafka!: Kafka;
  private admin!: Admin;
  private consumer!: Consumer;
  private store?: OffsetStore;
  private handledCount = 0;
  private generation = 0;
  private lastHealthy = Date.now();
  private done = false;
  /**
   * The one commit in flight. The next commit waits for it, and eachBatch for it before returning
   * (so leaving the group or rejoining never races a commit): besides the batch being handled, at
   * most one handled batch is uncommitted.
   */
  private commitInFlight: Promise<void> = Promise.resolve();
  private settle!: { finish(reason: ConsumeStop): void; fail(error: Error): void };
  private readonly stopped: Promise<ConsumeStop>;

  constructor(
    private readonly settings: KafkaSettings,
    private readonly options: ConsumeOptions,
    private readonly hooks: ConsumeHooks,
    private readonly signal: AbortSignal,
  ) {
    this.tracker = new PartitionTracker(Boolean(options.exitAtEnd));
    this.resumeFrom = options.store ? 'store' : options.group ? 'group' : 'own';
    this.groupId = options.group ?? `${options.clientId ?? 'cdc'}-${randomUUID()}`;
    this.maxBatch = options.maxBatchRecords ?? 500;
    this.stopped = new Promise<ConsumeStop>((resolve, reject) => {
      this.settle = {
        finish: (reason) => { if (!this.done) { this.done = true; resolve(reason); } },
        fail: (error) => { if (!this.done) { this.done = true; reject(error); } },
      };
    });
    this.stopped.catch(() => undefined); // observed in run(); never an unhandled rejection
  }

  async run(): Promise<ConsumeSummary> {
    const clientId = this.options.clientId ?? 'cdc';
    this.kafkajs = await import('kafkajs');
    this.kafka = await createKafka(this.settings, { clientId, log: this.hooks.log });
    // The admin client asks short questions (metadata, offsets): a broker silent for 5 s is an
    // error, where the consumer's long fetches keep the 30 s request timeout.
    this.admin = (await createKafka(this.settings, { clientId, log: this.hooks.log, requestTimeoutMs: 5_000 })).admin();
    try {
      if (!(await this.plan())) return this.summary('interrupted');
      const early = this.signal.aborted ? 'interrupted'
        : this.options.exitAtEnd && this.resumeFrom === 'own' && this.tracker.allAtEnd() ? 'end' : undefined;
      if (early) return this.summary(early);
      this.store = this.options.store ?? (this.options.group ? groupOffsetStore(this.admin, this.options.group) : undefined);
      return this.summary(await this.consumeUntilStopped());
    } finally {
      await this.admin.disconnect().catch(() => undefined);
    }
  }

  /** Checks the topics and plans the partitions; false when interrupted meanwhile. */
  private async plan(): Promise<boolean> {
    // Ctrl-C while connecting (an unreachable broker takes seconds to give up) ends at once as an
    // interruption, not later as a connection error.
    const aborted = new Promise<'aborted'>((resolve) => {
      if (this.signal.aborted) resolve('aborted');
      else this.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
    const setup = (async () => {
      await this.admin.connect().catch((err) => { throw kafkaError(err, this.settings, 'connecting'); });
      await planPartitions(this.admin, this.settings, this.options, this.tracker);
      return 'ready' as const;
    })();
    try {
      if ((await Promise.race([setup, aborted])) === 'ready') return true;
    } catch (err) {
      if (this.signal.aborted) return false;
      throw err;
    }
    // Abandoned: disconnecting mid-connect would make kafkajs retry the connection; once the setup
    // settles (5 s at most) the admin client closes cleanly.
    const admin = this.admin;
    this.admin = { disconnect: async () => undefined } as unknown as Admin;
    void setup.catch(() => undefined).finally(() => admin.disconnect().catch(() => undefined));
    return false;
  }

  private async consumeUntilStopped(): Promise<ConsumeStop> {
    const onAbort = () => this.settle.finish('interrupted');
    this.signal.addEventListener('abort', onAbort);
    this.hooks.log?.('info', `consumer group ${this.groupId}${this.options.group ? '' : ' (throw-away, deleted at the end)'}`);
    this.consumer = this.createConsumer();
    this.listen();
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: true });
      await Promise.race([
        this.consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: this.options.concurrency ?? 1,
          eachBatch: (payload) => this.eachBatch(payload),
        }),
        this.stopped,
      ]);
      return await this.stopped;
    } catch (err) {
      if (err instanceof Error && err.name.startsWith('KafkaJS')) throw kafkaError(err, this.settings, 'consuming');
      throw err;
    } finally {
      this.done = true;
      this.signal.removeEventListener('abort', onAbort);
      // Waits for a batch in flight to be handled (and committed), then leaves the group so that
      // another member takes over the partitions at once.
      await this.consumer.disconnect().catch(() => undefined);
      if (!this.options.group) await deleteGroup(this.kafka, this.groupId);
    }
  }

  private createConsumer(): Consumer {
    const partitions = byTopic(this.tracker.partitions());
    return this.kafka.consumer({
      groupId: this.groupId,
      partitionAssigners: this.options.group ? undefined : [fixedAssigner(this.kafkajs.AssignerProtocol, Object.fromEntries(partitions.map((p) => [p.topic, p.partitions])))],
      allowAutoTopicCreation: false,
      // Big fetches: a Debezium record with its schema is 1–3 KB, and throughput matters for replays.
      maxBytesPerPartition: 8 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
      maxWaitTimeInMs: 500,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      // A member whose handler is still writing gets this long to finish before the group moves on.
      rebalanceTimeout: 60_000,
      heartbeatInterval: 3000,
      retry: {
        retries: 5,
        initialRetryTime: 300,
        maxRetryTime: 3000,
        // A broker restart is survived: kafkajs restarts the consumer until the outage lasts too long.
        restartOnFailure: async () => Date.now() - this.lastHealthy < (this.options.reconnectForMs ?? 120_000),
      },
    });
  }

  private listen(): void {
    const { GROUP_JOIN, CRASH, FETCH, END_BATCH_PROCESS } = this.consumer.events;
    this.consumer.on(FETCH, () => { this.lastHealthy = Date.now(); });
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      this.lastHealthy = Date.now();
      this.onAssignment(fromAssignment(payload.memberAssignment as Record<string, number[]>));
    });
    this.consumer.on(END_BATCH_PROCESS, ({ payload }) => {
      // Batches of only control records or compacted-away offsets never reach eachBatch; move past them.
      if (payload.batchSize === 0 && payload.lastOffset !== null) {
        this.tracker.skipTo({ topic: payload.topic, partition: payload.partition }, BigInt(payload.lastOffset) + 1n);
        this.checkEnd();
      }
    });
    this.consumer.on(CRASH, ({ payload }) => {
      if (payload.restart) this.hooks.onReconnecting?.(`lost the connection to Kafka (${payload.error.message}); reconnecting`);
      else this.settle.fail(kafkaError(payload.error, this.settings, 'consuming'));
    });
  }

  /**
   * Runs inside kafkajs's join, before its first fetch: the partitions are paused at once, so
   * nothing is fetched for them until the store has been read and the consumer sought there.
   */
  private onAssignment(assigned: TopicPartition[]): void {
    const generation = ++this.generation;
    this.tracker.assign(assigned);
    // A throw here would break kafkajs's join: failures end the run instead.
    try {
      if (assigned.length > 0) this.consumer.pause(byTopic(assigned));
    } catch (err) {
      this.settle.fail(err as Error);
      return;
    }
    void this.place(generation, assigned).catch((err: unknown) => {
      if (generation !== this.generation || this.done) return;
      const error = err instanceof Error ? err : new Error(String(err));
      this.settle.fail(this.store && !this.options.store ? kafkaError(error, this.settings, "reading the group's offsets") : error);
    });
  }

  private async place(generation: number, assigned: TopicPartition[]): Promise<void> {
    const stored = this.store && assigned.length > 0 ? await this.readStore(assigned, generation) : undefined;
    if (generation !== this.generation || this.done) return; // a newer assignment took over
    for (const tp of assigned) {
      const position = this.tracker.resume(tp, stored?.get(tp), this.resumeFrom);
      this.consumer.seek({ topic: tp.topic, partition: tp.partition, offset: position.toString() });
    }
    // Written before a rebalance but not committed: commit now that this member still owns them.
    if (this.options.group) for (const { tp, offset } of this.tracker.uncommitted()) void this.commit(tp, offset);
    const reading = assigned.filter((tp) => !(this.options.exitAtEnd && this.tracker.atEnd(tp)));
    if (reading.length > 0) this.consumer.resume(byTopic(reading));
    const mine = new Set(assigned.map(partitionName));
    this.hooks.onAssigned?.(this.tracker.progress().filter((p) => mine.has(partitionName(p))));
    this.checkEnd();
  }

  /** The store's positions; a failed read is retried a few times (a broker or database restarting). */
  private async readStore(assigned: TopicPartition[], generation: number) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.store!.read(assigned);
      } catch (err) {
        if (attempt >= 5 || generation !== this.generation || this.done) throw err;
        this.hooks.log?.('warn', `reading the stored positions failed (${(err as Error).message}); retrying`);
        await new Promise((r) => setTimeout(r, 300 * 2 ** attempt));
      }
    }
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const tp: TopicPartition = { topic: batch.topic, partition: batch.partition };
    if (this.done || !this.tracker.has(tp)) return;
    this.tracker.seenHighWatermark(tp, BigInt(batch.highWatermark));
    if (!this.tracker.isReady(tp)) return; // its position is not known yet: fetched again after the seek
    const fetchedOffset = (batch as Batch & { fetchedOffset?: string }).fetchedOffset ?? batch.firstOffset() ?? '0';
    const { messages, gap } = this.tracker.deliverable(tp, fetchedOffset, batch.messages);
    if (gap) this.hooks.log?.('warn', `${partitionName(tp)}: offsets ${gap.from}–${gap.to - 1n} are no longer in the log (retention); continuing at ${gap.to}`);
    try {
      for (let i = 0; i < messages.length; i += this.maxBatch) {
        if (this.done || !payload.isRunning() || payload.isStale()) return;
        const records = messages.slice(i, i + this.maxBatch).map((m) => toRecord(tp.topic, tp.partition, m));
        if (!(await this.handleChunk(tp, records, BigInt(batch.highWatermark), payload))) return;
      }
    } finally {
      await this.commitInFlight;
    }
    // Records below the position were skipped, not handled: fetch from the position next time.
    const position = this.tracker.positionOf(tp);
    if (position > BigInt(fetchedOffset)) payload.resolveOffset((position - 1n).toString());
    if (this.options.exitAtEnd && this.tracker.atEnd(tp)) this.consumer.pause([{ topic: tp.topic, partitions: [tp.partition] }]);
    this.checkEnd();
  }

  /** One handler call, then the commit. False when the run ends here. */
  private async handleChunk(tp: TopicPartition, records: KafkaRecord[], highWatermark: bigint, payload: EachBatchPayload): Promise<boolean> {
    const next = BigInt(records[records.length - 1].offset) + 1n;
    const alive = keepAlive(payload);
    let outcome: void | PartialBatch;
    try {
      outcome = await this.hooks.handle({ ...tp, records, next, highWatermark });
    } catch (err) {
      this.settle.fail(err instanceof Error ? err : new Error(String(err)));
      return false;
    } finally {
      alive.stop();
    }
    const until = outcome ? outcome.handledUntil : next;
    const count = outcome ? records.filter((r) => BigInt(r.offset) < until).length : records.length;
    if (count > 0) {
      this.tracker.handled(tp, until, count);
      this.handledCount += count;
      payload.resolveOffset((until - 1n).toString());
      // Committed while the next batch is handled: the broker's round trip costs no throughput.
      if (this.options.group) {
        await this.commitInFlight;
        this.commitInFlight = this.commit(tp, until);
      }
      this.hooks.onProgress?.(this.tracker.progress());
    }
    if (outcome) {
      await this.commitInFlight;
      if (outcome.error) this.settle.fail(outcome.error);
      else this.settle.finish('stopped');
      return false;
    }
    // The group is rebalancing (or lost us): now that the batch is handled and committed, rejoin.
    if (alive.error) {
      await this.commitInFlight;
      throw alive.error;
    }
    return true;
  }

  /** A failed commit is kept for later (tracker.uncommitted): at-least-once, never lost. */
  private async commit(tp: TopicPartition, offset: bigint): Promise<void> {
    try {
      await this.consumer.commitOffsets([{ topic: tp.topic, partition: tp.partition, offset: offset.toString() }]);
      this.tracker.committed(tp, offset);
    } catch (err) {
      this.hooks.log?.('warn', `commit of ${partitionName(tp)}@${offset} deferred: ${(err as Error).message}`);
    }
  }

  private checkEnd(): void {
    if (this.options.exitAtEnd && this.tracker.assignedAtEnd()) this.settle.finish('end');
  }

  private summary(reason: ConsumeStop): ConsumeSummary {
    return { reason, handled: this.handledCount, partitions: this.tracker.size, elapsedMs: Date.now() - this.startedAt, progress: this.tracker.progress() };
  }
}

/**
 * kafkajs heartbeats only between batches: while a handler waits (a slow disk, a full pipe, a
 * database transaction) the member would be dropped after the session timeout. Heartbeat meanwhile,
 * and keep what the group answered (a rebalance) for after the batch.
 */
function keepAlive(payload: EachBatchPayload): { stop(): void; error?: Error } {
  const state: { stop(): void; error?: Error } = { stop: () => clearInterval(timer) };
  const timer = setInterval(() => {
    payload.heartbeat().catch((err: Error) => { state.error ??= err; });
  }, 1000);
  timer.unref();
  return state;
}

/** Removes a throw-away group (it holds no offsets) so runs leave no Empty groups behind. Best effort, ≤ 3 s. */
async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  const attempt = (async () => {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  })().catch(() => undefined);
  await Promise.race([attempt, new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
  await admin.disconnect().catch(() => undefined);
}
