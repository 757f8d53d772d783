/** What a sink did, per target table and in total: the summary the command prints and --json carries. */
export interface TableCounts {
  /** The history table, schema.table_history. */
  table: string;
  events: number;
  versionsOpened: number;
  versionsClosed: number;
  deletes: number;
  truncates: number;
  /** Events already applied (a re-read, a connector that re-sent): nothing changed. */
  duplicates: number;
  /** Snapshot rows older than changes already applied, and events before a truncate: nothing changed. */
  stale: number;
}

export interface SinkCounts {
  records: number;
  changes: number;
  tombstones: number;
  /** Heartbeats, transaction markers, logical messages. */
  otherSkipped: number;
  /** Records skipped with --on-error skip. */
  bad: number;
  /** Records below the stored offset: another member of the group had applied them. */
  alreadyCommitted: number;
  tables: Record<string, TableCounts>;
}

export function emptyCounts(): SinkCounts {
  return { records: 0, changes: 0, tombstones: 0, otherSkipped: 0, bad: 0, alreadyCommitted: 0, tables: {} };
}

export function emptyTableCounts(table: string): TableCounts {
  return { table, events: 0, versionsOpened: 0, versionsClosed: 0, deletes: 0, truncates: 0, duplicates: 0, stale: 0 };
}

/** Adds `from` into `into` (running totals of a sink run). */
export function addCounts(into: SinkCounts, from: SinkCounts): SinkCounts {
  for (const k of ['records', 'changes', 'tombstones', 'otherSkipped', 'bad', 'alreadyCommitted'] as const) into[k] += from[k];
  for (const [name, t] of Object.entries(from.tables)) {
    const target = (into.tables[name] ??= emptyTableCounts(t.table));
    for (const k of ['events', 'versionsOpened', 'versionsClosed', 'deletes', 'truncates', 'duplicates', 'stale'] as const) target[k] += t[k];
  }
  return into;
}
