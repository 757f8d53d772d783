/**
 * SCD2 for one table segment of a batch, set-based: the segment's events are COPYed into a
 * staging table, then a handful of statements do the rest for every key at once —
 *   1. drop events already applied or stale (at or before the newest version of their key, or
 *      before the table's last truncate) and re-snapshot rows equal to the current version; only
 *      events at or below the history's applied LSN (catalog.ts) can be, and only those are looked up;
 *   2. chain each key's remaining events (first, last, the next event's time);
 *   3. fill values the events did not carry from the current version (TOAST, delete rows);
 *   4. close the current version of every key the segment touches;
 *   5. insert the new versions and delete rows, raise the applied LSN; 6. refresh the `--current` mirror.
 * A truncate closes every current version. All of it inside the caller's transaction.
 */
import type { Client } from 'pg';
import { isoTimestamp } from '../../debezium';
import { quoteIdent, quoteQualified } from '../../pg/identifiers';
import type { StagedEvent, TableSegment } from '../batch';
import type { SinkTruncate } from '../record';
import type { TableCounts } from '../summary';
import { APPLIED_LSN, partitionId, saveApplied } from './catalog';
import { COPY_NULL, copyFieldOf, escapeCopy } from './copy-text';
import type { HistoryTable } from './table';

/** Columns of the staging table after the source columns. */
const CONTROL =
  '_seq integer, _op text, _lsn bigint, _ts timestamptz, _txid bigint, _topic text, _partition integer, _offset bigint, _unchanged text[], _fill boolean, _first boolean, _last boolean, _next_ts timestamptz';
const CONTROL_COPY = ['_seq', '_op', '_lsn', '_ts', '_txid', '_topic', '_partition', '_offset', '_unchanged', '_fill', '_first', '_last', '_next_ts'];

export interface Stage {
  name: string;
  /** Source columns the staging table was made with: a history that grew needs a new one. */
  columns: string;
  /** Rows it held when last analyzed (0: never). */
  analyzedRows: number;
  /** It holds rows of the current transaction (it empties itself at commit: ON COMMIT DELETE ROWS). */
  used: boolean;
}

export async function prepareStage(client: Client, table: HistoryTable, stageName: string, known: Stage | undefined): Promise<Stage> {
  const columns = [...table.columns].map(([name, type]) => `${quoteIdent(name)} ${type}`).join(', ');
  if (known && known.columns === columns) return known;
  const name = quoteIdent(stageName);
  await client.query(`DROP TABLE IF EXISTS pg_temp.${name}`);
  await client.query(`CREATE TEMP TABLE ${name} (${columns}${columns ? ', ' : ''}${CONTROL}) ON COMMIT DELETE ROWS`);
  return { name: stageName, columns, analyzedRows: 0, used: false };
}

export async function applySegment(
  client: Client,
  group: string,
  table: HistoryTable,
  stage: Stage,
  segment: TableSegment,
  counts: TableCounts,
): Promise<void> {
  if (segment.events.length) await applyEvents(client, group, table, stage, segment.events, counts);
  if (segment.truncate) await applyTruncate(client, table, segment.truncate, counts);
}

async function applyEvents(client: Client, group: string, table: HistoryTable, stage: Stage, events: StagedEvent[], counts: TableCounts): Promise<void> {
  const s = `pg_temp.${quoteIdent(stage.name)}`;
  const h = quoteQualified(table.history);
  const columns = [...table.columns.keys()];
  const keyed = (a: string, b: string) => table.keyColumns.map((k) => `${a}.${quoteIdent(k)} = ${b}.${quoteIdent(k)}`).join(' AND ');
  const keyList = table.keyColumns.map(quoteIdent).join(', ');
  counts.events += events.length;

  // Emptied at each commit; a second segment in one transaction (after a truncate) deletes, since
  // TRUNCATE would also reset the statistics below.
  if (stage.used) await client.query(`DELETE FROM ${s}`);
  stage.used = true;
  await copyEvents(client, s, table, events);
  // Temp tables are never auto-analyzed: without statistics the planner joins the history by a
  // full scan instead of the key indexes, and each batch would cost as much as the whole history.
  // The statistics outlive the rows (ON COMMIT DELETE ROWS keeps them) and the planner scales them
  // to the table's current size: analyzed again only when batches grew past twice the size.
  if (events.length > 2 * stage.analyzedRows) {
    await client.query(`ANALYZE ${s}`);
    stage.analyzedRows = events.length;
  }

  // 1. Already applied or stale.
  let removed = 0;
  if (table.truncateLsn !== null) {
    const before = await client.query(`DELETE FROM ${s} WHERE _lsn < $1`, [table.truncateLsn.toString()]);
    counts.stale += before.rowCount ?? 0;
    removed += before.rowCount ?? 0;
  }
  // An event beyond the applied LSN has no version at or after it: its key is not looked up.
  const skipped = await client.query<{ duplicates: number; stale: number }>(
    `
    WITH newest AS (
      SELECT st._seq, m._source_lsn AS lsn, m._source_op AS op FROM ${s} st
      CROSS JOIN LATERAL (SELECT v._source_lsn, v._source_op FROM ${h} v WHERE ${keyed('v', 'st')}
                          ORDER BY v._source_lsn DESC, (v._source_op <> 'r') DESC LIMIT 1) m
      WHERE st._lsn <= ${APPLIED_LSN}
    ), gone AS (
      DELETE FROM ${s} st USING newest n
      WHERE st._seq = n._seq AND (st._lsn, st._op <> 'r') <= (n.lsn, n.op <> 'r')
      RETURNING st._op, (st._lsn = n.lsn AND (st._op = 'r') = (n.op = 'r')) AS newest
    )
    -- A snapshot row older than the newest change of its key is stale (even if it was applied once).
    SELECT count(*) FILTER (WHERE newest OR _op <> 'r')::int AS duplicates, count(*) FILTER (WHERE NOT newest AND _op = 'r')::int AS stale FROM gone`,
    [table.history.schema, table.history.table],
  );
  counts.duplicates += skipped.rows[0].duplicates;
  counts.stale += skipped.rows[0].stale;
  removed += skipped.rows[0].duplicates + skipped.rows[0].stale;
  // A snapshot taken again (a new connector on the same topics) re-reads rows the history has.
  const comparable = (alias: string) => columns.map((c) => `${alias}.${quoteIdent(c)}${table.columns.get(c) === 'xml' ? '::text' : ''}`).join(', ');
  if (columns.length && events.some((e) => e.change.op === 'r')) {
    const same = await client.query(`
      DELETE FROM ${s} st USING ${h} v
      WHERE st._op = 'r' AND v.is_current AND ${keyed('v', 'st')}
        AND NOT EXISTS (SELECT 1 FROM ${s} e WHERE ${keyed('e', 'st')} AND e._seq < st._seq)
        AND ROW(${comparable('st')}) IS NOT DISTINCT FROM ROW(${comparable('v')})`);
    counts.duplicates += same.rowCount ?? 0;
    removed += same.rowCount ?? 0;
  }

  // 2. Each key's chain: as staged, unless step 1 dropped events (a re-read, a restart) — rare.
  if (removed > 0)
    await client.query(`
    UPDATE ${s} st SET _first = w.first, _last = w.last, _next_ts = w.next_ts
    FROM (SELECT _seq, lag(_seq) OVER k IS NULL AS first, lead(_seq) OVER k IS NULL AS last, lead(_ts) OVER k AS next_ts
          FROM ${s} WINDOW k AS (PARTITION BY ${keyList} ORDER BY _seq)) w
    WHERE w._seq = st._seq`);

  // 3. Values only the current version has.
  const unchanged = new Set(events.flatMap((e) => e.unchanged));
  for (const column of unchanged) {
    const c = quoteIdent(column);
    await client.query(`UPDATE ${s} st SET ${c} = v.${c} FROM ${h} v WHERE v.is_current AND ${keyed('v', 'st')} AND $1 = ANY(st._unchanged)`, [column]);
  }
  const fillable = columns.filter((c) => !table.keyColumns.includes(c));
  if (fillable.length && events.some((e) => e.fillFromCurrent)) {
    await client.query(`UPDATE ${s} st SET ${fillable.map((c) => `${quoteIdent(c)} = COALESCE(st.${quoteIdent(c)}, v.${quoteIdent(c)})`).join(', ')}
      FROM ${h} v WHERE st._fill AND v.is_current AND ${keyed('v', 'st')}`);
  }

  // 4. Close what the first event of each key supersedes.
  const closed = await client.query(
    `UPDATE ${h} v SET valid_to = st._ts, is_current = false FROM ${s} st WHERE st._first AND v.is_current AND ${keyed('v', 'st')}`,
  );
  counts.versionsClosed += closed.rowCount ?? 0;

  // 5. New versions; a delete is a row of its own, valid_from = valid_to = the delete's time.
  const list = columns.map(quoteIdent).join(', ');
  const sourceList = columns.length ? `${list}, ` : '';
  const inserted = await client.query<{ deletes: number; opened: number; closed: number }>(`
    WITH ins AS (
      INSERT INTO ${h} (${sourceList}valid_from, valid_to, is_current, operation_type, _source_lsn, _source_op, _source_txid, _kafka_topic, _kafka_partition, _kafka_offset)
      SELECT ${sourceList}_ts, CASE WHEN _op = 'd' THEN _ts ELSE _next_ts END, _op <> 'd' AND _last,
             CASE _op WHEN 'u' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'INSERT' END,
             _lsn, _op, _txid, _topic, _partition, _offset
      FROM ${s} ORDER BY _seq
      RETURNING operation_type, is_current)
    SELECT count(*) FILTER (WHERE operation_type = 'DELETE')::int AS deletes, count(*) FILTER (WHERE operation_type <> 'DELETE')::int AS opened,
           count(*) FILTER (WHERE operation_type <> 'DELETE' AND NOT is_current)::int AS closed FROM ins`);
  counts.deletes += inserted.rows[0].deletes;
  counts.versionsOpened += inserted.rows[0].opened;
  // Versions that a later event of the same batch already closed.
  counts.versionsClosed += inserted.rows[0].closed;
  // Every staged event counts (those dropped above too): a higher mark only means more lookups.
  await saveApplied(client, table.history, group, highestLsns(events));

  // 6. The mirror holds each key's last state.
  if (table.mirror) {
    const m = quoteQualified(table.mirror);
    await client.query(`DELETE FROM ${m} r USING ${s} st WHERE ${keyed('r', 'st')}`);
    await client.query(`INSERT INTO ${m} (${list}) SELECT ${list} FROM ${s} WHERE _last AND _op <> 'd'`);
  }
}

/** Per partition of the events, their highest LSN. */
function highestLsns(events: StagedEvent[]): { topic: string; partition: number; lsn: bigint }[] {
  const highest = new Map<string, { topic: string; partition: number; lsn: bigint }>();
  let seen: { topic: string; partition: number; lsn: bigint } | undefined;
  for (const { change } of events) {
    const { topic, partition } = change.record;
    // A batch comes mostly from one partition: the map only when it changes.
    if (seen?.topic !== topic || seen.partition !== partition) {
      const id = partitionId(topic, partition);
      seen = highest.get(id);
      if (!seen) highest.set(id, (seen = { topic, partition, lsn: change.position.lsn }));
    }
    if (change.position.lsn > seen.lsn) seen.lsn = change.position.lsn;
  }
  return [...highest.values()];
}

async function applyTruncate(client: Client, table: HistoryTable, truncate: SinkTruncate, counts: TableCounts): Promise<void> {
  counts.events += 1;
  if (table.truncateLsn !== null && truncate.position.lsn <= table.truncateLsn) {
    counts.duplicates += 1;
    return;
  }
  const closed = await client.query(`UPDATE ${quoteQualified(table.history)} SET valid_to = $1, is_current = false WHERE is_current`, [
    timestampText(truncate.timeUs),
  ]);
  counts.versionsClosed += closed.rowCount ?? 0;
  counts.truncates += 1;
  if (table.mirror) await client.query(`DELETE FROM ${quoteQualified(table.mirror)}`);
  await client.query(`UPDATE cdc_sink.tables SET truncate_lsn = $3 WHERE target_schema = $1 AND history_table = $2`, [
    table.history.schema,
    table.history.table,
    truncate.position.lsn.toString(),
  ]);
  table.truncateLsn = truncate.position.lsn;
}

async function copyEvents(client: Client, stage: string, table: HistoryTable, events: StagedEvent[]): Promise<void> {
  const { from: copyFrom } = await import('pg-copy-streams');
  const columns = [...table.columns];
  const names = [...columns.map(([name]) => quoteIdent(name)), ...CONTROL_COPY].join(', ');
  const stream = client.query(copyFrom(`COPY ${stage} (${names}) FROM STDIN`));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  // Events of one source transaction share their commit time: each time is formatted once.
  const times = new Map<bigint, string>();
  const time = (us: bigint) => {
    let text = times.get(us);
    if (text === undefined) times.set(us, (text = timestampText(us)));
    return text;
  };
  const fields = columns.map(([, type]) => copyFieldOf(type));
  const sourceNames = columns.map(([name]) => name);
  // Each row is appended to one string: no array of fields per row (the allocation showed in GC).
  let topic = '';
  let lineage = '';
  let chunk = '';
  for (let seq = 0; seq < events.length; seq++) {
    const event = events[seq];
    const c = event.change;
    // Events come grouped by key, each key's in source order (batch.ts).
    const previous = events[seq - 1];
    const next = events[seq + 1];
    const first = !previous || previous.change.keyText !== c.keyText;
    const last = !next || next.change.keyText !== c.keyText;
    if (c.record.topic !== topic) {
      topic = c.record.topic;
      lineage = escapeCopy(topic);
    }
    for (let i = 0; i < sourceNames.length; i++) chunk += fields[i](event.values[sourceNames[i]]) + '\t';
    chunk +=
      `${seq}\t${c.op}\t${c.position.lsn}\t${time(c.timeUs)}\t${c.txId === null ? COPY_NULL : c.txId}\t${lineage}\t${c.record.partition}\t${c.record.offset}\t` +
      `${event.unchanged.length ? escapeCopy(`{${event.unchanged.map((u) => `"${u.replace(/[\\"]/g, (x) => '\\' + x)}"`).join(',')}}`) : COPY_NULL}\t` +
      `${event.fillFromCurrent ? 't' : 'f'}\t${first ? 't' : 'f'}\t${last ? 't' : 'f'}\t${last ? COPY_NULL : time(next.change.timeUs)}\n`;
    if (chunk.length > 1 << 16) {
      stream.write(chunk);
      chunk = '';
    }
  }
  stream.end(chunk);
  await done;
}

/** µs since the epoch as a timestamptz literal. */
export function timestampText(us: bigint): string {
  return `${isoTimestamp(us, 'us')}Z`;
}
