/**
 * Which config keys are secrets for a connector: those its plugin declares as type PASSWORD
 * (from `GET /connector-plugins/{p}/config`) plus every key whose name looks secret.
 */
import { maskConfig } from '../secrets';
import type { ConnectClient } from './client';
import type { ConfigKeyDefinition, ConnectorConfig } from './types';
import { supports } from './version';

export function passwordKeysOf(definitions: Pick<ConfigKeyDefinition, 'name' | 'type'>[]): Set<string> {
  return new Set(definitions.filter((d) => d.type === 'PASSWORD').map((d) => d.name));
}

/**
 * The plugin's PASSWORD keys; an empty set when the worker is too old or the plugin is unknown
 * (masking by name still applies then).
 */
export async function pluginPasswordKeys(client: ConnectClient, pluginClass: string | undefined): Promise<Set<string>> {
  if (!pluginClass) return new Set();
  try {
    if (!supports((await client.server()).version, 'pluginConfig')) return new Set();
    return passwordKeysOf(await client.pluginConfig(pluginClass));
  } catch {
    return new Set();
  }
}

/**
 * The config as it may be shown: unless `showSecrets`, secret keys masked and every known secret
 * masked inside the other values too (`notes: jdbc:…?password=…`). Remembers secrets for redaction.
 */
export function presentConfig(client: ConnectClient, config: ConnectorConfig, passwordKeys: Set<string>, showSecrets: boolean): ConnectorConfig {
  client.redactor.addConfig(config, passwordKeys);
  if (showSecrets) return config;
  const masked = maskConfig(config, passwordKeys) as ConnectorConfig;
  for (const key of Object.keys(masked)) masked[key] = client.redactor.redact(masked[key]);
  return masked;
}
