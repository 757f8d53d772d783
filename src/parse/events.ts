/**
 * A parse run over every input: each large file on several threads when that pays (parallel.ts),
 * else as one stream (run.ts). Kept apart from both so that neither imports the other's caller.
 * The worker pool starts before the first read and serves every file of the run.
 */
import { RecordSplitter } from './records';
import type { ParsePool } from './parallel';
import { parallelPlan } from './threads';
import { createRunState, parseStream, type ParseBatch, type ParseInput, type ParseRunOptions, type ParseSummary } from './run';

export async function* parseEvents(inputs: ParseInput[], options: ParseRunOptions): AsyncGenerator<ParseBatch, ParseSummary> {
  const state = createRunState(options);
  const plans = inputs.map((input) => (input.file !== undefined && !options.strict ? parallelPlan(input.file, options) : undefined));
  const first = plans.find((plan) => plan !== undefined);
  let pool: ParsePool | undefined;
  try {
    // The parallel path's modules only for a run that uses it.
    const parallel = first ? await import('./parallel') : undefined;
    if (parallel && first) pool = await parallel.startPool(first, options);
    for (let k = 0; k < inputs.length; k++) {
      const input = inputs[k];
      const stopped =
        plans[k] && pool && parallel
          ? yield* parallel.parseFileInParallel(input, pool, options, state)
          : yield* parseStream(input.name, input.chunks, new RecordSplitter(options.maxRecordBytes, 0, true, { bytes: true }), options, state);
      if (stopped) {
        state.summary.stopped = true;
        return state.summary;
      }
    }
    return state.summary;
  } finally {
    pool?.terminate();
  }
}
