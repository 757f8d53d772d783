/**
 * The consumer core's BatchLoop without a broker: fetched records collected into batches (closed
 * when full, after maxWaitMs, or at the end), the next batch prepared and the next fetch taken
 * while one is handled (at most one in flight), commits after each batch, and a reassignment
 * dropping what was collected but not handled.
 */
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { BatchLoop, type RunState } from '../../src/kafka/consume/batches';
import { PartitionTracker } from '../../src/kafka/consume/tracker';
import type { ConsumeHooks, ConsumeOptions, ConsumeStop, RecordBatch } from '../../src/kafka/consume/types';

const T = 'db.bank.holding';
const tp = { topic: T, partition: 0 };

interface Fetch {
  payload: EachBatchPayload;
  resolved: string[];
}

function fetched(from: number, count: number, highWatermark: number, heartbeat: () => Promise<void> = async () => undefined): Fetch {
  const resolved: string[] = [];
  const messages = Array.from({ length: count }, (_, i) => ({
    offset: String(from + i),
    timestamp: '0',
    key: null,
    value: Buffer.from(`{"n":${from + i}}`),
    headers: {},
    attributes: 0,
  }));
  const payload = {
    batch: { topic: T, partition: 0, highWatermark: String(highWatermark), messages, fetchedOffset: String(from), firstOffset: () => String(from) },
    resolveOffset: (offset: string) => resolved.push(offset),
    heartbeat,
    isRunning: () => true,
    isStale: () => false,
  } as unknown as EachBatchPayload;
  return { payload, resolved };
}

/** A handler whose calls stay open until the test lets them finish. */
class Gate {
  readonly started: RecordBatch[] = [];
  readonly prepared: string[] = [];
  readonly events: string[] = [];
  private releases: Array<() => void> = [];

  hooks(): ConsumeHooks<string> {
    return {
      prepare: (batch) => {
        const name = `${batch.records[0].offset}-${batch.records[batch.records.length - 1].offset}`;
        this.prepared.push(name);
        this.events.push(`prepare ${name}`);
        return name;
      },
      handle: (batch, prepared) => {
        this.started.push(batch);
        this.events.push(`handle ${prepared}`);
        return new Promise<void>((resolve) =>
          this.releases.push(() => {
            this.events.push(`done ${prepared}`);
            resolve();
          }),
        );
      },
    };
  }

  release(): void {
    this.releases.shift()?.();
  }
}

function setup(options: Partial<ConsumeOptions>, hooks: ConsumeHooks<string>, high = 100) {
  const tracker = new PartitionTracker(Boolean(options.exitAtEnd));
  tracker.add(tp, { low: 0n, high: BigInt(high), start: 0n });
  tracker.assign([tp]);
  tracker.resume(tp, undefined, 'own');
  const commits: string[] = [];
  const paused: string[] = [];
  const consumer = {
    commitOffsets: async (offsets: Array<{ offset: string }>) => {
      commits.push(offsets[0].offset);
    },
    pause: () => paused.push('paused'),
  } as unknown as Consumer;
  let stop: ConsumeStop | Error | undefined;
  const run: RunState = {
    isDone: () => stop !== undefined,
    finish: (reason) => {
      stop ??= reason;
    },
    fail: (error) => {
      stop ??= error;
    },
    checkEnd: () => {
      if (options.exitAtEnd && tracker.assignedAtEnd()) stop ??= 'end';
    },
  };
  const loop = new BatchLoop(consumer, tracker, { topics: [T], start: { kind: 'beginning' }, ...options }, hooks, run);
  return { loop, tracker, commits, paused, stopped: () => stop };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('BatchLoop: reading overlaps writing', () => {
  it('prepares the next batch and returns to kafkajs while one is handled, one batch in flight at a time, in order', async () => {
    const gate = new Gate();
    const { loop, tracker, commits } = setup({ group: 'g', maxBatchRecords: 10 }, gate.hooks());
    const first = fetched(0, 25, 100);
    const one = loop.eachBatch(first.payload);
    await tick();
    // Batch 0-9 is handled; 10-19 is prepared and waits for it.
    expect(gate.events).toEqual(['prepare 0-9', 'handle 0-9', 'prepare 10-19']);
    gate.release();
    await tick();
    expect(gate.events.slice(3)).toEqual(['done 0-9', 'handle 10-19', 'prepare 20-24']);
    gate.release();
    await one; // returned with 20-24 in flight: more is waiting in the log, kafkajs fetches it meanwhile
    expect(gate.events.slice(6)).toEqual(['done 10-19', 'handle 20-24']);
    expect(first.resolved).toEqual(['24']); // the fetch position moved past what was collected
    // The next fetch prepares its batch at once, then waits for 20-24.
    const second = fetched(25, 5, 100);
    const two = loop.eachBatch(second.payload);
    await tick();
    expect(gate.events.slice(8)).toEqual(['prepare 25-29']);
    gate.release();
    await two;
    await tick();
    gate.release();
    await loop.settled();
    expect(gate.events.slice(9)).toEqual(['done 20-24', 'handle 25-29', 'done 25-29']);
    expect(tracker.positionOf(tp)).toBe(30n);
    expect(commits).toEqual(['10', '20', '25', '30']);
    expect(loop.handledCount).toBe(30);
  });

  it('waits for the batch in flight before returning when caught up (nothing more to fetch at once)', async () => {
    const gate = new Gate();
    const { loop } = setup({ maxBatchRecords: 10 }, gate.hooks());
    let returned = false;
    const done = loop.eachBatch(fetched(0, 5, 5).payload).then(() => (returned = true));
    await tick();
    expect(gate.events).toEqual(['prepare 0-4', 'handle 0-4']);
    expect(returned).toBe(false);
    gate.release();
    await done;
    expect(returned).toBe(true);
  });

  it('a rebalance seen before returning waits for the batch in flight, then goes to kafkajs', async () => {
    const gate = new Gate();
    const { loop } = setup({ maxBatchRecords: 10 }, gate.hooks());
    const rebalancing = Object.assign(new Error('The group is rebalancing, so a rejoin is needed'), { type: 'REBALANCE_IN_PROGRESS' });
    const { payload } = fetched(0, 5, 100, () => Promise.reject(rebalancing));
    let settled = false;
    const done = loop.eachBatch(payload).then(
      () => (settled = true),
      (err: unknown) => err,
    );
    await tick();
    expect(settled).toBe(false);
    expect(gate.events).toEqual(['prepare 0-4', 'handle 0-4']);
    gate.release();
    expect(await done).toBe(rebalancing);
    expect(gate.events).toEqual(['prepare 0-4', 'handle 0-4', 'done 0-4']);
  });
});

describe('BatchLoop: maxWaitMs', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] }));
  afterEach(() => jest.useRealTimers());

  const handled: string[] = [];
  const hooks: ConsumeHooks<string> = {
    handle: async (batch) => {
      handled.push(`${batch.records[0].offset}-${batch.records[batch.records.length - 1].offset}`);
    },
  };
  beforeEach(() => handled.splice(0));

  it('collects small fetches into one batch until it is full', async () => {
    const { loop } = setup({ maxBatchRecords: 10, maxWaitMs: 1000 }, hooks);
    await loop.eachBatch(fetched(0, 4, 100).payload);
    await loop.eachBatch(fetched(4, 4, 100).payload);
    expect(handled).toEqual([]);
    await loop.eachBatch(fetched(8, 4, 100).payload);
    await loop.settled();
    expect(handled).toEqual(['0-9']); // 10-11 wait for more
  });

  it('hands out a partial batch once its oldest record waited maxWaitMs, and not before', async () => {
    const { loop, tracker } = setup({ maxBatchRecords: 10, maxWaitMs: 1000 }, hooks);
    await loop.eachBatch(fetched(0, 3, 100).payload);
    jest.advanceTimersByTime(600);
    await loop.eachBatch(fetched(3, 2, 100).payload);
    jest.advanceTimersByTime(399);
    await tick();
    expect(handled).toEqual([]);
    jest.advanceTimersByTime(1);
    await tick();
    await loop.settled();
    expect(handled).toEqual(['0-4']);
    expect(tracker.positionOf(tp)).toBe(5n);
  });

  it('without maxWaitMs, whatever one fetch brought is handled at once', async () => {
    const { loop } = setup({ maxBatchRecords: 10 }, hooks);
    await loop.eachBatch(fetched(0, 3, 100).payload);
    await loop.settled();
    expect(handled).toEqual(['0-2']);
  });

  it('with exitAtEnd, a partial batch that reaches the end is handled at once and the run ends', async () => {
    const { loop, stopped, paused } = setup({ maxBatchRecords: 10, maxWaitMs: 60_000, exitAtEnd: true }, hooks, 5);
    await loop.eachBatch(fetched(0, 3, 5).payload);
    expect(handled).toEqual([]);
    await loop.eachBatch(fetched(3, 2, 5).payload);
    await loop.settled();
    expect(handled).toEqual(['0-4']);
    expect(stopped()).toBe('end');
    expect(paused.length).toBeGreaterThan(0);
  });

  it('a reassignment drops what was collected and not handled; the next fetch starts from the position', async () => {
    const { loop, tracker } = setup({ maxBatchRecords: 10, maxWaitMs: 1000 }, hooks);
    await loop.eachBatch(fetched(0, 3, 100).payload);
    loop.reassigned();
    jest.advanceTimersByTime(5000);
    await tick();
    expect(handled).toEqual([]);
    tracker.assign([tp]);
    tracker.resume(tp, undefined, 'own');
    const again = fetched(0, 3, 100);
    await loop.eachBatch(again.payload);
    jest.advanceTimersByTime(1000);
    await tick();
    await loop.settled();
    expect(handled).toEqual(['0-2']);
  });
});
