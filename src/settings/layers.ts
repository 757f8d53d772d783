/**
 * The precedence rule itself, written once: the first layer that has a value wins. An empty
 * environment variable counts as unset (as shells treat `VAR=`); an empty flag is a usage error,
 * because `--brokers ''` falling back to the environment would connect somewhere the user did
 * not ask for.
 */
import { UsageError } from '../errors';
import type { ContextLayer, Layer, Setting, StackLayer } from './types';

export interface Layers {
  env: NodeJS.ProcessEnv;
  context: ContextLayer;
  /** Undefined when no local stack is running. */
  stack?: StackLayer;
}

export interface Candidates {
  /** The flag's value and its name as typed (`--brokers`). */
  flag?: readonly [string | undefined, string];
  /** Environment variables, most specific first. */
  env?: readonly string[];
  /** Key in the config-file context. */
  context?: string;
  stack?: string;
  fallback?: string;
}

export function pick(layers: Layers, c: Candidates & { fallback: string }): Setting;
export function pick(layers: Layers, c: Candidates): Setting | undefined;
export function pick(layers: Layers, c: Candidates): Setting | undefined {
  if (c.flag && c.flag[0] !== undefined) {
    const [value, name] = c.flag;
    if (value.trim() === '')
      throw new UsageError(`${name} is empty`, `give ${name} a value, or leave the flag out to use the environment, the config context or the default`);
    return setting(value, 'flag', 'flag');
  }
  for (const name of c.env ?? []) {
    const value = layers.env[name];
    if (value !== undefined && value.trim() !== '') return setting(value, 'env', `env:${name}`);
  }
  if (c.context) {
    const value = layers.context.values[c.context];
    if (typeof value === 'string' && value.trim() !== '') return setting(value, 'context', contextSource(layers.context));
  }
  if (c.stack !== undefined && c.stack !== '') return setting(c.stack, 'stack', 'stack');
  if (c.fallback !== undefined) return setting(c.fallback, 'default', 'default');
  return undefined;
}

export function setting<T>(value: T, layer: Layer, source: string): Setting<T> {
  return { value, layer, source };
}

export function contextSource(context: ContextLayer): string {
  return `context:${context.name ?? 'current'}`;
}

/** A yes from the environment or the config file (`1`, `true`, `yes`, `on`; a JSON `true` too). */
export function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && /^(1|true|yes|on)$/i.test(value.trim()));
}
