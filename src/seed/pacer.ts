/**
 * Paces work at N items per second against the start time, not the previous item, so slow
 * statements do not make the whole run drift: item i is due at start + i/N seconds.
 */
export interface Pacer {
  wait(index: number): Promise<void>;
}

export function createPacer(perSecond: number | undefined, clock: () => number = () => performance.now()): Pacer {
  if (!perSecond || perSecond <= 0) return { wait: async () => {} };
  const start = clock();
  return {
    async wait(index: number) {
      const delay = start + (index * 1000) / perSecond - clock();
      if (delay > 1) await new Promise((resolve) => setTimeout(resolve, delay));
    },
  };
}
