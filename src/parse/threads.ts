/**
 * Whether a file is parsed on several threads (parallel.ts), decided before anything of the
 * parallel path is loaded: small inputs, the common case, do not pay for its modules.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sampleCpu, type CpuSample } from './idle-cores';
import type { ParseRunOptions } from './run';

/** Smaller files are done before threads would pay off. */
export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;
const MAX_THREADS = 4;

export interface ParallelPlan {
  /** Threads that parse: the main thread and threads − 1 workers. */
  threads: number;
  script: string;
  /**
   * Automatic mode: the CPU reading taken as the run starts. The workers start at once (their
   * start-up overlaps the first chunks), but get chunks only once a second reading shows cores
   * free for them; the others are stopped (idle-cores.ts).
   */
  since?: CpuSample;
}

/**
 * Whether (and how) to parse this file on several threads; undefined for one thread. Automatic
 * (threads 0): files from 32 MiB, with as many workers as cores are free once the run has begun.
 */
export function parallelPlan(file: { path: string; size: number }, options: Pick<ParseRunOptions, 'threads'>): ParallelPlan | undefined {
  const threads = options.threads ?? 0;
  if (threads === 1) return undefined;
  const cores = os.availableParallelism();
  const total = threads > 1 ? threads : Math.min(cores, MAX_THREADS);
  if (total < 2 || (threads === 0 && file.size < PARALLEL_MIN_BYTES)) return undefined;
  // Run from the TypeScript sources (ts-jest) there is no compiled worker: one thread.
  const script = path.join(__dirname, 'worker.js');
  if (!fs.existsSync(script)) return undefined;
  return threads === 0 ? { threads: total, script, since: sampleCpu() } : { threads: total, script };
}
