/**
 * The one owner of per-partition consuming state: where each partition starts and ends, which
 * partitions this process holds, the next offset to hand out, what was handled and committed, and
 * the lag. Pure bookkeeping (no Kafka): the consumer feeds it events, tests drive it directly.
 */
import { PartitionMap, type TopicPartition } from './partitions';

/** How a partition's position is decided when it is (re)assigned. */
export type ResumeFrom =
  /** An external store is the truth (a sink's offsets table): its position, else the start. */
  | 'store'
  /** The group's Kafka commits, but never behind what this process already handled (a commit a rebalance deferred). */
  | 'group'
  /** Nothing stored (a throw-away group): carry on where this process is. */
  | 'own';

interface PartitionState {
  /** First offset stored when planned. */
  low: bigint;
  /** Where reading starts when nothing is stored. */
  start: bigint;
  /** High watermark when planned: where exitAtEnd stops. */
  end: bigint;
  /** Next offset the handler may see; nothing below it is ever delivered. */
  position: bigint;
  /** Latest high watermark seen in a fetch. */
  highWatermark: bigint;
  /** Next offset after the last record handled in this run. */
  handled?: bigint;
  /** Last offset this process committed to Kafka. */
  committed?: bigint;
  assigned: boolean;
  /** The position is known for the current assignment (the store has been read). */
  ready: boolean;
  delivered: number;
}

export interface PartitionProgress extends TopicPartition {
  /** Next offset to read (everything below is handled). */
  position: bigint;
  highWatermark: bigint;
  /** Records between the position and the high watermark. */
  lag: bigint;
  /** Where exitAtEnd stops (the high watermark when the run started). */
  end: bigint;
  assigned: boolean;
  /** Records handed to the handler in this run. */
  delivered: number;
}

/** The part of a fetched batch the handler may see. */
export interface Deliverable<M> {
  messages: M[];
  /** Offsets the log no longer holds between the position and the batch (retention): [from, to). */
  gap?: { from: bigint; to: bigint };
}

export class PartitionTracker {
  private readonly states = new PartitionMap<PartitionState>();

  constructor(private readonly exitAtEnd = false) {}

  /** Records a planned partition: what it holds and where it starts. */
  add(tp: TopicPartition, range: { low: bigint; high: bigint; start: bigint }): void {
    this.states.set(tp, {
      low: range.low,
      start: range.start,
      end: range.high,
      position: range.start,
      highWatermark: range.high,
      assigned: false,
      ready: false,
      delivered: 0,
    });
  }

  has(tp: TopicPartition): boolean {
    return this.states.has(tp);
  }

  get size(): number {
    return this.states.size;
  }

  partitions(): TopicPartition[] {
    return this.states.keys();
  }

  /** A new assignment replaces the old one; its positions are unknown until resume(). */
  assign(assigned: readonly TopicPartition[]): void {
    for (const state of this.states.values()) {
      state.assigned = false;
      state.ready = false;
    }
    for (const tp of assigned) {
      // A partition added to a topic after the plan: read it from its start, nothing to wait for.
      if (!this.states.has(tp)) this.add(tp, { low: 0n, high: 0n, start: 0n });
      this.states.get(tp)!.assigned = true;
    }
  }

  assigned(): TopicPartition[] {
    return this.states
      .entries()
      .filter(([, s]) => s.assigned)
      .map(([tp]) => tp);
  }

  /**
   * Decides where an assigned partition continues, from what the store holds (undefined: nothing
   * stored), and returns that position: the consumer seeks there.
   */
  resume(tp: TopicPartition, stored: bigint | undefined, from: ResumeFrom): bigint {
    const state = this.must(tp);
    let position: bigint;
    if (from === 'store') position = stored ?? state.start;
    else if (from === 'group') position = max(stored ?? state.start, state.handled ?? -1n);
    else position = state.position;
    // Below the first stored offset means retention deleted those records: start where the log does.
    if (position < state.low) position = state.low;
    state.position = position;
    state.ready = true;
    return position;
  }

  positionOf(tp: TopicPartition): bigint {
    return this.must(tp).position;
  }

  isReady(tp: TopicPartition): boolean {
    const state = this.states.get(tp);
    return Boolean(state?.assigned && state.ready);
  }

  /**
   * The messages of a fetched batch that the handler may see: none before the position is known,
   * none below the position (kafkajs may have fetched from the Kafka-committed offset before a
   * seek took effect), and with exitAtEnd none at or after the end. `from` is where the caller's
   * next record starts when it holds records not yet handled (default: the position).
   */
  deliverable<M extends { offset: string }>(tp: TopicPartition, fetchedOffset: string, messages: readonly M[], from?: bigint): Deliverable<M> {
    const state = this.states.get(tp);
    if (!state?.assigned || !state.ready) return { messages: [] };
    const fetched = BigInt(fetchedOffset);
    const start = from === undefined || from < state.position ? state.position : from;
    // A fetch's messages come in offset order: only those at either end can fall outside.
    let first = 0;
    while (first < messages.length && BigInt(messages[first].offset) < start) first++;
    let last = messages.length;
    if (this.exitAtEnd) while (last > first && BigInt(messages[last - 1].offset) >= state.end) last--;
    const out = messages.slice(first, last);
    const gap = fetched > start ? { from: start, to: fetched } : undefined;
    return gap ? { messages: out, gap } : { messages: out };
  }

  /** The handler is done with every record below `next`. */
  handled(tp: TopicPartition, next: bigint, count: number): void {
    const state = this.must(tp);
    state.handled = max(state.handled ?? next, next);
    state.position = max(state.position, next);
    state.delivered += count;
  }

  /** Offsets with nothing to deliver (control records, compaction): move past them. */
  skipTo(tp: TopicPartition, next: bigint): void {
    const state = this.states.get(tp);
    if (state && next > state.position) state.position = next;
  }

  committed(tp: TopicPartition, offset: bigint): void {
    this.must(tp).committed = offset;
  }

  /** Handled but not committed (a commit a rebalance got in the way of), for assigned partitions. */
  uncommitted(): Array<{ tp: TopicPartition; offset: bigint }> {
    return this.states
      .entries()
      .filter(([, s]) => s.assigned && s.handled !== undefined && (s.committed === undefined || s.handled > s.committed))
      .map(([tp, s]) => ({ tp, offset: s.handled! }));
  }

  seenHighWatermark(tp: TopicPartition, highWatermark: bigint): void {
    const state = this.states.get(tp);
    if (state && highWatermark > state.highWatermark) state.highWatermark = highWatermark;
  }

  atEnd(tp: TopicPartition): boolean {
    const state = this.must(tp);
    return state.position >= state.end;
  }

  /** With exitAtEnd: records up to `next` reach the partition's end (a partial batch need not wait for more). */
  reachesEnd(tp: TopicPartition, next: bigint): boolean {
    return this.exitAtEnd && next >= this.must(tp).end;
  }

  /** Every planned partition is at its end (nothing to read at all). */
  allAtEnd(): boolean {
    return this.states.values().every((s) => s.position >= s.end);
  }

  /** This process holds partitions, knows their positions, and every one is at its end. */
  assignedAtEnd(): boolean {
    const mine = this.states.values().filter((s) => s.assigned);
    return mine.length > 0 && mine.every((s) => s.ready && s.position >= s.end);
  }

  progress(): PartitionProgress[] {
    return this.states.entries().map(([tp, s]) => {
      const high = max(s.highWatermark, s.position);
      return {
        topic: tp.topic,
        partition: tp.partition,
        position: s.position,
        highWatermark: high,
        lag: high - s.position,
        end: s.end,
        assigned: s.assigned,
        delivered: s.delivered,
      };
    });
  }

  private must(tp: TopicPartition): PartitionState {
    const state = this.states.get(tp);
    if (!state) throw new Error(`partition ${tp.topic}[${tp.partition}] is not tracked`);
    return state;
  }
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
