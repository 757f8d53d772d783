/** What `cdc sink postgres` shows: a live line on a terminal, a summary at the end, or --json. */
import type { PartitionProgress } from '../../src/kafka/consume';
import type { SinkCounts, SinkRunSummary } from '../../src/sink';
import { sanitizeForTerminal } from '../ui/style';

const n = (value: number | bigint) => value.toLocaleString('en-US');

export function liveLine(counts: SinkCounts, partitions: PartitionProgress[], elapsedMs: number): string {
  const lag = partitions.reduce((sum, p) => sum + (p.assigned ? p.lag : 0n), 0n);
  const rows = Object.values(counts.tables).reduce((sum, t) => sum + t.versionsOpened + t.deletes, 0);
  const rate = elapsedMs > 0 ? Math.round((counts.records * 1000) / elapsedMs) : 0;
  return `sink: ${n(counts.records)} events (${n(rate)}/s) · lag ${n(lag)} · ${n(rows)} rows written`;
}

/** The --json document: explicit fields only. */
export function summaryDocument(summary: SinkRunSummary, group: string, target: string) {
  const c = summary.counts;
  return {
    group,
    target,
    reason: summary.reason,
    elapsedMs: summary.elapsedMs,
    eventsPerSecond: summary.elapsedMs > 0 ? Math.round((c.records * 1000) / summary.elapsedMs) : 0,
    records: c.records,
    changes: c.changes,
    tombstones: c.tombstones,
    otherSkipped: c.otherSkipped,
    badSkipped: c.bad,
    alreadyCommitted: c.alreadyCommitted,
    tables: Object.values(c.tables).map((t) => ({
      table: t.table,
      events: t.events,
      versionsOpened: t.versionsOpened,
      versionsClosed: t.versionsClosed,
      deletes: t.deletes,
      truncates: t.truncates,
      duplicates: t.duplicates,
      stale: t.stale,
    })),
    partitions: summary.partitions.map((p) => ({ topic: p.topic, partition: p.partition, nextOffset: p.position.toString(), lag: p.lag.toString() })),
  };
}

/** The human summary on stderr: one line per table, then the totals. */
export function summaryLines(summary: SinkRunSummary): string[] {
  const c = summary.counts;
  const how = summary.reason === 'end' ? 'reached the end' : summary.reason === 'interrupted' ? 'interrupted' : 'stopped';
  const lines = [
    `cdc sink postgres: ${how} — ${n(c.records)} records in ${(summary.elapsedMs / 1000).toFixed(1)} s; ${n(c.changes)} changes, ${n(c.tombstones)} tombstones skipped${c.bad ? `, ${n(c.bad)} bad records skipped` : ''}${c.alreadyCommitted ? `, ${n(c.alreadyCommitted)} already applied by another member` : ''}`,
  ];
  for (const t of Object.values(c.tables)) {
    lines.push(
      `  ${sanitizeForTerminal(t.table)}: ${n(t.versionsOpened)} versions opened, ${n(t.versionsClosed)} closed, ${n(t.deletes)} deletes${t.truncates ? `, ${n(t.truncates)} truncates` : ''}; skipped ${n(t.duplicates)} duplicate, ${n(t.stale)} stale`,
    );
  }
  return lines;
}
