/**
 * Where `cdc watch` starts and stops, per partition. Offsets are decimal strings end to end
 * (Kafka offsets are int64; kafkajs hands them over as strings) and compared as BigInt.
 */
import { UsageError } from '../errors';

export type StartPosition =
  | { kind: 'beginning' }
  | { kind: 'end' }
  /** An absolute offset, applied to every partition (clamped into what the partition holds). */
  | { kind: 'offset'; offset: bigint }
  /** The last N records of each partition (`--from -N`, as kcat's `-o -N`). */
  | { kind: 'tail'; count: bigint }
  /** The first record at or after this time (`--since 10m` or an ISO time). */
  | { kind: 'time'; ms: number };

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
    return { kind: 'time', ms: now.getTime() - ago };
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return { kind: 'time', ms };
  }
  throw new UsageError(`--since '${text}' is neither a duration nor a time`, 'use e.g. 10m, 2h, 1d or 2026-01-02T03:04:05Z');
}

/** What the broker says a partition holds right now. */
export interface PartitionRange {
  partition: number;
  /** First offset still stored. */
  low: string;
  /** Offset the next record will get (high watermark). */
  high: string;
}

/** The first offset to read in one partition for a start position (time lookups resolved by the caller). */
export function startOffset(position: StartPosition, range: PartitionRange, timeOffset?: string): string {
  const low = BigInt(range.low);
  const high = BigInt(range.high);
  const clamp = (o: bigint) => (o < low ? low : o > high ? high : o);
  switch (position.kind) {
    case 'beginning':
      return range.low;
    case 'end':
      return range.high;
    case 'offset':
      return clamp(position.offset).toString();
    case 'tail':
      return clamp(high - position.count).toString();
    case 'time':
      if (timeOffset === undefined) throw new Error('a time position needs the offset the broker found for it');
      return clamp(BigInt(timeOffset)).toString();
  }
}

/** Parses `--partition 0,2,5` into sorted distinct numbers. */
export function parsePartitions(text: string): number[] {
  const list = text.split(',').map((p) => p.trim()).filter(Boolean);
  if (list.length === 0 || list.some((p) => !/^\d+$/.test(p))) {
    throw new UsageError(`--partition '${text}' is not a list of partition numbers`, 'e.g. --partition 0 or --partition 0,2');
  }
  return [...new Set(list.map(Number))].sort((a, b) => a - b);
}
