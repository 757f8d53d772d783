/**
 * The consumer core's run: plans the partitions, starts a kafkajs consumer, places every
 * (re)assigned partition where the offset store says (paused until then), hands fetched batches to
 * the BatchLoop, and stops on the end, the handler's word, an error or the AbortSignal. What each
 * partition is doing lives in one PartitionTracker.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { createKafka, kafkaError, loadKafkajs } from '../client';
import type { KafkaSettings } from '../options';
import { BatchLoop } from './batches';
import { consumerConfig, deleteGroup } from './kafkajs';
import { byTopic, fromAssignment, partitionName, type TopicPartition } from './partitions';
import { planPartitions } from './plan';
import { groupOffsetStore, type OffsetStore } from './store';
import { PartitionTracker, type ResumeFrom } from './tracker';
import type { ConsumeHooks, ConsumeOptions, ConsumeStop, ConsumeSummary } from './types';

export type { ConsumeHooks, ConsumeOptions, ConsumeStop, ConsumeSummary, PartialBatch, RecordBatch } from './types';

export async function consume<Prepared>(
  settings: KafkaSettings,
  options: ConsumeOptions,
  hooks: ConsumeHooks<Prepared>,
  signal: AbortSignal,
): Promise<ConsumeSummary> {
  return new ConsumerRun(settings, options, hooks, signal).run();
}

class ConsumerRun {
  private readonly startedAt = Date.now();
  private readonly tracker: PartitionTracker;
  private readonly resumeFrom: ResumeFrom;
  private readonly groupId: string;
  private kafkajs!: typeof import('kafkajs');
  private kafka!: Kafka;
  private admin!: Admin;
  private consumer!: Consumer;
  private store?: OffsetStore;
  private batches!: BatchLoop;
  private generation = 0;
  private lastHealthy = Date.now();
  private done = false;
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
    this.stopped = new Promise<ConsumeStop>((resolve, reject) => {
      this.settle = {
        finish: (reason) => {
          if (!this.done) {
            this.done = true;
            resolve(reason);
          }
        },
        fail: (error) => {
          if (!this.done) {
            this.done = true;
            reject(error);
          }
        },
      };
    });
    this.stopped.catch(() => undefined); // observed in run(); never an unhandled rejection
  }

  async run(): Promise<ConsumeSummary> {
    const clientId = this.options.clientId ?? 'cdc';
    this.kafkajs = await loadKafkajs();
    this.kafka = await createKafka(this.settings, { clientId, log: this.hooks.log });
    // The admin client asks short questions (metadata, offsets): a broker silent for 5 s is an
    // error, where the consumer's long fetches keep the 30 s request timeout.
    this.admin = (await createKafka(this.settings, { clientId, log: this.hooks.log, requestTimeoutMs: 5_000 })).admin();
    try {
      if (!(await this.plan())) return this.summary('interrupted');
      const early = this.signal.aborted ? 'interrupted' : this.options.exitAtEnd && this.resumeFrom === 'own' && this.tracker.allAtEnd() ? 'end' : undefined;
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
      await this.admin.connect().catch((err) => {
        throw kafkaError(err, this.settings, 'connecting');
      });
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
    this.consumer = this.kafka.consumer(
      consumerConfig(
        this.kafkajs,
        this.options,
        this.groupId,
        this.tracker.partitions(),
        // Never once the run is over: stopping closes the connections, and a join still waiting
        // (for a member that died, until its session times out) then fails as a lost connection;
        // kafkajs would start the consumer again after the summary, and the process would not end.
        () => !this.done && Date.now() - this.lastHealthy < (this.options.reconnectForMs ?? 120_000),
      ),
    );
    this.batches = new BatchLoop(this.consumer, this.tracker, this.options, this.hooks, {
      isDone: () => this.done,
      finish: (reason) => this.settle.finish(reason),
      fail: (error) => this.settle.fail(error),
      checkEnd: () => this.checkEnd(),
    });
    this.listen();
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: true });
      await Promise.race([
        this.consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: this.options.concurrency ?? 1,
          eachBatch: (payload) => this.batches.eachBatch(payload),
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
      // The batch in flight is handled and committed first (kafkajs drops commits once it stops);
      // then leaving the group lets another member take over the partitions at once.
      await this.batches.drain();
      await this.consumer.disconnect().catch(() => undefined);
      if (!this.options.group) await deleteGroup(this.kafka, this.groupId);
    }
  }

  private listen(): void {
    const { GROUP_JOIN, CRASH, FETCH, END_BATCH_PROCESS } = this.consumer.events;
    this.consumer.on(FETCH, () => {
      this.lastHealthy = Date.now();
    });
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      this.lastHealthy = Date.now();
      this.onAssignment(fromAssignment(payload.memberAssignment));
    });
    this.consumer.on(END_BATCH_PROCESS, ({ payload }) => {
      // Batches of only control records or compacted-away offsets never reach eachBatch; move past them.
      if (payload.batchSize === 0 && payload.lastOffset !== null) {
        this.batches.skipTo({ topic: payload.topic, partition: payload.partition }, BigInt(payload.lastOffset) + 1n);
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
    this.batches.reassigned();
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
    // A batch still in flight from before the rebalance is committed first: the store then has it.
    await this.batches.settled();
    if (generation !== this.generation || this.done) return;
    const stored = this.store && assigned.length > 0 ? await this.readStore(assigned, generation) : undefined;
    if (generation !== this.generation || this.done) return; // a newer assignment took over
    for (const tp of assigned) {
      const position = this.tracker.resume(tp, stored?.get(tp), this.resumeFrom);
      this.consumer.seek({ topic: tp.topic, partition: tp.partition, offset: position.toString() });
    }
    // Written before a rebalance but not committed: commit now that this member still owns them.
    if (this.options.group) for (const { tp, offset } of this.tracker.uncommitted()) void this.batches.commit(tp, offset);
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

  private checkEnd(): void {
    if (this.options.exitAtEnd && this.tracker.assignedAtEnd()) this.settle.finish('end');
  }

  private summary(reason: ConsumeStop): ConsumeSummary {
    return {
      reason,
      handled: this.batches?.handledCount ?? 0,
      partitions: this.tracker.size,
      elapsedMs: Date.now() - this.startedAt,
      progress: this.tracker.progress(),
    };
  }
}
