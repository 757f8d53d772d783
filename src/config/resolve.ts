/**
 * One precedence order for every connection setting: flag > environment variable > config file's
 * current context > built-in default. Each resolved value carries where it came from so that
 * `--verbose` can say why a URL was chosen.
 */
import type { ContextSettings } from './config-file';

export interface Resolved<T> {
  value: T;
  source: 'flag' | `env:${string}` | `context:${string}` | 'default';
}

export const DEFAULTS = {
  connectUrl: 'http://localhost:8083',
  brokers: 'localhost:9092',
  pgUrl: 'postgres://postgres:postgres@localhost:5432/postgres',
} as const;

export const ENV_NAMES = {
  connectUrl: 'CDC_CONNECT_URL',
  brokers: 'CDC_BROKERS',
  pgUrl: 'DATABASE_URL',
} as const;

export function resolveSetting<K extends keyof typeof DEFAULTS>(
  key: K,
  flagValue: string | undefined,
  env: NodeJS.ProcessEnv,
  context: ContextSettings,
  contextName = 'current',
): Resolved<string> {
  if (flagValue !== undefined && flagValue !== '') return { value: flagValue, source: 'flag' };
  const envName = ENV_NAMES[key];
  const fromEnv = env[envName];
  if (fromEnv) return { value: fromEnv, source: `env:${envName}` };
  const fromContext = context[key];
  if (fromContext) return { value: fromContext, source: `context:${contextName}` };
  return { value: DEFAULTS[key], source: 'default' };
}
