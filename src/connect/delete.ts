/**
 * Deleting a connector and reporting what Connect leaves behind: its stored offsets (a re-created
 * connector of the same name resumes from them, without a new snapshot), and on PostgreSQL the
 * replication slot (which keeps WAL from being recycled) and the publication.
 */
import type { ConnectClient } from './client';
import type { ConnectorInfo } from './types';
import { isPostgresConnector } from './debezium';
import { withPg } from '../pg/connection';
import { dropPublication, lookupPublication, type PublicationLookup } from '../pg/publications';
import { dropSlotWhenReleased, lookupSlotWhenReleased, type SlotLookup } from '../pg/slots';
import { pgTargetOf, slotAndPublication, type OwnTarget } from './database';
import { supports } from './version';
import { parseOffsets } from './offsets';

export interface DeleteReport {
  name: string;
  type?: string;
  /** Number of stored source partitions, when the worker can tell (Kafka ≥ 3.5). */
  storedOffsets?: number;
  postgres?: {
    database: string;
    slot: SlotLookup;
    publication: PublicationLookup;
    /** Whether cdc could look (false: `reason` says why, and the report says what to check). */
    checked: boolean;
    reason?: string;
    dropped?: { slot: boolean; publication: boolean };
  };
}

export async function deleteConnector(
  client: ConnectClient,
  name: string,
  options: { env: NodeJS.ProcessEnv; dropSlot?: boolean; dropPublication?: boolean; own?: OwnTarget },
  /** The connector as already fetched (the command looks it up before asking for confirmation). */
  known?: ConnectorInfo,
): Promise<DeleteReport> {
  const info = known ?? (await client.connector(name));
  const config = info.config;
  const report: DeleteReport = { name, type: info.type };
  if (supports((await client.server()).version, 'readOffsets')) {
    try {
      report.storedOffsets = parseOffsets(await client.offsetsText(name)).length;
    } catch {
      // Offsets are informative here; a worker that cannot list them must not block the delete.
    }
  }
  await client.delete(name);
  if (!isPostgresConnector(config)) return report;

  const { slot, publication } = slotAndPublication(config);
  const database = `${config['database.hostname']}:${config['database.port'] ?? 5432}/${config['database.dbname']}`;
  const { target, reason } = await pgTargetOf(config, options.env, options.own);
  report.postgres = { database, slot: { name: slot, exists: true }, publication: { name: publication, exists: true }, checked: false, reason };
  if (!target) return report;
  const pg = report.postgres;
  try {
    await withPg(
      target,
      async (db) => {
        if (options.dropSlot || options.dropPublication) {
          // The task may still be stopping and holding the slot: wait for it to let go.
          pg.dropped = {
            slot: options.dropSlot ? await dropSlotWhenReleased(db, slot, { timeoutMs: 15_000 }) : false,
            publication: options.dropPublication ? await dropPublication(db, publication) : false,
          };
        }
        Object.assign(pg, {
          slot: await lookupSlotWhenReleased(db, slot, { timeoutMs: 5_000 }),
          publication: await lookupPublication(db, publication),
          checked: true,
          reason: undefined,
        });
      },
      { applicationName: 'cdc connector', connectTimeoutMs: 5_000 },
    );
  } catch (err) {
    report.postgres.reason = client.redactor.redact((err as Error).message);
  }
  return report;
}
