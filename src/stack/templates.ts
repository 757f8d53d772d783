/**
 * Renders the config templates of stack/ (server.properties, connect-distributed.properties,
 * log4j2.properties, postgresql.conf, s3proxy.properties) into `<stack dir>/conf`, filling in
 * `{{name}}` values.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stackSourceDir } from './jars';
import type { StackLayout } from './layout';
import { DEFAULT_PORTS, S3_ACCESS_KEY, S3_SECRET_KEY, type StackPorts } from './settings';

/** Paths under stack/; each is rendered into conf/ under its file name. */
export const TEMPLATES = ['server.properties', 'connect-distributed.properties', 'log4j2.properties', 'postgresql.conf', 's3proxy/s3proxy.properties'] as const;

export function renderTemplate(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    if (!(name in values)) throw new Error(`stack template value {{${name}}} is not defined`);
    return String(values[name]);
  });
}

/** The extras' ports may be left out (a private broker of a test): then their defaults are used. */
export function renderConfigs(layout: StackLayout, ports: Omit<StackPorts, 's3' | 'mongo'> & Partial<StackPorts>): void {
  const values = {
    kafkaPort: ports.kafka,
    controllerPort: ports.controller,
    connectPort: ports.connect,
    pgPort: ports.pg,
    kafkaDataDir: layout.kafkaData,
    pluginPath: layout.plugins,
    s3Port: ports.s3 ?? DEFAULT_PORTS.s3,
    s3AccessKey: S3_ACCESS_KEY,
    s3SecretKey: S3_SECRET_KEY,
    s3DataDir: layout.s3Data,
  };
  fs.mkdirSync(layout.conf, { recursive: true });
  for (const name of TEMPLATES) {
    const text = fs.readFileSync(path.join(stackSourceDir(), name), 'utf8');
    fs.writeFileSync(path.join(layout.conf, path.basename(name)), renderTemplate(text, values), { mode: 0o644 });
  }
}

/** Parses a Java .properties file (the simple subset our templates use: key=value lines). */
export function parseProperties(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const at = line.search(/[=:]/);
    if (at < 0) continue;
    result[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return result;
}

/** The versions pinned in stack/pom.xml. */
export function pinnedVersions(): { kafka: string; debezium: string } {
  const pom = fs.readFileSync(path.join(stackSourceDir(), 'pom.xml'), 'utf8');
  const get = (name: string): string => new RegExp(`<${name}>([^<]+)</${name}>`).exec(pom)?.[1] ?? 'unknown';
  return { kafka: get('kafka.version'), debezium: get('debezium.version') };
}
