/**
 * `--fix`: applies the lint's mechanical replacements to a connector config (Debezium 1.x keys
 * renamed, plugin.name, slot and topic names, escaped regex dots, retired snapshot modes…), keeping
 * the keys' order, and says which. What cannot be fixed mechanically (a clear-text password, a
 * missing connector.class) stays a finding.
 */
import { lintConnector, type ConfigEdit, type LintFinding, type OtherConnector } from './lint';
import { parseSpecs } from './spec';
import type { ConnectorConfig } from './types';

export interface FixResult {
  config: ConnectorConfig;
  /** The findings whose replacement was applied, in order. */
  applied: LintFinding[];
  /** What the lint still finds in the fixed config. */
  remaining: LintFinding[];
}

/** A fix can make another applicable (table.whitelist → table.include.list → escaped dots). */
const MAX_PASSES = 4;

export function fixConfig(name: string, config: ConnectorConfig, others: OtherConnector[] = [], ignore: ReadonlySet<string> = new Set()): FixResult {
  let current = config;
  const applied: LintFinding[] = [];
  const lint = (c: ConnectorConfig) => lintConnector(name, c, others).filter((f) => !ignore.has(f.rule));
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const withEdit = lint(current).filter((f) => f.edit);
    // A key another fix removes is not worth fixing (an exclude list dropped for its include list).
    const removed = new Set(withEdit.flatMap((f) => f.edit!.remove ?? []));
    const fixable = withEdit.filter((f) => !(f.key && removed.has(f.key) && !(f.edit!.remove ?? []).includes(f.key)));
    if (fixable.length === 0) break;
    for (const finding of fixable) current = applyEdit(current, finding.edit!);
    applied.push(...fixable);
  }
  return { config: current, applied, remaining: lint(current) };
}

/**
 * The config with the edit applied: a key set in place of a removed one takes its position
 * (a renamed key stays where it was); other new keys go at the end.
 */
export function applyEdit(config: ConnectorConfig, edit: ConfigEdit): ConnectorConfig {
  const remove = new Set(edit.remove ?? []);
  const pending = new Map(Object.entries(edit.set ?? {}));
  const result: ConnectorConfig = {};
  for (const [key, value] of Object.entries(config)) {
    if (pending.has(key)) {
      result[key] = pending.get(key)!;
      pending.delete(key);
    } else if (remove.has(key)) {
      const first = pending.keys().next();
      if (!first.done && !(first.value in config)) {
        result[first.value] = pending.get(first.value)!;
        pending.delete(first.value);
      }
    } else {
      result[key] = value;
    }
  }
  for (const [key, value] of pending) result[key] = value;
  return result;
}

export interface DocumentFix {
  /** The file rewritten with every connector's fixes, in its own shape (POST body, flat, array). */
  text: string;
  connectors: ({ name: string } & FixResult)[];
}

/**
 * Fixes every connector of a connector file's text (see spec.ts for the shapes), keeping its
 * shape, its other fields and the raw values of the keys it does not change.
 */
export function fixDocument(text: string, source: string, ignore: ReadonlySet<string> = new Set()): DocumentFix {
  const specs = parseSpecs(text, source);
  const doc = JSON.parse(text) as unknown;
  const items = (Array.isArray(doc) ? doc : [doc]) as Record<string, unknown>[];
  const connectors = specs.map((spec) => ({ name: spec.name, ...fixConfig(spec.name, spec.config, [], ignore) }));
  const fixed = items.map((item, i) => {
    const nested = item.config !== undefined;
    const raw = (nested ? item.config : item) as Record<string, unknown>;
    const config: Record<string, unknown> = {};
    // `name` is not part of the linted config: it keeps its place.
    if ('name' in raw && !nested) config.name = raw.name;
    for (const [key, value] of Object.entries(connectors[i].config)) {
      config[key] = raw[key] !== undefined && String(raw[key]) === value ? raw[key] : value;
    }
    if (nested) {
      const inner = 'name' in raw ? { name: raw.name, ...config } : config;
      return { ...item, config: inner };
    }
    return config;
  });
  return { text: `${JSON.stringify(Array.isArray(doc) ? fixed : fixed[0], null, 2)}\n`, connectors };
}
