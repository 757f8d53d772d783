/**
 * The one naming rule for a connector's replication slot and publication, shared by
 * `cdc connector register NAME`, `cdc pg setup --name NAME` and `cdc pg check --name NAME`: the slot
 * is the connector name made a valid slot name, the publication that plus `_pub`. One publication
 * per connector, so that the filtered publications of two connectors never fight.
 */
import { UsageError } from '../errors';

/** PostgreSQL's rule for replication slot names (ReplicationSlotValidateName). */
export const SLOT_NAME_PATTERN = /^[a-z0-9_]{1,63}$/;

/** What Debezium uses when a connector config names no slot or publication. */
export const DEBEZIUM_DEFAULTS = { slot: 'debezium', publication: 'dbz_publication' } as const;

export function slotNameFor(connectorName: string): string {
  const base = connectorName
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/_+/g, '_');
  return (base || 'cdc').slice(0, 63);
}

export function publicationNameFor(connectorName: string): string {
  return `${slotNameFor(connectorName).slice(0, 59)}_pub`;
}

/**
 * A slot or publication name from the command line, refused before anything is done when
 * PostgreSQL would refuse it (slots) or Debezium could not name it unquoted (publications).
 */
export function checkReplicationName(name: string, flag: string): string {
  if (name === '') throw new UsageError(`bad ${flag} name: an empty name`);
  if (!SLOT_NAME_PATTERN.test(name)) {
    throw new UsageError(`bad ${flag} name ${JSON.stringify(name)}: use only lower-case letters, digits and _ (at most 63)`, `e.g. ${slotNameFor(name)}`);
  }
  return name;
}

/** The slot and publication of connector `name`, unless given explicitly. */
export function replicationNames(name: string | undefined, explicit: { slot?: string; publication?: string }): { slot?: string; publication?: string } {
  return {
    slot: explicit.slot ?? (name === undefined ? undefined : slotNameFor(name)),
    publication: explicit.publication ?? (name === undefined ? undefined : publicationNameFor(name)),
  };
}
