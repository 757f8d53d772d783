/**
 * What the settings resolver produces. Every connection setting of every service is resolved in
 * one precedence order: flag > environment > config context > running local stack > default, and
 * each value remembers the layer it came from, so `--verbose` and error messages can say why a
 * URL was chosen.
 */
import type { ContextSettings } from '../config/config-file';

export type Layer = 'flag' | 'env' | 'context' | 'stack' | 'default';

export interface Setting<T = string> {
  value: T;
  layer: Layer;
  /** `flag`, `env:NAME`, `context:NAME`, `stack` or `default`: printed as "(from …)". */
  source: string;
}

/** The flags a command passes to the resolver, grouped by service; '' is refused, never ignored. */
export interface SettingsFlags {
  connect?: { url?: string; user?: string; caFile?: string; certFile?: string; keyFile?: string };
  kafka?: {
    brokers?: string;
    ssl?: boolean;
    caFile?: string;
    certFile?: string;
    keyFile?: string;
    insecure?: boolean;
    saslMechanism?: string;
    saslUsername?: string;
  };
  pg?: { url?: string; database?: string };
  target?: { url?: string; database?: string };
  s3?: { endpoint?: string; region?: string };
  mongo?: { url?: string };
}

export type Service = keyof SettingsFlags;

/** The local stack recorded as running (src/stack/running.ts reads it from the state file). */
export interface StackLayer {
  dir: string;
  pgUrl?: string;
  brokers?: string;
  connectUrl?: string;
  targetUrl?: string;
  mongoUrl?: string;
  s3?: { endpoint?: string; region?: string; accessKeyId?: string; secretAccessKey?: string };
}

/** The config-file context in force: the one --context names, else the file's current one. */
export interface ContextLayer {
  name?: string;
  file: string;
  values: ContextSettings;
}
