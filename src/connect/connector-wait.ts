/**
 * `cdc connector wait NAME --for snapshot|caught-up`: polls the connector's status, its committed
 * offset (Connect) and its replication slot (PostgreSQL, with the connector's own database.*
 * settings) until what catch-up.ts defines holds, a task FAILED, or the time is up.
 */
import { quoteIdent } from '../pg/identifiers';
import type { Client } from 'pg';
import { CdcError, ExitCode, InterruptedError, UsageError } from '../errors';
import { withPg } from '../pg/connection';
import { currentWalLsn, flushedWalLsn, formatLsn, peekPendingChanges, slotState, type PeekedChange } from '../pg/slot-peek';
import { changesNotOnKafka, committedPosition, snapshotDone } from './catch-up';
import type { ConnectClient } from './client';
import { RequestDeadlineError } from './errors';
import { pgTargetOf, slotAndPublication, type OwnTarget } from './database';
import { readOffsets } from './offsets';
import { summarizeStatus, type StatusSummary } from './status';
import { ConnectorFailedError, WaitTimeoutError } from './wait';

export type WaitCondition = 'snapshot' | 'caught-up';

export interface ConnectorWaitOptions {
  until: WaitCondition;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  /** cdc's own PostgreSQL target, for a password placeholder cdc cannot resolve from its environment. */
  own?: OwnTarget;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  signal?: AbortSignal;
  onProgress?: (progress: WaitProgress) => void;
}

export interface WaitProgress {
  health?: string;
  snapshotDone: boolean;
  /** Changes committed in the source before the wait began and not yet on Kafka. */
  pendingChanges?: number;
}

export interface ConnectorWaitResult extends WaitProgress {
  name: string;
  until: WaitCondition;
  /** pg_current_wal_insert_lsn() when the wait began (caught-up only). */
  targetLsn?: string;
  elapsedMs: number;
}

export async function waitForConnector(connect: ConnectClient, name: string, options: ConnectorWaitOptions): Promise<ConnectorWaitResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = now();
  // Every Connect request of the wait fits in what is left of it (a worker that stops answering).
  const client = connect.within({ at: Date.now() + options.timeoutMs, what: `the ${Math.round(options.timeoutMs / 1000)} s of --wait-timeout` });
  const seen: Seen = {};
  try {
    return await waitLoop(client, name, options, now, sleep, started, seen);
  } catch (err) {
    if (!(err instanceof RequestDeadlineError)) throw err;
    const notDone = `connector '${name}' not ${options.until === 'snapshot' ? 'through its snapshot' : 'caught up'} after ${Math.round(options.timeoutMs / 1000)} s`;
    // A poll sent in the last moments simply ran out with the wait: say how far it got, as usual.
    if (seen.last && err.allowedMs < STALLED_AFTER_MS) throw new WaitTimeoutError(seen.summary, `${notDone} (${describe(seen.last)})`);
    throw new WaitTimeoutError(seen.summary, `${notDone}: ${err.message}${seen.last ? ` (last seen: ${describe(seen.last)})` : ''}`, err.hint);
  }
}

/** A request that had this long and got no answer means the worker stopped answering. */
const STALLED_AFTER_MS = 1000;

/** What the loop saw last, for the message when a request runs out with the wait. */
interface Seen {
  last?: WaitProgress;
  summary?: StatusSummary;
}

async function waitLoop(
  client: ConnectClient,
  name: string,
  options: ConnectorWaitOptions,
  now: () => number,
  sleep: (ms: number) => Promise<void>,
  started: number,
  seen: Seen,
): Promise<ConnectorWaitResult> {
  const config = await client.config(name);
  const { target, reason } = await pgTargetOf(config, options.env, options.own);
  if (!target) throw new CdcError(`cannot look at the database of connector '${name}': ${reason}`, { exitCode: ExitCode.RUNTIME });
  const { slot, publication } = slotAndPublication(config);
  return withPg(
    target,
    async (pg) => {
      const upto = options.until === 'caught-up' ? await currentWalLsn(pg) : undefined;
      let last: WaitProgress;
      let summary: StatusSummary | undefined;
      for (;;) {
        summary = summarizeStatus(await client.status(name), (t) => client.redactor.redact(t));
        if (summary.health === 'FAILED') {
          const failed = summary.tasks.find((t) => t.state === 'FAILED');
          const cause = failed?.rootCause ?? summary.connector.rootCause ?? 'no trace given';
          throw new ConnectorFailedError(summary, client.redactor.redact(`connector '${name}' FAILED${failed ? ` (task ${failed.id})` : ''}: ${cause}`));
        }
        seen.summary = summary;
        last = await look(pg, client, name, slot, publication, upto, snapshotReadsRows(config));
        last.health = summary.health;
        seen.last = last;
        options.onProgress?.(last);
        const done = last.snapshotDone && (upto === undefined || last.pendingChanges === 0);
        if (done) {
          return { name, until: options.until, ...last, targetLsn: upto === undefined ? undefined : formatLsn(upto), elapsedMs: now() - started };
        }
        if (options.signal?.aborted) throw new InterruptedError(`stopped waiting for connector '${name}'`);
        if (now() - started >= options.timeoutMs) {
          throw new WaitTimeoutError(
            summary,
            `connector '${name}' not ${options.until === 'snapshot' ? 'through its snapshot' : 'caught up'} after ${Math.round(options.timeoutMs / 1000)} s (${describe(last)})`,
          );
        }
        await sleep(options.pollMs ?? 500);
      }
    },
    { applicationName: 'cdc connector wait' },
  );
}

/** object_not_in_prerequisite_state, undefined_object: the connector has not set up its slot yet. */
const NOT_READY = new Set(['55000', '42704']);

/** Snapshot modes that read no rows: the snapshot is done once Debezium streams. */
function snapshotReadsRows(config: Record<string, unknown>): boolean {
  const mode = typeof config['snapshot.mode'] === 'string' ? config['snapshot.mode'] : 'initial';
  return !['no_data', 'never', 'schema_only'].includes(mode);
}

/** True when a table of the publication has a row: then the snapshot writes records and commits an offset. */
async function publicationHasRows(pg: Client, publication: string): Promise<boolean> {
  const tables = await pg.query<{ schemaname: string; tablename: string }>('SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1', [
    publication,
  ]);
  for (const t of tables.rows) {
    const found = await pg.query(`SELECT 1 FROM ${quoteIdent(t.schemaname)}.${quoteIdent(t.tablename)} LIMIT 1`).catch(() => ({ rowCount: 1 }));
    if ((found.rowCount ?? 0) > 0) return true;
  }
  return false;
}

async function look(
  pg: Client,
  client: ConnectClient,
  name: string,
  slot: string,
  publication: string,
  upto: bigint | undefined,
  readsRows = true,
): Promise<WaitProgress> {
  const state = await slotState(pg, slot);
  if (!state.exists) return { snapshotDone: false, pendingChanges: upto === undefined ? undefined : Number.NaN };
  if (upto !== undefined && state.plugin !== 'pgoutput') {
    throw new UsageError(
      `--for caught-up reads the slot with pgoutput; slot ${slot} uses ${state.plugin}`,
      'register the connector with plugin.name=pgoutput, or wait --for snapshot',
    );
  }
  // The slot first, the offset after: the offset is then at least as new as what the slot confirmed.
  let pending: PeekedChange[] = [];
  if (upto !== undefined) {
    // A peek decodes only flushed WAL: before the target is flushed (synchronous_commit = off, the
    // WAL writer's next round) it would miss the last commits and call them delivered.
    if ((await flushedWalLsn(pg)) < upto) return { snapshotDone: false, pendingChanges: Number.NaN };
    try {
      pending = await peekPendingChanges(pg, slot, publication, upto);
    } catch (err) {
      // A slot still being created cannot be copied, and the publication may not exist yet.
      if (!NOT_READY.has((err as { code?: string }).code ?? '')) throw err;
      return { snapshotDone: false, pendingChanges: Number.NaN };
    }
  }
  const position = committedPosition(await readOffsets(client, name));
  // Nothing committed yet: Debezium may already hold its slot in a streaming state while it reads
  // the snapshot, so "streaming" proves the snapshot done only when the snapshot has no rows to write.
  const streamingMeansDone = state.streaming && (!readsRows || !(await publicationHasRows(pg, publication)));
  return { snapshotDone: snapshotDone(position, streamingMeansDone), pendingChanges: upto === undefined ? undefined : changesNotOnKafka(pending, position) };
}

function describe(progress: WaitProgress): string {
  const parts = [progress.health ? `status ${progress.health}` : undefined, progress.snapshotDone ? 'snapshot done' : 'snapshot not done'];
  if (progress.pendingChanges !== undefined) {
    parts.push(
      Number.isNaN(progress.pendingChanges)
        ? 'its replication slot (or the WAL up to the target) is not ready yet'
        : `${progress.pendingChanges} change(s) not yet on Kafka`,
    );
  }
  return parts.filter(Boolean).join(', ');
}
