/**
 * Paces work at N items per second against the start time, not the previous item, so slow
 * statements do not make the whole run drift: item i is due at start + i/N seconds.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface Pacer {
  /** Waits until item `index` is due; returns early (without throwing) when `signal` aborts. */
  wait(index: number, signal?: AbortSignal): Promise<void>;
}

export function createPacer(perSecond: number | undefined, clock: () => number = () => performance.now()): Pacer {
  if (!perSecond || perSecond <= 0) return { wait: async () => {} };
  const start = clock();
  return {
    async wait(index: number, signal?: AbortSignal) {
      const delay = start + (index * 1000) / perSecond - clock();
      if (delay > 1 && !signal?.aborted) await sleep(delay, undefined, { signal }).catch(() => {});
    },
  };
}
