/**
 * `status --check-db`: what Connect's status cannot show. When Debezium cannot reach PostgreSQL
 * (a rotated password, a dropped role) the task throws a retriable error and Connect keeps it
 * RUNNING while it retries forever. Logging in with the connector's own database.* settings and
 * looking at its replication slot tells whether it really streams.
 */
import type { ConnectorConfig } from './types';
import { isPostgresConnector } from './debezium';
import { withPg } from '../pg/connection';
import { lookupSlot, type SlotLookup } from '../pg/slots';
import { pgTargetOf, slotAndPublication, type OwnTarget } from './database';
import type { StatusSummary } from './status';

export interface DatabaseCheck {
  /** False when cdc could not tell (placeholder it cannot resolve, not a PostgreSQL connector). */
  checked: boolean;
  /** What is wrong, in one line; undefined when the slot is in use. */
  problem?: string;
  slot?: SlotLookup;
}

export async function checkDatabase(config: ConnectorConfig, env: NodeJS.ProcessEnv, redact: (t: string) => string, own?: OwnTarget): Promise<DatabaseCheck> {
  if (!isPostgresConnector(config)) return { checked: false };
  const { target, reason } = await pgTargetOf(config, env, own);
  if (!target) return { checked: false, problem: reason };
  const { slot: slotName } = slotAndPublication(config);
  try {
    const slot = await withPg(target, (db) => lookupSlot(db, slotName), { applicationName: 'cdc connector', connectTimeoutMs: 5_000 });
    if (!slot.exists) return { checked: true, slot, problem: `replication slot '${slotName}' does not exist` };
    if (!slot.active) return { checked: true, slot, problem: `replication slot '${slotName}' is not in use: the task is not streaming` };
    return { checked: true, slot };
  } catch (err) {
    return { checked: true, problem: redact(`the connector's own database settings fail: ${(err as Error).message}`) };
  }
}

/** A RUNNING verdict becomes DEGRADED when the database says the connector does not stream. */
export function applyDatabaseCheck(summary: StatusSummary, check: DatabaseCheck): StatusSummary {
  if (summary.health !== 'RUNNING' || !check.checked || !check.problem) return summary;
  return { ...summary, health: 'DEGRADED' };
}
