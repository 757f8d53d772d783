/** Checks shared by the `cdc sink` commands (connection flags come from ../ui/settings-flags). */
import { UsageError } from '../../src/errors';
import type { SinkOp } from '../../src/sink';
import { intFlag } from '../ui/flags';

export const DEFAULT_GROUP = 'cdc-sink-postgres';

const SINK_OPS: readonly SinkOp[] = ['c', 'r', 'u', 'd', 't'];

/** A whole number in [min, max], named by its flag: the shared parser of commands/ui/flags.ts. */
export function wholeNumber(text: string, flag: string, min: number, max: number): number {
  return intFlag(flag, { min, max })(text);
}

/** `--op c,u`: the operations a document or object sink keeps, each one of c, r, u, d, t. */
export function sinkOps(text: string): Set<SinkOp> {
  const ops = new Set<SinkOp>();
  for (const op of text.split(',').map((o) => o.trim())) {
    if (!SINK_OPS.includes(op as SinkOp)) throw new UsageError(`--op takes a comma-separated list of ${SINK_OPS.join(', ')}, got ${JSON.stringify(text)}`);
    ops.add(op as SinkOp);
  }
  return ops;
}
