/**
 * What happens to each fetched batch: the part the handler may see (tracker.deliverable), cut into
 * handler calls of at most maxBatchRecords, each followed by its commit. One commit is in flight
 * while the next call runs; the next commit, and the end of the fetched batch (so leaving the group
 * or rejoining never races a commit), wait for it: at most two handled calls are uncommitted.
 */
import type { Batch, Consumer, EachBatchPayload } from 'kafkajs';
import { keepAlive } from './kafkajs';
import { partitionName, type TopicPartition } from './partitions';
import { toRecord, type KafkaRecord } from './record';
import type { PartitionTracker } from './tracker';
import type { ConsumeHooks, ConsumeOptions, ConsumeStop, PartialBatch } from './types';

/** The run the batches belong to: whether it is over, and how to end it. */
export interface RunState {
  isDone(): boolean;
  finish(reason: ConsumeStop): void;
  fail(error: Error): void;
  checkEnd(): void;
}

export class BatchLoop {
  handledCount = 0;
  private commitInFlight: Promise<void> = Promise.resolve();
  private running = 0;
  private idle: Array<() => void> = [];
  private readonly maxBatch: number;

  constructor(
    private readonly consumer: Consumer,
    private readonly tracker: PartitionTracker,
    private readonly options: ConsumeOptions,
    private readonly hooks: ConsumeHooks,
    private readonly run: RunState,
  ) {
    this.maxBatch = options.maxBatchRecords ?? 500;
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
   * Resolves once no batch is being handled (the run is done, so none starts again). Stopping
   * waits for it before kafkajs stops the consumer: kafkajs silently drops commits made after that.
   */
  drain(): Promise<void> {
    return this.running === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }

  private async process(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const tp: TopicPartition = { topic: batch.topic, partition: batch.partition };
    if (this.run.isDone() || !this.tracker.has(tp)) return;
    this.tracker.seenHighWatermark(tp, BigInt(batch.highWatermark));
    if (!this.tracker.isReady(tp)) return; // its position is not known yet: fetched again after the seek
    const fetchedOffset = (batch as Batch & { fetchedOffset?: string }).fetchedOffset ?? batch.firstOffset() ?? '0';
    const { messages, gap } = this.tracker.deliverable(tp, fetchedOffset, batch.messages);
    if (gap) this.hooks.log?.('warn', `${partitionName(tp)}: offsets ${gap.from}–${gap.to - 1n} are no longer in the log (retention); continuing at ${gap.to}`);
    try {
      for (let i = 0; i < messages.length; i += this.maxBatch) {
        if (this.run.isDone() || !payload.isRunning() || payload.isStale()) return;
        const records = messages.slice(i, i + this.maxBatch).map((m) => toRecord(tp.topic, tp.partition, m));
        if (!(await this.handle(tp, records, BigInt(batch.highWatermark), payload))) return;
      }
    } finally {
      await this.commitInFlight;
    }
    // Records below the position were skipped, not handled: fetch from the position next time.
    const position = this.tracker.positionOf(tp);
    if (position > BigInt(fetchedOffset)) payload.resolveOffset((position - 1n).toString());
    if (this.options.exitAtEnd && this.tracker.atEnd(tp)) this.consumer.pause([{ topic: tp.topic, partitions: [tp.partition] }]);
    this.run.checkEnd();
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

  /** One handler call, then its commit. False when the run ends here. */
  private async handle(tp: TopicPartition, records: KafkaRecord[], highWatermark: bigint, payload: EachBatchPayload): Promise<boolean> {
    const next = BigInt(records[records.length - 1].offset) + 1n;
    const alive = keepAlive(payload);
    let outcome: void | PartialBatch;
    try {
      outcome = await this.hooks.handle({ ...tp, records, next, highWatermark });
    } catch (err) {
      this.run.fail(err instanceof Error ? err : new Error(String(err)));
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
      return false;
    }
    // The group is rebalancing (or lost us): now that the batch is handled and committed, rejoin.
    if (alive.error) {
      await this.commitInFlight;
      throw alive.error;
    }
    return true;
  }
}
