/**
 * A safe Debezium PostgreSQL connector config from a few facts (the common case of
 * `cdc connector register NAME --table …`): pgoutput, a filtered publication and a slot named
 * after the connector, and the password from the environment or a config-provider placeholder.
 */
import { isPlaceholder } from '../secrets';
import { UsageError } from '../errors';
import type { ConnectorConfig } from './types';
import { publicationNameFor, slotNameFor } from '../pg/names';

// The naming rule lives in src/pg/names.ts, shared with `cdc pg setup` and `cdc pg check`.
export { publicationNameFor, SLOT_NAME_PATTERN, slotNameFor } from '../pg/names';

export const POSTGRES_CONNECTOR = 'io.debezium.connector.postgresql.PostgresConnector';

export function isPostgresConnector(config: ConnectorConfig): boolean {
  const cls = config['connector.class'] ?? '';
  return cls === POSTGRES_CONNECTOR || cls === 'PostgresConnector' || cls.endsWith('.PostgresConnector');
}

/** The connector name with every run of characters outside [a-zA-Z0-9._-] as one `_` ('cdc' if nothing is left). */
function plainName(connectorName: string, maxLength = Infinity): string {
  return connectorName.replace(/[^a-zA-Z0-9._-]+/g, '_').slice(0, maxLength) || 'cdc';
}

/** Topic names allow [a-zA-Z0-9._-]; the prefix is the connector name made to fit. */
export function topicPrefixFor(connectorName: string): string {
  return plainName(connectorName, 200);
}

/** `connector=NAME`, the name made to fit a JMX ObjectName value and Debezium's `k=v,k=v` list. */
export function metricTagsFor(connectorName: string): string {
  return `connector=${plainName(connectorName)}`;
}

/** `bank.holding` → `bank\.holding`: Debezium's lists are regexes and a bare dot matches any character. */
export function tablePattern(table: string): string {
  const qualified = table.includes('.') ? table : `public.${table}`;
  return qualified.replace(/\\?\./g, '\\.');
}

export interface PostgresSource {
  name: string;
  host: string;
  port: string;
  user: string;
  dbname: string;
  /** The value sent as database.password: a placeholder or a value read from the environment. */
  password?: string;
  topicPrefix?: string;
  tables: string[];
  schemas: string[];
  snapshotMode?: string;
  slot?: string;
  /** A publication that exists already: Debezium uses it as it is (autocreate disabled). */
  publication?: string;
  /** Extra `key=value` settings, applied last. */
  extra: Record<string, string>;
}

export function buildPostgresConfig(source: PostgresSource): ConnectorConfig {
  if (source.tables.length === 0 && source.schemas.length === 0) {
    throw new UsageError(
      'say what to capture with --table schema.table (repeatable) or --schema NAME',
      'capturing every table of a database is rarely intended; pass --schema public to mean it',
    );
  }
  const config: ConnectorConfig = {
    'connector.class': POSTGRES_CONNECTOR,
    'tasks.max': '1',
    'plugin.name': 'pgoutput',
    'database.hostname': source.host,
    'database.port': source.port,
    'database.user': source.user,
    'database.dbname': source.dbname,
    'topic.prefix': source.topicPrefix ?? topicPrefixFor(source.name),
    'slot.name': source.slot ?? slotNameFor(source.name),
    'publication.name': source.publication ?? publicationNameFor(source.name),
    // A given publication was made by a DBA (cdc pg setup) for a user that may not own the tables:
    // 'filtered' would try to change it.
    'publication.autocreate.mode': source.publication ? 'disabled' : 'filtered',
    // Debezium names its JMX metrics after topic.prefix alone: a second connector with the same
    // prefix on the worker (the README's holding and finance, both dbserver1) finds the names
    // taken and retries 12 × 5 s for its snapshot metrics and again for its streaming ones before
    // it reads a row — two minutes of nothing. A tag with the connector's name keeps them apart.
    'custom.metric.tags': metricTagsFor(source.name),
  };
  if (source.password !== undefined) config['database.password'] = source.password;
  if (source.tables.length) config['table.include.list'] = source.tables.map(tablePattern).join(',');
  if (source.schemas.length) config['schema.include.list'] = source.schemas.join(',');
  if (source.snapshotMode) config['snapshot.mode'] = source.snapshotMode;
  return { ...config, ...source.extra };
}

/** `--password-ref` must be a config-provider placeholder, never a literal password. */
export function checkPasswordRef(ref: string): string {
  if (!isPlaceholder(ref) || !/^\$\{(env|file|directory|vault|aws|azure|gcp)[^:}]*:/i.test(ref)) {
    throw new UsageError(
      `--password-ref takes a config provider placeholder such as '\${env:PGPASSWORD}' or '\${file:/etc/kafka/pg.properties:password}'`,
      'passwords on the command line end up in shell history and `ps`; put the password in PGPASSWORD instead',
    );
  }
  return ref;
}
