/**
 * What happens to fetched records. Per partition, the part the handler may see
 * (tracker.deliverable) is collected into handler batches of at most maxBatchRecords; a batch
 * closes when full, when its oldest record has waited maxWaitMs (0: at once, whatever one fetch
 * brought), or when it reaches the end (exitAtEnd). Closed batches are handled one at a time in the
 * order they closed, each followed by its commit.
 *
 * Reading and writing overlap: when a batch closes, the handler's prepare step (decoding: nothing
 * that depends on the batches before it) runs at once, while the previous batch is still being
 * handled; and eachBatch returns with the last batch of a fetch in flight, so kafkajs fetches the
 * next records meanwhile (its fetch position moves with what was collected; kafkajs commits nothing
 * itself, autoCommit is off). The next close waits for the batch in flight, so at most one batch is
 * being handled, one prepared and one fetch collected at any time. One commit is in flight while
 * the next batch is handled; the next commit waits for it: at most two handled batches are
 * uncommitted.
 *
 * A rebalance still waits for the batch in flight: eachBatch returns early only when more records
 * are waiting (caught up, it waits for the batch as before) and after a heartbeat of its own saw no
 * rebalance (kafkajs heartbeats at most once per interval, so its own next one sends nothing until
 * the next eachBatch holds the batch again); one a heartbeat during the handler saw is raised only
 * after the batch; a new assignment drops what was collected but not handled and reads the store
 * only once the batch in flight is committed. Two cases escape: a fetch that takes longer than the
 * heartbeat interval (3 s, less with a short session timeout), and a batch a maxWaitMs timer
 * closed (handled outside eachBatch). Then another member may read the store while this one still
 * writes: a store must serialise writers of one partition, as the sinks' targets do (postgres: the
 * offsets rows are locked FOR UPDATE).
 */
import type { Batch, Consumer, EachBatchPayload } from 'kafkajs';
import { keepAlive } from './kafkajs';
import { PartitionMap, partitionName, type TopicPartition } from './partitions';
import { toRecord, type KafkaRecord } from './record';
import type { PartitionTracker } from './tracker';
import type { ConsumeHooks, ConsumeOptions, ConsumeStop, PartialBatch, RecordBatch } from './types';

/** The run the batches belong to: whether it is over, and how to end it. */
export interface RunState {
  isDone(): boolean;
  finish(reason: ConsumeStop): void;
  fail(error: Error): void;
  checkEnd(): void;
}

/** Records of one partition collected for its next batch. */
interface Collected {
  records: KafkaRecord[];
  /** When each record arrived (ms): a partial batch closes once its oldest has waited maxWaitMs. */
  arrived: number[];
  highWatermark: bigint;
  /** The latest fetch's payload: heartbeats and staleness for a batch a timer closes. */
  payload: EachBatchPayload;
  timer?: NodeJS.Timeout;
}

export class BatchLoop {
  handledCount = 0;
  private commitInFlight: Promise<void> = Promise.resolve();
  /** Closed batches, handled one after the other in the order they closed. */
  private chain: Promise<void> = Promise.resolve();
  /** Closed batches not yet handled, the one in flight included. */
  private queued = 0;
  private running = 0;
  private idle: Array<() => void> = [];
  private readonly collected = new PartitionMap<Collected>();
  /** Per partition, the offset after the last record collected (the tracker's position covers only what was handled). */
  private readonly cursor = new PartitionMap<bigint>();
  /** Bumped by every assignment: batches closed before it are not handled. */
  private generation = 0;
  /** A rebalance a heartbeat saw while a batch was handled: kafkajs rejoins once eachBatch rethrows it. */
  private rejoin?: Error;
  private readonly maxBatch: number;
  private readonly maxWait: number;

  constructor(
    private readonly consumer: Consumer,
    private readonly tracker: PartitionTracker,
    private readonly options: ConsumeOptions,
    private readonly hooks: ConsumeHooks,
    private readonly run: RunState,
  ) {
    this.maxBatch = options.maxBatchRecords ?? 500;
    this.maxWait = options.maxWaitMs ?? 0;
  }

  async eachBatch(payload: EachBatchPayload): Promise<void> {
    this.running += 1;
    try {
      await this.process(payload);
    } finally {
      this.running -= 1;
      if (this.running === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  /**
   * Resolves once nothing is being handled or committed (the run is done, so nothing starts
   * again). Stopping waits for it before kafkajs stops the consumer: kafkajs silently drops
   * commits made after that. What was collected but not handled is dropped (read again next time).
   */
  async drain(): Promise<void> {
    if (this.running > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    this.dropCollected();
    await this.settled();
  }

  /** Resolves once every closed batch is handled (or dropped) and its commit is done. */
  async settled(): Promise<void> {
    await this.chain;
    await this.commitInFlight;
  }

  /**
   * A new assignment (called inside kafkajs's join): what was collected is dropped (the consumer
   * seeks each assigned partition to its position again), and batches closed but not started are
   * not handled.
   */
  reassigned(): void {
    this.generation += 1;
    this.rejoin = undefined;
    this.dropCollected();
    for (const tp of this.cursor.keys()) this.cursor.delete(tp);
  }

  /** Offsets with nothing to deliver (control records, compaction): move past them once what precedes them is handled. */
  skipTo(tp: TopicPartition, next: bigint): void {
    if (!this.tracker.has(tp)) return;
    const cursor = this.cursor.get(tp);
    if (cursor !== undefined && next > cursor) this.cursor.set(tp, next);
    const pending = this.collected.get(tp);
    if (pending) void this.close(tp, pending.records.length);
    const generation = this.generation;
    this.chain = this.chain.then(() => {
      if (generation !== this.generation) return;
      this.tracker.skipTo(tp, next);
      this.run.checkEnd();
    });
  }

  /** A failed commit is kept for later (tracker.uncommitted): at-least-once, never lost. */
  async commit(tp: TopicPartition, offset: bigint): Promise<void> {
    try {
      await this.consumer.commitOffsets([{ topic: tp.topic, partition: tp.partition, offset: offset.toString() }]);
      this.tracker.committed(tp, offset);
    } catch (err) {
      this.hooks.log?.('warn', `commit of ${partitionName(tp)}@${offset} deferred: ${(err as Error).message}`);
    }
  }

  private async process(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const tp: TopicPartition = { topic: batch.topic, partition: batch.partition };
    if (this.run.isDone() || !this.tracker.has(tp)) return;
    this.tracker.seenHighWatermark(tp, BigInt(batch.highWatermark));
    if (!this.tracker.isReady(tp)) return; // its position is not known yet: fetched again after the seek
    const fetchedOffset = (batch as Batch & { fetchedOffset?: string }).fetchedOffset ?? batch.firstOffset() ?? '0';
    const from = this.cursor.get(tp) ?? this.tracker.positionOf(tp);
    const { messages, gap } = this.tracker.deliverable(tp, fetchedOffset, batch.messages, from);
    if (gap) this.hooks.log?.('warn', `${partitionName(tp)}: offsets ${gap.from}–${gap.to - 1n} are no longer in the log (retention); continuing at ${gap.to}`);
    if (messages.length > 0) {
      const now = Date.now();
      let pending = this.collected.get(tp);
      if (!pending) this.collected.set(tp, (pending = { records: [], arrived: [], highWatermark: 0n, payload }));
      for (const m of messages) {
        pending.records.push(toRecord(tp.topic, tp.partition, m));
        pending.arrived.push(now);
      }
      pending.highWatermark = BigInt(batch.highWatermark);
      pending.payload = payload;
      const last = messages[messages.length - 1].offset;
      this.cursor.set(tp, BigInt(last) + 1n);
      // kafkajs fetches on from here; nothing is committed by it (autoCommit is off).
      payload.resolveOffset(last);
      await this.closeDue(tp);
    } else if (from > BigInt(fetchedOffset)) {
      // Records below the position were skipped, not handled: fetch from the position next time.
      payload.resolveOffset((from - 1n).toString());
    }
    if (this.run.isDone()) return;
    if (this.queued > 0) await this.beforeReturning(payload, (this.cursor.get(tp) ?? from) >= BigInt(batch.highWatermark));
    if (this.options.exitAtEnd && this.tracker.atEnd(tp)) this.consumer.pause([{ topic: tp.topic, partitions: [tp.partition] }]);
    this.run.checkEnd();
  }

  /** Closes the partition's full batches, then its partial one if it is due; otherwise times it. */
  private async closeDue(tp: TopicPartition): Promise<void> {
    for (let pending = this.collected.get(tp); pending; pending = this.collected.get(tp)) {
      const full = pending.records.length >= this.maxBatch;
      const due = full || this.maxWait === 0 || Date.now() - pending.arrived[0] >= this.maxWait || this.tracker.reachesEnd(tp, this.cursor.get(tp) ?? 0n);
      if (!due) {
        pending.timer ??= setTimeout(() => this.onTimer(tp), Math.max(0, pending.arrived[0] + this.maxWait - Date.now()));
        return;
      }
      // Backpressure: once the previous batch is handled, this one is in flight and the next may close.
      await this.close(tp, Math.min(pending.records.length, this.maxBatch));
      if (this.run.isDone()) return;
    }
  }

  private onTimer(tp: TopicPartition): void {
    const pending = this.collected.get(tp);
    if (!pending) return;
    pending.timer = undefined;
    if (!this.run.isDone()) void this.closeDue(tp);
  }

  /**
   * Takes the partition's oldest `count` collected records as a batch, starts preparing it, queues
   * it after the batches closed before, and resolves when the batch before it is handled and this
   * one prepared.
   */
  private close(tp: TopicPartition, count: number): Promise<void> {
    const pending = this.collected.get(tp)!;
    const records = pending.records.splice(0, count);
    pending.arrived.splice(0, count);
    const { payload, highWatermark } = pending;
    if (pending.records.length === 0) {
      clearTimeout(pending.timer);
      this.collected.delete(tp);
    }
    const batch: RecordBatch = { ...tp, records, next: BigInt(records[records.length - 1].offset) + 1n, highWatermark };
    let preparing: Promise<unknown>;
    try {
      preparing = Promise.resolve(this.hooks.prepare?.(batch));
    } catch (err) {
      preparing = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const generation = this.generation;
    const previous = this.chain;
    this.queued += 1;
    this.chain = previous
      .then(() => this.handle(batch, preparing, payload, generation))
      .catch((err: unknown) => this.run.fail(err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        this.queued -= 1;
      });
    // One prepare at a time, one batch handled at a time (a prepare's failure is raised in handle).
    return Promise.all([previous, preparing.catch(() => undefined)]).then(() => undefined);
  }

  /**
   * eachBatch is about to return with a batch in flight: kafkajs will fetch meanwhile, and may
   * heartbeat. Caught up (nothing more to fetch at once), it waits for the batch as it always did;
   * otherwise the next fetch returns at once and its eachBatch waits for the batch. A rebalance
   * seen now (or during the handler) waits for the batch first.
   */
  private async beforeReturning(payload: EachBatchPayload, caughtUp: boolean): Promise<void> {
    if (caughtUp) await this.settled();
    else if (!this.rejoin) {
      try {
        await payload.heartbeat();
      } catch (err) {
        this.rejoin = err as Error;
      }
    }
    const error = this.rejoin;
    if (!error) return;
    await this.settled();
    this.rejoin = undefined;
    throw error;
  }

  /** One handler call, then its commit. */
  private async handle(batch: RecordBatch, preparing: Promise<unknown>, payload: EachBatchPayload, generation: number): Promise<void> {
    if (this.run.isDone() || generation !== this.generation || !payload.isRunning() || payload.isStale()) return;
    const tp: TopicPartition = { topic: batch.topic, partition: batch.partition };
    const alive = keepAlive(payload, this.options.sessionTimeoutMs);
    let outcome: void | PartialBatch;
    try {
      outcome = await this.hooks.handle(batch, await preparing);
    } catch (err) {
      this.run.fail(err instanceof Error ? err : new Error(String(err)));
      return;
    } finally {
      alive.stop();
    }
    const { records, next } = batch;
    const until = outcome ? outcome.handledUntil : next;
    const count = outcome ? records.filter((r) => BigInt(r.offset) < until).length : records.length;
    if (count > 0) {
      this.tracker.handled(tp, until, count);
      this.handledCount += count;
      if (this.options.group) {
        await this.commitInFlight;
        this.commitInFlight = this.commit(tp, until);
      }
      this.hooks.onProgress?.(this.tracker.progress());
    }
    if (outcome) {
      await this.commitInFlight;
      if (outcome.error) this.run.fail(outcome.error);
      else this.run.finish('stopped');
      return;
    }
    // The group is rebalancing (or lost us): rejoin once this batch is committed (beforeReturning).
    if (alive.error && generation === this.generation) this.rejoin ??= alive.error;
    if (this.options.exitAtEnd && this.tracker.atEnd(tp)) this.consumer.pause([{ topic: tp.topic, partitions: [tp.partition] }]);
    this.run.checkEnd();
  }

  private dropCollected(): void {
    for (const [tp, pending] of this.collected.entries()) {
      clearTimeout(pending.timer);
      this.collected.delete(tp);
    }
  }
}
