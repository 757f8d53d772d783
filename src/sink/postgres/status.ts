/**
 * `cdc sink status`: per group, topic and partition, what the target has applied (from
 * cdc_sink.offsets) against what Kafka holds (high watermarks, without consuming).
 */
import { withPg, type PgTarget } from '../../pg/connection';
import { readLag, PartitionMap } from '../../kafka/consume';
import type { KafkaSettings } from '../../kafka/options';
import { CdcError } from '../../errors';

export interface SinkStatusRow {
  group: string;
  topic: string;
  partition: number;
  /** Next offset to read: everything below is in the history tables. */
  appliedOffset: string | null;
  highWatermark: string | null;
  /** Records not applied yet; null when Kafka could not be asked. */
  lag: string | null;
  lastLsn: string | null;
  /** Records applied by this group on this partition, all runs together. */
  records: string;
  updatedAt: string;
}

export interface SinkStatus {
  rows: SinkStatusRow[];
  /** Why lag is missing (Kafka unreachable), if it is. */
  kafkaError?: string;
}

export async function sinkStatus(target: PgTarget, settings: KafkaSettings, group: string | undefined): Promise<SinkStatus> {
  const stored = await withPg(target, async (client) => {
    const exists = await client.query<{ found: boolean }>(`SELECT to_regclass('cdc_sink.offsets') IS NOT NULL AS found`);
    if (!exists.rows[0].found) return [];
    const { rows } = await client.query(
      `SELECT group_id, topic, partition, next_offset::text AS next, last_lsn::text AS lsn, events::text AS events, updated_at
       FROM cdc_sink.offsets WHERE $1::text IS NULL OR group_id = $1 ORDER BY group_id, topic, partition`,
      [group ?? null],
    );
    return rows as { group_id: string; topic: string; partition: number; next: string | null; lsn: string | null; events: string; updated_at: Date }[];
  });
  const status: SinkStatus = { rows: [] };
  const high = new PartitionMap<bigint>();
  const topics = [...new Set(stored.map((r) => r.topic))];
  if (topics.length) {
    try {
      for (const p of await readLag(settings, topics, { store: { read: async () => new PartitionMap<bigint>() } })) high.set(p, p.highWatermark);
    } catch (err) {
      status.kafkaError = err instanceof CdcError ? err.message : String(err);
    }
  }
  for (const r of stored) {
    const hw = high.get({ topic: r.topic, partition: r.partition });
    const applied = r.next === null ? 0n : BigInt(r.next);
    status.rows.push({
      group: r.group_id,
      topic: r.topic,
      partition: r.partition,
      appliedOffset: r.next,
      highWatermark: hw === undefined ? null : hw.toString(),
      lag: hw === undefined ? null : (hw > applied ? hw - applied : 0n).toString(),
      lastLsn: r.lsn,
      records: r.events,
      updatedAt: r.updated_at.toISOString(),
    });
  }
  return status;
}
