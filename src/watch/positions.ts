/**
 * `cdc watch`'s position flags: --from, --since and --partition, parsed into the consumer core's
 * start positions.
 */
import { UsageError } from '../errors';
import type { StartPosition } from '../kafka/consume';

export type { StartPosition };

/** The default when neither --from nor --since is given: see docs in commands/watch.ts. */
export const DEFAULT_START: StartPosition = { kind: 'beginning' };

export function parseFrom(text: string): StartPosition {
  const value = text.trim().toLowerCase();
  if (value === 'beginning' || value === 'earliest' || value === 'start') return { kind: 'beginning' };
  if (value === 'end' || value === 'latest') return { kind: 'end' };
  if (/^\d+$/.test(value)) return { kind: 'offset', offset: BigInt(value) };
  if (/^-\d+$/.test(value)) return { kind: 'tail', count: BigInt(value.slice(1)) };
  throw new UsageError(`--from '${text}' is not a position`, 'use beginning, end, an offset (42) or the last N records (-10)');
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `10m`, `1h30m`, `2d` ago, or an ISO-8601 time (a date alone means midnight UTC). */
export function parseSince(text: string, now: Date): StartPosition {
  const value = text.trim();
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)];
  if (parts.length > 0 && parts.map((p) => p[0]).join('') === value) {
    const ago = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]], 0);
    return { kind: 'time', ms: inRange(now.getTime() - ago, text) };
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return { kind: 'time', ms: inRange(ms, text) };
  }
  throw new UsageError(`--since '${text}' is neither a duration nor a time`, 'use e.g. 10m, 2h, 1d or 2026-01-02T03:04:05Z');
}

/** Kafka looks records up by a time in ms since 1970; earlier (or non-finite) times are not times it knows. */
function inRange(ms: number, text: string): number {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new UsageError(
      `--since '${text}' is before 1970-01-01, the earliest time Kafka records can have`,
      'use a shorter duration (e.g. 30d) or a later date; --from beginning reads everything',
    );
  }
  return ms;
}

/** Parses `--partition 0,2,5` into sorted distinct numbers. */
export function parsePartitions(text: string): number[] {
  const list = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (list.length === 0 || list.some((p) => !/^\d+$/.test(p))) {
    throw new UsageError(`--partition '${text}' is not a list of partition numbers`, 'e.g. --partition 0 or --partition 0,2');
  }
  return [...new Set(list.map(Number))].sort((a, b) => a - b);
}
