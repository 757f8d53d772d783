/**
 * Named contexts in the config file (`cdc config …`): one per environment, the current one used
 * by every command unless --context names another. Passwords are not taken from the command line:
 * a context names the environment variable that holds one (connectPasswordEnv).
 */
import { promises as fs } from 'node:fs';
import { NotFoundError, UsageError } from '../errors';
import { maskConnectionString, MASK } from '../secrets';
import { configPath, readConfigFile, writeConfigFile, type ConfigFile, type ContextSettings } from './config-file';

/** Settings `cdc config set-context` may write, with the flag that sets each. */
export const CONTEXT_KEYS = [
  'connectUrl',
  'connectUsername',
  'connectPasswordEnv',
  'connectCaFile',
  'connectCertFile',
  'connectKeyFile',
  'brokers',
  'pgUrl',
  'targetUrl',
  'mongoUrl',
  's3Endpoint',
  's3Region',
  's3AccessKeyId',
  's3SecretAccessKeyEnv',
] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];

const PASSWORD_HINT: Record<string, string> = {
  connectUrl: 'pass --connect-password-env VAR, naming the variable that holds it',
  pgUrl: 'set PGPASSWORD in the environment instead',
  targetUrl: 'set CDC_TARGET_PASSWORD in the environment instead',
  mongoUrl: 'give the URL with its password in CDC_MONGO_URL instead',
  s3Endpoint: 'S3 credentials go in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY',
};

export interface ContextRow {
  name: string;
  current: boolean;
  settings: ContextSettings;
}

/** A context as it may be printed: stored passwords masked, URLs without passwords. */
export function presentSettings(settings: ContextSettings, showSecrets = false): ContextSettings {
  if (showSecrets) return { ...settings };
  const shown: ContextSettings = {};
  for (const [key, value] of Object.entries(settings)) {
    if (value === undefined) continue;
    shown[key] = /password$/i.test(key) ? MASK : maskConnectionString(value);
  }
  return shown;
}

export async function listContexts(env: NodeJS.ProcessEnv): Promise<ContextRow[]> {
  const file = await readConfigFile(env);
  return Object.keys(file.contexts)
    .sort()
    .map((name) => ({ name, current: name === file.currentContext, settings: file.contexts[name] }));
}

function checkName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) {
    throw new UsageError(`'${name}' is not a usable context name`, 'use letters, digits, ".", "_" and "-"');
  }
}

/** Creates or updates a context; `unset` removes keys. Returns the file written. */
export async function setContext(
  env: NodeJS.ProcessEnv,
  name: string,
  changes: Partial<Record<ContextKey, string>>,
  options: { unset?: string[]; use?: boolean } = {},
): Promise<{ file: string; created: boolean }> {
  checkName(name);
  for (const key of ['connectUrl', 'pgUrl', 'targetUrl', 'mongoUrl', 's3Endpoint'] as const) {
    const value = changes[key];
    if (value === undefined) continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new UsageError(`${key} '${value}' is not a URL`);
    }
    if (url.password) {
      throw new UsageError(`${key} must not contain a password: command lines end up in shell history and \`ps\``, PASSWORD_HINT[key]);
    }
  }
  for (const key of options.unset ?? []) {
    if (!(CONTEXT_KEYS as readonly string[]).includes(key) && key !== 'connectPassword') {
      throw new UsageError(`unknown setting '${key}'`, `settings: ${CONTEXT_KEYS.join(', ')}`);
    }
  }
  const file = await readConfigFile(env);
  const created = !file.contexts[name];
  const settings: ContextSettings = { ...(file.contexts[name] ?? {}) };
  for (const [key, value] of Object.entries(changes)) if (value !== undefined) settings[key] = value;
  for (const key of options.unset ?? []) delete settings[key];
  const next: ConfigFile = { ...file, contexts: { ...file.contexts, [name]: settings } };
  if (options.use || !file.currentContext) next.currentContext = name;
  return { file: await writeConfigFile(env, next), created };
}

export async function useContext(env: NodeJS.ProcessEnv, name: string): Promise<string> {
  const file = await readConfigFile(env);
  if (!file.contexts[name]) throw missing(env, name, file);
  return writeConfigFile(env, { ...file, currentContext: name });
}

export async function deleteContext(env: NodeJS.ProcessEnv, name: string): Promise<{ file: string; wasCurrent: boolean }> {
  const file = await readConfigFile(env);
  if (!file.contexts[name]) throw missing(env, name, file);
  const contexts = { ...file.contexts };
  delete contexts[name];
  const wasCurrent = file.currentContext === name;
  return { file: await writeConfigFile(env, { currentContext: wasCurrent ? undefined : file.currentContext, contexts }), wasCurrent };
}

function missing(env: NodeJS.ProcessEnv, name: string, file: ConfigFile): NotFoundError {
  const known = Object.keys(file.contexts);
  return new NotFoundError(
    `no context named '${name}' in ${configPath(env)}`,
    known.length ? `known contexts: ${known.sort().join(', ')}` : 'create one with `cdc config set-context NAME --connect-url URL`',
  );
}

/** Whether the file is readable by others (it may hold credentials); undefined when absent. */
export async function looseFileMode(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    const { mode } = await fs.stat(configPath(env));
    return (mode & 0o077) !== 0 ? (mode & 0o777).toString(8) : undefined;
  } catch {
    return undefined;
  }
}
