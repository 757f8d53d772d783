/**
 * Deleting a connector and reporting what Connect leaves behind: its stored offsets (a re-created
 * connector of the same name resumes from them, without a new snapshot), and on PostgreSQL the
 * replication slot (which keeps WAL from being recycled) and the publication.
 */
import type { ConnectClient } from './client';
import { isPostgresConnector } from './debezium';
import { dropSlotAndPublication, inspectSlotAndPublication, pgTargetOf, slotAndPublication, type PublicationInfo, type SlotInfo } from './postgres';
import { supports } from './version';
import { parseOffsets } from './offsets';

export interface DeleteReport {
  name: string;
  type?: string;
  /** Number of stored source partitions, when the worker can tell (Kafka ≥ 3.5). */
  storedOffsets?: number;
  postgres?: {
    database: string;
    slot: SlotInfo;
    publication: PublicationInfo;
    /** Whether cdc could look (false: `reason` says why, and the report says what to check). */
    checked: boolean;
    reason?: string;
    dropped?: { slot: boolean; publication: boolean };
  };
}

export async function deleteConnector(
  client: ConnectClient,
  name: string,
  options: { env: NodeJS.ProcessEnv; dropSlot?: boolean; dropPublication?: boolean },
): Promise<DeleteReport> {
  const info = await client.connector(name);
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
  const { target, reason } = await pgTargetOf(config, options.env);
  report.postgres = { database, slot: { name: slot, exists: true }, publication: { name: publication, exists: true }, checked: false, reason };
  if (!target) return report;
  try {
    if (options.dropSlot || options.dropPublication) {
      report.postgres.dropped = await dropSlotAndPublication(target, {
        slot: options.dropSlot ? slot : undefined,
        publication: options.dropPublication ? publication : undefined,
      });
    }
    const found = await inspectSlotAndPublication(target, slot, publication);
    Object.assign(report.postgres, { ...found, checked: true, reason: undefined });
  } catch (err) {
    report.postgres.reason = client.redactor.redact((err as Error).message);
  }
  return report;
}
