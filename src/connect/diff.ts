/**
 * Key-level diff between a live connector config and a desired one, with secrets masked on both
 * sides: a changed password shows as changed without showing either value.
 */
import { MASK, isPlaceholder, isSecretKey } from '../secrets';
import type { ConnectorConfig } from './types';

export interface ConfigChange {
  key: string;
  kind: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
}

/** Keys Connect adds or that identify rather than configure: not worth reporting. */
const IGNORED = new Set(['name']);

export function diffConfigs(
  live: ConnectorConfig | undefined,
  desired: ConnectorConfig,
  passwordKeys: ReadonlySet<string> = new Set(),
  /** Masks known secrets inside any other value (a URL with the password in a `notes` key). */
  redact: (text: string) => string = (text) => text,
): ConfigChange[] {
  const before = live ?? {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(desired)])].filter((k) => !IGNORED.has(k)).sort();
  const show = (key: string, value: string | undefined) => {
    if (value === undefined || value === '') return value;
    return (passwordKeys.has(key) || isSecretKey(key)) && !isPlaceholder(value) ? MASK : redact(value);
  };
  const changes: ConfigChange[] = [];
  for (const key of keys) {
    const a = before[key];
    const b = desired[key];
    if (a === b) continue;
    if (a === undefined) changes.push({ key, kind: 'added', after: show(key, b) });
    else if (b === undefined) changes.push({ key, kind: 'removed', before: show(key, a) });
    else changes.push({ key, kind: 'changed', before: show(key, a), after: show(key, b) });
  }
  return changes;
}
