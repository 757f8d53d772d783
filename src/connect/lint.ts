/**
 * Mistakes Connect accepts silently but that break or endanger a Debezium PostgreSQL pipeline,
 * found before anything is sent. Each finding names the replacement to use.
 */
import { isPlaceholder } from '../secrets';
import { isPostgresConnector, publicationNameFor, slotNameFor, SLOT_NAME_PATTERN, topicPrefixFor } from './debezium';
import type { ConnectorConfig } from './types';

export type Severity = 'error' | 'warning';

export interface LintFinding {
  rule: string;
  severity: Severity;
  connector: string;
  key?: string;
  message: string;
  /** What to write instead, as `key=value` or an instruction. */
  fix?: string;
  /** The fix as an edit `--fix` can apply: keys to set (in place of the removed ones) and to remove. */
  edit?: ConfigEdit;
}

export interface ConfigEdit {
  set?: Record<string, string>;
  remove?: string[];
}

/** `key=value` as an edit that sets it. */
function setting(key: string, value: string, remove?: string[]): { fix: string; edit: ConfigEdit } {
  return { fix: `${key}=${value}`, edit: { set: { [key]: value }, ...(remove ? { remove } : {}) } };
}

/** Keys Debezium 2+ ignores without a word, with their replacements. */
export const LEGACY_KEYS: Record<string, string> = {
  'database.server.name': 'topic.prefix',
  'table.whitelist': 'table.include.list',
  'table.blacklist': 'table.exclude.list',
  'schema.whitelist': 'schema.include.list',
  'schema.blacklist': 'schema.exclude.list',
  'column.whitelist': 'column.include.list',
  'column.blacklist': 'column.exclude.list',
  'database.whitelist': 'database.include.list',
  'database.blacklist': 'database.exclude.list',
};

const RETIRED_SNAPSHOT_MODES: Record<string, string> = {
  never: 'no_data',
  schema_only: 'no_data',
  initial_schema_only: 'no_data',
  schema_only_recovery: 'recovery',
};

const FILTER_FAMILIES = ['table', 'schema', 'column', 'database'];
const REGEX_LIST_KEYS = ['table.include.list', 'table.exclude.list', 'column.include.list', 'column.exclude.list'];

export const RULES = [
  'connector-class',
  'legacy-key',
  'plugin-name',
  'topic-prefix',
  'slot-name',
  'duplicate-slot',
  'include-exclude',
  'regex-dot',
  'publication-mode',
  'publication-name',
  'snapshot-mode',
  'plaintext-password',
] as const;

/** Escapes dots that separate identifiers (`bank.holding`); `.*`, `.+` and `\.` are left alone. */
export function escapeIdentifierDots(pattern: string): string {
  return pattern.replace(/(^|[^\\])\.(?=[A-Za-z0-9_"$]|$)/g, '$1\\.');
}

function escapeList(value: string): string {
  return value
    .split(',')
    .map((entry) => escapeIdentifierDots(entry.trim()))
    .join(',');
}

export interface OtherConnector {
  name: string;
  config: ConnectorConfig;
}

export function lintConnector(name: string, config: ConnectorConfig, others: OtherConnector[] = []): LintFinding[] {
  const findings: LintFinding[] = [];
  const add = (f: Omit<LintFinding, 'connector'>) => findings.push({ connector: name, ...f });
  if (!config['connector.class']) {
    add({
      rule: 'connector-class',
      severity: 'error',
      key: 'connector.class',
      message: 'connector.class is missing',
      // No edit: which connector it is meant to be is a guess, not a mechanical fix.
      fix: 'connector.class=io.debezium.connector.postgresql.PostgresConnector',
    });
  }
  const debezium = /debezium/i.test(config['connector.class'] ?? '') || isPostgresConnector(config);
  if (debezium) {
    for (const [legacy, replacement] of Object.entries(LEGACY_KEYS)) {
      if (config[legacy] === undefined) continue;
      const value = REGEX_LIST_KEYS.includes(replacement) ? escapeList(config[legacy]) : config[legacy];
      // When the replacement is set already, it is the one Debezium reads: the legacy key just goes.
      const replaced = config[replacement] !== undefined;
      add({
        rule: 'legacy-key',
        severity: 'error',
        key: legacy,
        message: `${legacy} is ignored by Debezium 2.0 and later${legacy.includes('table') ? ' (every table gets captured)' : ''}`,
        ...(replaced ? { fix: `remove ${legacy} (${replacement} is set)`, edit: { remove: [legacy] } } : setting(replacement, value, [legacy])),
      });
    }
  }
  for (const family of FILTER_FAMILIES) {
    const include = `${family}.include.list`;
    const exclude = `${family}.exclude.list`;
    if (config[include] !== undefined && config[exclude] !== undefined) {
      add({
        rule: 'include-exclude',
        severity: 'error',
        key: exclude,
        message: `${include} and ${exclude} cannot be used together`,
        fix: `keep only ${include} (drop ${exclude})`,
        edit: { remove: [exclude] },
      });
    }
  }
  for (const key of REGEX_LIST_KEYS) {
    const value = config[key];
    if (!value) continue;
    const escaped = escapeList(value);
    if (
      escaped !==
      value
        .split(',')
        .map((e) => e.trim())
        .join(',')
    ) {
      add({
        rule: 'regex-dot',
        severity: 'error',
        key,
        message: `${key} is a list of regular expressions: an unescaped '.' matches any character`,
        ...setting(key, escaped),
      });
    }
  }
  if (!isPostgresConnector(config)) return findings;

  const plugin = config['plugin.name'];
  if (!plugin) {
    add({
      rule: 'plugin-name',
      severity: 'error',
      key: 'plugin.name',
      message: 'plugin.name is missing: Debezium then uses decoderbufs, which stock PostgreSQL does not have',
      ...setting('plugin.name', 'pgoutput'),
    });
  } else if (plugin === 'decoderbufs') {
    add({
      rule: 'plugin-name',
      severity: 'error',
      key: 'plugin.name',
      message: 'decoderbufs needs an extension that stock PostgreSQL does not have',
      ...setting('plugin.name', 'pgoutput'),
    });
  }
  if (!config['topic.prefix'] && config['database.server.name'] === undefined) {
    add({
      rule: 'topic-prefix',
      severity: 'error',
      key: 'topic.prefix',
      message: 'topic.prefix is required (it names the topics and never changes later)',
      ...setting('topic.prefix', topicPrefixFor(name)),
    });
  }
  const slot = config['slot.name'];
  if (slot === undefined) {
    add({
      rule: 'slot-name',
      severity: 'warning',
      key: 'slot.name',
      message: "slot.name is not set: Debezium uses 'debezium', which every other connector without one shares",
      ...setting('slot.name', slotNameFor(name)),
    });
  } else if (!SLOT_NAME_PATTERN.test(slot)) {
    add({
      rule: 'slot-name',
      severity: 'error',
      key: 'slot.name',
      message: `slot.name '${slot}' is invalid: PostgreSQL allows lower-case letters, digits and '_' (at most 63)`,
      ...setting('slot.name', slotNameFor(slot)),
    });
  }
  const effectiveSlot = slot ?? 'debezium';
  for (const other of others) {
    if (other.name === name || !isPostgresConnector(other.config)) continue;
    if ((other.config['slot.name'] ?? 'debezium') !== effectiveSlot || !sameDatabase(config, other.config)) continue;
    add({
      rule: 'duplicate-slot',
      severity: 'error',
      key: 'slot.name',
      message: `connector '${other.name}' already uses replication slot '${effectiveSlot}' on the same database; a slot serves one connector`,
      ...setting('slot.name', slotNameFor(name)),
    });
  }
  const mode = config['publication.autocreate.mode'];
  if (mode === undefined || mode === 'all_tables') {
    add({
      rule: 'publication-mode',
      severity: 'warning',
      key: 'publication.autocreate.mode',
      message: `publication.autocreate.mode ${mode ? 'is' : 'defaults to'} all_tables: creating a FOR ALL TABLES publication needs a superuser and publishes every table`,
      ...setting('publication.autocreate.mode', 'filtered'),
    });
  }
  // A filtered publication holds the connector's own tables: shared under Debezium's default name,
  // each connector would rewrite the other's table list.
  if (config['publication.name'] === undefined && (mode === 'filtered' || findings.some((f) => f.rule === 'publication-mode'))) {
    add({
      rule: 'publication-name',
      severity: 'warning',
      key: 'publication.name',
      message: "publication.name is not set: Debezium uses 'dbz_publication', which every other connector without one shares (and rewrites)",
      ...setting('publication.name', publicationNameFor(name)),
    });
  }
  const snapshot = config['snapshot.mode'];
  if (snapshot && RETIRED_SNAPSHOT_MODES[snapshot]) {
    add({
      rule: 'snapshot-mode',
      severity: 'error',
      key: 'snapshot.mode',
      message: `snapshot.mode=${snapshot} is deprecated or removed in current Debezium`,
      ...setting('snapshot.mode', RETIRED_SNAPSHOT_MODES[snapshot]),
    });
  }
  const password = config['database.password'];
  if (password && !isPlaceholder(password)) {
    add({
      rule: 'plaintext-password',
      severity: 'warning',
      key: 'database.password',
      message: 'database.password is stored in clear text in the Connect config topic',
      fix: 'database.password=${env:PGPASSWORD} (or ${file:…}) with config providers enabled on the worker',
    });
  }
  return findings;
}

function sameDatabase(a: ConnectorConfig, b: ConnectorConfig): boolean {
  const key = (c: ConnectorConfig) => [c['database.hostname'] ?? '', c['database.port'] ?? '5432', c['database.dbname'] ?? ''].join('|');
  return key(a) === key(b);
}

/** Lints a batch: each connector against the live ones and against the others in the batch. */
export function lintBatch(batch: OtherConnector[], live: OtherConnector[], ignore: ReadonlySet<string> = new Set()): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const item of batch) {
    const others = [...live.filter((l) => !batch.some((b) => b.name === l.name)), ...batch];
    findings.push(...lintConnector(item.name, item.config, others));
  }
  return findings.filter((f) => !ignore.has(f.rule));
}
