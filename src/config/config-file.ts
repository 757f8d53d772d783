/**
 * The user's config file: named contexts (one per environment) and the current one.
 * Location: $CDC_CONFIG, else $XDG_CONFIG_HOME/cdc/config.json, else ~/.config/cdc/config.json.
 * Written with mode 0600 because a context may hold credentials.
 */
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../errors';

export interface ContextSettings {
  /** Kafka Connect REST URL, e.g. http://localhost:8083 */
  connectUrl?: string;
  connectUsername?: string;
  /** Prefer `connectPasswordEnv` (name of an env var) over storing the password here. */
  connectPassword?: string;
  connectPasswordEnv?: string;
  /** PEM files for HTTPS to Connect. */
  connectCaFile?: string;
  connectCertFile?: string;
  connectKeyFile?: string;
  /** Kafka bootstrap servers, comma-separated. */
  brokers?: string;
  /** PostgreSQL connection URL (the source database). */
  pgUrl?: string;
  /** The sinks' target PostgreSQL URL, without password (CDC_TARGET_PASSWORD holds it). */
  targetUrl?: string;
  /** MongoDB URL for the Mongo sink. */
  mongoUrl?: string;
  /** S3 endpoint (MinIO and other S3-compatible stores), region and access key id. */
  s3Endpoint?: string;
  s3Region?: string;
  s3AccessKeyId?: string;
  /** Name of the environment variable holding the S3 secret key. */
  s3SecretAccessKeyEnv?: string;
  [key: string]: string | undefined;
}

export interface ConfigFile {
  currentContext?: string;
  contexts: Record<string, ContextSettings>;
}

export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.CDC_CONFIG) return env.CDC_CONFIG;
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'cdc', 'config.json');
}

export async function readConfigFile(env: NodeJS.ProcessEnv): Promise<ConfigFile> {
  const file = configPath(env);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { contexts: {} };
    throw err;
  }
  return parseConfigFile(file, text);
}

/** The same, synchronously: the settings resolver reads it once, only when a setting needs it. */
export function readConfigFileSync(env: NodeJS.ProcessEnv): ConfigFile {
  const file = configPath(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { contexts: {} };
    throw new InputError(`cannot read the config file ${file}: ${(err as Error).message}`, code === 'EISDIR' ? 'CDC_CONFIG must name a file' : undefined);
  }
  return parseConfigFile(file, text);
}

function parseConfigFile(file: string, text: string): ConfigFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InputError(`config file ${file} is not valid JSON: ${(err as Error).message}`, `fix or delete ${file}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputError(`config file ${file} must hold a JSON object`, `fix or delete ${file}`);
  }
  const config = parsed as Partial<ConfigFile>;
  const contexts = config.contexts ?? {};
  if (typeof contexts !== 'object' || contexts === null || Array.isArray(contexts)) {
    throw new InputError(`config file ${file}: "contexts" must be an object of named contexts`, `fix or delete ${file}`);
  }
  return { currentContext: typeof config.currentContext === 'string' ? config.currentContext : undefined, contexts };
}

export async function writeConfigFile(env: NodeJS.ProcessEnv, config: ConfigFile): Promise<string> {
  const file = configPath(env);
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  await fs.rename(tmp, file);
  await fs.chmod(file, 0o600);
  return file;
}

/** The settings of the current context (or of `name`), empty when there is none. */
export function contextSettings(config: ConfigFile, name?: string): ContextSettings {
  const contextName = name ?? config.currentContext;
  if (!contextName) return {};
  return config.contexts[contextName] ?? {};
}
