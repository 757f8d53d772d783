/**
 * Whether the other cores are idle now, for the automatic choice of parse threads.
 *
 * The 1-minute load average answered this before, but it remembers: for a minute after any
 * command that kept a core busy (the previous command of a script, a `make` step, a benchmark's
 * other side) it says "busy" on an idle machine, and for a minute after a busy spell ends it still
 * says so. What is asked is the next second, so the machine's CPU time is sampled twice around the
 * first chunks of the run: what every core did in that window, minus what this process did (its
 * main thread and its starting workers), is what the rest of the machine uses now.
 */
import * as os from 'node:os';

/** A CPU reading: busy milliseconds of every core, this process's CPU milliseconds, and the time. */
export interface CpuSample {
  cores: number;
  machineBusyMs: number;
  ownMs: number;
  atMs: number;
}

/** Long enough for the kernel's 10 ms accounting ticks to average out over a few of them. */
export const IDLE_WINDOW_MS = 60;

export function sampleCpu(): CpuSample {
  let busy = 0;
  // libuv reads /proc/stat on Linux (other systems have their own call): ~0.1 ms.
  const cpus = os.cpus();
  for (const cpu of cpus) busy += cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq;
  const own = process.cpuUsage();
  return { cores: cpus.length, machineBusyMs: busy, ownMs: (own.user + own.system) / 1000, atMs: performance.now() };
}

/**
 * Cores free for more threads of this process between two samples: every core, less this process's
 * main thread, less what other processes used. Fractions count (a core used half the time by
 * something else is half free); never below 0.
 */
export function freeCores(before: CpuSample, after: CpuSample): number {
  const elapsed = after.atMs - before.atMs;
  if (elapsed <= 0) return 0;
  const others = Math.max(0, after.machineBusyMs - before.machineBusyMs - (after.ownMs - before.ownMs)) / elapsed;
  return Math.max(0, after.cores - 1 - others);
}

/**
 * Workers worth starting with `free` cores free: one per core at least half free, so a second core
 * that another process keeps busy more than half the time is left to it (a worker descheduled holds
 * up the in-order writing of every chunk after its own).
 */
export function workersFor(free: number, maxWorkers: number): number {
  return Math.max(0, Math.min(maxWorkers, Math.floor(free + 0.5)));
}
