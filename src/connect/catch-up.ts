/**
 * Whether a Debezium PostgreSQL connector has put on Kafka what a script means to read next:
 * - snapshot: every snapshot record. Connect's status says RUNNING from the first row on; the
 *   committed source offset says `snapshot_completed` only once the last snapshot record (the one
 *   Debezium marks `source.snapshot = "last"`) was acknowledged by Kafka.
 * - caught-up: the snapshot, and every change committed in the source before the wait began.
 *   Those still to deliver are the slot's pending changes (src/pg/slot-peek.ts) that come after
 *   the committed offset: Connect commits an offset only once Kafka has acknowledged its record
 *   and all before it, and the offset names its transaction (txId) and change (lsn). The slot's
 *   confirmed_flush_lsn alone cannot tell: Debezium confirms the previous transaction's position.
 */
import type { OffsetValue, StoredOffset } from './offsets';
import type { PeekedChange } from '../pg/slot-peek';

export interface CommittedPosition {
  txId?: string;
  lsn?: bigint;
  /** The offset is a snapshot one and the last snapshot record is not yet committed. */
  inSnapshot: boolean;
}

/** The committed position of a connector's one source partition; undefined when nothing is committed. */
export function committedPosition(offsets: StoredOffset[]): CommittedPosition | undefined {
  const offset = offsets.find((o) => o.offset !== null)?.offset;
  if (!offset) return undefined;
  const snapshot = offset.snapshot;
  const inSnapshot =
    snapshot !== undefined && snapshot !== false && snapshot !== 'false' && offset.snapshot_completed !== true && offset.last_snapshot_record !== true;
  return { txId: text(offset.txId), lsn: bigintOf(offset.lsn), inSnapshot };
}

function text(value: OffsetValue | undefined): string | undefined {
  return typeof value === 'number' || typeof value === 'string' ? String(value) : undefined;
}

function bigintOf(value: OffsetValue | undefined): bigint | undefined {
  const t = text(value);
  return t !== undefined && /^\d+$/.test(t) ? BigInt(t) : undefined;
}

/**
 * Snapshot records are all on Kafka when the committed offset is past the snapshot; with nothing
 * committed at all, once Debezium streams from its slot (it starts streaming only after reading
 * the snapshot, so an empty snapshot or snapshot.mode=no_data produced no records to wait for).
 */
export function snapshotDone(position: CommittedPosition | undefined, slotStreaming: boolean): boolean {
  return position ? !position.inSnapshot : slotStreaming;
}

/**
 * How many of the slot's pending changes (in commit order) are not covered by the committed
 * offset: transactions up to the committed one are on Kafka, and within it the changes up to its
 * lsn. A committed transaction absent from the list was confirmed to the slot before the peek, so
 * every listed change comes after it.
 */
export function changesNotOnKafka(pending: PeekedChange[], position: CommittedPosition | undefined): number {
  if (!position || position.txId === undefined) return pending.length;
  let last = -1;
  pending.forEach((c, i) => {
    if (c.xid === position.txId) last = i;
  });
  if (last === -1) return pending.length;
  return pending.filter((c, i) => (c.xid === position.txId ? position.lsn === undefined || c.lsn > position.lsn : i > last)).length;
}
