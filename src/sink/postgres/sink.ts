/**
 * `PostgresSink`: the target side of `cdc sink postgres`. One connection; each batch is one
 * transaction holding the rows of every table it touches and the group's next offsets, so a crash
 * at any moment leaves either the whole batch or none of it.
 */
import type { Client } from 'pg';
import { CdcError } from '../../errors';
import { createEventTextParser } from '../../debezium';
import { connectPg, type PgTarget } from '../../pg/connection';
import { isPgError, translatePgError } from '../../pg/errors';
import { displayName } from '../../pg/identifiers';
import { planBatch, tableId, type TablePlan } from '../batch';
import { BadRecordError } from '../errors';
import type { BatchPosition, BatchResult, PartitionOffset, SinkTarget } from '../offsets';
import { decodeSinkRecord, type SinkChange, type SinkItem, type SinkRecord, type SinkTruncate } from '../record';
import { emptyCounts, emptyTableCounts, type SinkCounts } from '../summary';
import { applySegment, prepareStage, type Stage } from './apply';
import { ensureCatalog, lockOffsets, partitionId, saveOffsets, storedOffsets, type OffsetUpdate } from './catalog';
import { historyName, prepareTable, type HistoryTable, type TableOptions } from './table';

export interface PostgresSinkOptions extends TableOptions {
  onError: 'stop' | 'skip';
}

/** Records decoded between two looks at the event loop (about 10 ms of work). */
const PREPARE_SLICE = 250;

/** A batch decoded and planned ahead (prepareBatch), on the assumption that every record applies. */
interface PreparedBatch {
  records: readonly SinkRecord[];
  items: SinkItem[];
  /** planBatch of every change and truncate; an error it threw is raised when the batch applies. */
  plan: TablePlan[] | Error;
}

export class PostgresSink implements SinkTarget<BatchResult> {
  private readonly parseText = createEventTextParser();
  private readonly tables = new Map<string, HistoryTable>();
  private readonly stages = new Map<string, Stage>();

  private constructor(
    private readonly client: Client,
    private readonly target: PgTarget,
    private readonly options: PostgresSinkOptions,
  ) {}

  static async open(target: PgTarget, options: PostgresSinkOptions): Promise<PostgresSink> {
    const client = await connectPg(target);
    try {
      await ensureCatalog(client);
    } catch (err) {
      await client.end().catch(() => {});
      throw isPgError(err) ? translatePgError(err, target) : err;
    }
    return new PostgresSink(client, target, options);
  }

  async storedOffsets(group: string, topics: readonly string[]): Promise<PartitionOffset[]> {
    return this.guard(() => storedOffsets(this.client, group, topics));
  }

  /**
   * Decoding and planning need only the records: done while the batch before is written, a slice
   * at a time, so that its statements' replies are read (and the next sent) in between.
   */
  async prepareBatch(records: readonly SinkRecord[]): Promise<PreparedBatch> {
    const items: SinkItem[] = [];
    for (let i = 0; i < records.length; i++) {
      if (i > 0 && i % PREPARE_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
      items.push(decodeSinkRecord(records[i], this.parseText));
    }
    let plan: TablePlan[] | Error;
    try {
      plan = planBatch(items.filter((i): i is SinkChange | SinkTruncate => i.kind === 'change' || i.kind === 'truncate'));
    } catch (err) {
      plan = err instanceof Error ? err : new Error(String(err));
    }
    return { records, items, plan };
  }

  async applyBatch(group: string, records: readonly SinkRecord[], _position?: BatchPosition, prepared?: unknown): Promise<BatchResult> {
    const ready = (prepared as PreparedBatch | undefined)?.records === records ? (prepared as PreparedBatch) : undefined;
    const counts = emptyCounts();
    const result: BatchResult = { counts, bad: [], committed: [] };
    if (records.length === 0) return result;
    await this.guard(() => this.client.query('BEGIN'));
    for (const stage of this.stages.values()) stage.used = false;
    try {
      const partitions = new Map<string, { topic: string; partition: number }>();
      for (const r of records) partitions.set(partitionId(r.topic, r.partition), { topic: r.topic, partition: r.partition });
      const stored = await lockOffsets(this.client, group, [...partitions.values()]);
      const items: (SinkChange | SinkTruncate)[] = [];
      const stopped = new Set<string>();
      const progress = new Map<string, OffsetUpdate>();
      let applied = 0;
      for (const [index, record] of records.entries()) {
        const id = partitionId(record.topic, record.partition);
        if (stopped.has(id)) continue;
        const next = stored.get(id);
        if (next !== null && next !== undefined && BigInt(record.offset) < next) {
          counts.alreadyCommitted++;
          continue;
        }
        applied++;
        const item = ready ? ready.items[index] : decodeSinkRecord(record, this.parseText);
        if (item.kind === 'bad') {
          const bad = { topic: record.topic, partition: record.partition, offset: record.offset, reason: item.reason, hint: item.hint };
          result.bad.push(bad);
          if (this.options.onError === 'stop') {
            stopped.add(id);
            result.stop ??= new BadRecordError(record, item.reason, item.hint);
            continue;
          }
          counts.bad++;
        }
        counts.records++;
        if (item.kind === 'skip') {
          if (item.what === 'tombstone') counts.tombstones++;
          else counts.otherSkipped++;
        } else if (item.kind !== 'bad') {
          counts.changes++;
          items.push(item);
        }
        const seen = progress.get(id) ?? { topic: record.topic, partition: record.partition, nextOffset: record.offset, lastLsn: null, events: 0 };
        seen.nextOffset = (BigInt(record.offset) + 1n).toString();
        seen.events++;
        if ((item.kind === 'change' || item.kind === 'truncate') && (seen.lastLsn === null || item.position.lsn > seen.lastLsn))
          seen.lastLsn = item.position.lsn;
        progress.set(id, seen);
      }
      // The prepared plan holds when every record applies (no re-read, no bad record stopped the batch).
      const plans = ready && applied === records.length && !result.stop ? ready.plan : planBatch(items);
      if (plans instanceof Error) throw plans;
      await this.applyPlans(group, plans, counts);
      await saveOffsets(this.client, group, [...progress.values()]);
      await this.client.query('COMMIT');
      result.committed = [...progress.values()].map(({ topic, partition, nextOffset }) => ({ topic, partition, nextOffset }));
      return result;
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => {});
      // What this process believed about the tables may have been rolled back with the batch.
      this.tables.clear();
      this.stages.clear();
      throw isPgError(err) ? translatePgError(err, this.target) : err;
    }
  }

  private async applyPlans(group: string, plans: TablePlan[], counts: SinkCounts): Promise<void> {
    for (const plan of plans) {
      const id = tableId(plan.table);
      const name = historyName(plan, this.options).history;
      const tableCounts = (counts.tables[displayName(name)] ??= emptyTableCounts(displayName(name)));
      tableCounts.duplicates += plan.repeated - plan.repeatedStale;
      tableCounts.stale += plan.repeatedStale;
      tableCounts.events += plan.repeated;
      const table = await prepareTable(this.client, plan, this.options, this.tables.get(id));
      this.tables.set(id, table);
      for (const segment of plan.segments) {
        const stage = await prepareStage(this.client, table, `cdc_stage_${this.stageIndex(id)}`, this.stages.get(id));
        this.stages.set(id, stage);
        await applySegment(this.client, group, table, stage, segment, tableCounts);
      }
    }
  }

  private stageIndex(id: string): number {
    const ids = [...this.tables.keys()];
    return ids.indexOf(id);
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw isPgError(err) && !(err instanceof CdcError) ? translatePgError(err, this.target) : err;
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}
