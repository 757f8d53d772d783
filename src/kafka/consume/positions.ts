/**
 * Where a partition starts. Offsets are int64: BigInt inside the core, decimal strings at the
 * kafkajs boundary, so no offset is ever rounded.
 */
export type StartPosition =
  | { kind: 'beginning' }
  | { kind: 'end' }
  /** An absolute offset, applied to every partition (clamped into what the partition holds). */
  | { kind: 'offset'; offset: bigint }
  /** The last N records of each partition (as kcat's `-o -N`). */
  | { kind: 'tail'; count: bigint }
  /** The first record at or after this time (ms since the epoch). */
  | { kind: 'time'; ms: number };

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
