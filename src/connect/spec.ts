/**
 * Connector definitions from files, a directory or stdin. Accepted shapes: the POST body
 * `{"name", "config": {…}}`, the PUT body (a flat config, `name` optional: the file name is used),
 * or an array of those. Values must be scalars; numbers and booleans become strings as Connect
 * stores them.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../errors';
import type { ConnectorConfig } from './types';

export interface ConnectorSpec {
  name: string;
  config: ConnectorConfig;
  /** File name or `stdin`, for messages. */
  source: string;
  /** From flags with the default password placeholder: the clear-text password if the worker cannot resolve it. */
  passwordFallback?: { value: string; from: string };
}

export function parseSpecs(text: string, source: string): ConnectorSpec[] {
  if (text.trim() === '') throw new InputError(`${source} is empty: no connector to read`, 'a connector file holds {"name": …, "config": {…}}');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${source}: not valid JSON: ${(err as Error).message}`, 'a connector file holds {"name": …, "config": {…}}');
  }
  const items = Array.isArray(doc) ? doc : [doc];
  if (items.length === 0) throw new InputError(`${source}: no connector in it`);
  const fallbackName = source === 'stdin' ? undefined : path.basename(source).replace(/\.json$/i, '');
  return items.map((item, i) => toSpec(item, items.length > 1 ? `${source}[${i}]` : source, items.length > 1 ? undefined : fallbackName));
}

/**
 * Connect refuses names with `/` (the REST path would break) and ISO control characters, only at
 * registration: checked before, so that --dry-run refuses them too and they never reach a terminal.
 */
export function checkConnectorName(name: string, source: string): void {
  const bad = /[\u0000-\u001f\u007f-\u009f]/.test(name)
    ? 'control characters'
    : name.includes('/')
      ? "'/'"
      : name.trim() !== name
        ? 'leading or trailing spaces'
        : undefined;
  if (bad)
    throw new InputError(`${source}: the connector name ${JSON.stringify(name)} contains ${bad}, which Kafka Connect refuses`, 'use letters, digits, - and _');
}

function toSpec(item: unknown, source: string, fallbackName: string | undefined): ConnectorSpec {
  if (!item || typeof item !== 'object' || Array.isArray(item)) throw new InputError(`${source}: a connector must be a JSON object`);
  const obj = item as Record<string, unknown>;
  const nested = obj.config !== undefined;
  if (nested && (typeof obj.config !== 'object' || obj.config === null || Array.isArray(obj.config))) {
    throw new InputError(`${source}: "config" must be an object of settings`);
  }
  const raw = (nested ? obj.config : obj) as Record<string, unknown>;
  const name = (typeof obj.name === 'string' && obj.name) || (typeof raw.name === 'string' && raw.name) || fallbackName;
  if (!name) throw new InputError(`${source}: the connector has no "name"`, 'add "name": "my-connector"');
  checkConnectorName(name, source);
  if (nested && typeof raw.name === 'string' && raw.name !== name) {
    throw new InputError(`${source}: "name" is '${name}' but config.name is '${raw.name}'`, 'make them equal or drop config.name');
  }
  const config: ConnectorConfig = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'name') continue;
    if (typeof value === 'string') config[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') config[key] = String(value);
    else throw new InputError(`${source}: the value of "${key}" must be a string, number or boolean`);
  }
  return { name, config, source };
}

/** Reads `-` (stdin), JSON files and directories (their *.json files, sorted). */
export async function loadSpecs(inputs: string[], readStdin: () => Promise<string>): Promise<ConnectorSpec[]> {
  const specs: ConnectorSpec[] = [];
  for (const input of inputs) {
    if (input === '-') {
      specs.push(...parseSpecs(await readStdin(), 'stdin'));
      continue;
    }
    let stat;
    try {
      stat = await fs.stat(input);
    } catch {
      throw new InputError(`${input}: no such file or directory`);
    }
    const files = stat.isDirectory()
      ? (await fs.readdir(input))
          .filter((f) => f.toLowerCase().endsWith('.json'))
          .sort()
          .map((f) => path.join(input, f))
      : [input];
    if (stat.isDirectory() && files.length === 0) throw new InputError(`${input}: no *.json files in the directory`);
    for (const file of files) specs.push(...parseSpecs(await fs.readFile(file, 'utf8'), file));
  }
  const seen = new Map<string, string>();
  for (const spec of specs) {
    const earlier = seen.get(spec.name);
    if (earlier) throw new InputError(`connector '${spec.name}' is defined twice: in ${earlier} and ${spec.source}`);
    seen.set(spec.name, spec.source);
  }
  return specs;
}
