/** MongoDB: --mongo-url > CDC_MONGO_URL > context mongoUrl > running stack > mongodb://localhost:27017. */
import { UsageError } from '../errors';
import { pick, type Layers } from './layers';
import type { Setting, SettingsFlags } from './types';

export const MONGO_DEFAULT_URL = 'mongodb://localhost:27017';
export const MONGO_ENV = { url: 'CDC_MONGO_URL' } as const;

export interface MongoSettings {
  /** May hold credentials: print it through maskConnectionString. */
  url: Setting;
}

export function resolveMongo(layers: Layers, flags: NonNullable<SettingsFlags['mongo']> = {}): MongoSettings {
  const url = pick(layers, {
    flag: [flags.url, '--mongo-url'],
    env: [MONGO_ENV.url],
    context: 'mongoUrl',
    stack: layers.stack?.mongoUrl,
    fallback: MONGO_DEFAULT_URL,
  });
  if (!/^mongodb(\+srv)?:\/\/[^/\s]/.test(url.value)) {
    throw new UsageError(`MongoDB URL (from ${url.source}) must start with mongodb:// or mongodb+srv://`, 'use e.g. --mongo-url mongodb://localhost:27017');
  }
  return { url };
}
