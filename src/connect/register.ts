/**
 * Registering connectors: plan (lint against the live connectors, diff against the live config),
 * validate on the server, apply with upsert semantics. The command decides what to show and
 * whether to go on; nothing here prints.
 */
import type { ConnectClient } from './client';
import { diffConfigs, type ConfigChange } from './diff';
import { ConnectBadRequestError, type FieldError } from './errors';
import { lintBatch, type LintFinding } from './lint';
import { isPlaceholder } from '../secrets';
import { passwordKeysOf } from './masking';
import type { ConnectorSpec } from './spec';
import type { ConfigValidation, ConnectorConfig } from './types';

export interface PlannedConnector {
  spec: ConnectorSpec;
  /** The live config, undefined when the connector does not exist yet. */
  live?: ConnectorConfig;
  changes: ConfigChange[];
}

export interface RegistrationPlan {
  items: PlannedConnector[];
  findings: LintFinding[];
}

/** One request for every live connector (to find slot clashes and the current configs). */
export async function planRegistration(client: ConnectClient, specs: ConnectorSpec[], ignoreRules: ReadonlySet<string> = new Set()): Promise<RegistrationPlan> {
  for (const spec of specs) client.redactor.addConfig(spec.config);
  const expanded = await client.listExpanded();
  const live = Object.entries(expanded)
    .filter(([, entry]) => entry.info?.config)
    .map(([name, entry]) => ({ name, config: entry.info!.config }));
  const findings = lintBatch(
    specs.map((s) => ({ name: s.name, config: s.config })),
    live,
    ignoreRules,
  );
  const items = specs.map((spec) => {
    const current = expanded[spec.name]?.info?.config;
    return { spec, live: current, changes: diffConfigs(current, spec.config, new Set(), (t) => client.redactor.redact(t)) };
  });
  return { items, findings };
}

export function fieldErrors(validation: ConfigValidation): FieldError[] {
  return validation.configs.filter((c) => c.value.errors.length > 0).map((c) => ({ field: c.value.name, errors: c.value.errors }));
}

export interface PasswordChoice {
  name: string;
  /** `placeholder`: the worker resolves it; `fallback`: stored in clear text, the worker could not. */
  stored: 'placeholder' | 'fallback';
  placeholder: string;
  /** Where the clear-text password came from (PGPASSWORD, the PostgreSQL URL). */
  from?: string;
}

/**
 * Connectors from flags carry the placeholder `${env:PGPASSWORD}` instead of a clear-text
 * password. Connect resolves placeholders when it validates, so one validation tells whether
 * this worker can (config providers enabled, PGPASSWORD set and right): if it cannot, and only
 * then, the password from PGPASSWORD or the URL is stored instead (and the lint warns about it).
 */
export async function settlePasswords(client: ConnectClient, specs: ConnectorSpec[]): Promise<PasswordChoice[]> {
  const choices: PasswordChoice[] = [];
  for (const spec of specs) {
    const fallback = spec.passwordFallback;
    if (!fallback) continue;
    const placeholder = spec.config['database.password'];
    const { errors } = await validateOnServer(client, spec);
    const refused = errors.some((e) => e.errors.some((m) => /password|authenticat/i.test(m)));
    if (refused) spec.config['database.password'] = fallback.value;
    choices.push({ name: spec.name, stored: refused ? 'fallback' : 'placeholder', placeholder, from: refused ? fallback.from : undefined });
  }
  return choices;
}

export interface ServerValidation {
  errors: FieldError[];
  passwordKeys: Set<string>;
}

/** PUT …/config/validate: per-field errors, and the plugin's PASSWORD keys for masking. */
export async function validateOnServer(client: ConnectClient, spec: ConnectorSpec): Promise<ServerValidation> {
  const pluginClass = spec.config['connector.class'];
  if (!pluginClass) {
    return { errors: [{ field: 'connector.class', errors: ['Missing required configuration "connector.class"'] }], passwordKeys: new Set() };
  }
  const result = await client.validate(pluginClass, { ...spec.config, name: spec.name });
  const passwordKeys = passwordKeysOf(result.configs.map((c) => c.definition));
  client.redactor.addConfig(spec.config, passwordKeys);
  return { errors: fieldErrors(result).map((e) => ({ field: e.field, errors: e.errors.map((m) => client.redactor.redact(m)) })), passwordKeys };
}

export interface DryRunResult {
  name: string;
  source: string;
  exists: boolean;
  valid: boolean;
  errors: FieldError[];
  /** Masked with the plugin's PASSWORD keys as well as by name. */
  changes: ConfigChange[];
}

/** `--dry-run`: server-side validation and the diff against the live config; nothing is written. */
export async function dryRun(client: ConnectClient, plan: RegistrationPlan): Promise<DryRunResult[]> {
  const results: DryRunResult[] = [];
  for (const item of plan.items) {
    const validation = await validateOnServer(client, item.spec);
    results.push({
      name: item.spec.name,
      source: item.spec.source,
      exists: Boolean(item.live),
      valid: validation.errors.length === 0,
      errors: validation.errors,
      changes: diffConfigs(item.live, item.spec.config, validation.passwordKeys, (t) => client.redactor.redact(t)),
    });
  }
  return results;
}

/**
 * The worker, not cdc, connects to the database: `localhost` is the worker's own machine, which
 * under docker compose is the Connect container. Said when such a host cannot be reached.
 */
export function loopbackHint(config: ConnectorConfig, errors: FieldError[]): string | undefined {
  const host = config['database.hostname'] ?? '';
  if (!/^(localhost|127\.\d+\.\d+\.\d+|::1)$/i.test(host)) return undefined;
  const unreachable = errors.some(
    (e) => e.field === 'database.hostname' && e.errors.some((m) => /refused|timed? ?out|unknown ?host|could not connect/i.test(m)),
  );
  if (!unreachable) return undefined;
  return (
    `Kafka Connect connects to the database itself, and ${host} is the worker's own host: when Connect runs in a container ` +
    '(docker compose), give the database host as the worker sees it, e.g. `--host postgres` (or database.hostname=postgres)'
  );
}

/** A placeholder password the worker could not resolve reaches PostgreSQL verbatim and fails the login. */
export function placeholderHint(config: ConnectorConfig, errors: FieldError[]): string | undefined {
  const password = config['database.password'] ?? '';
  if (!isPlaceholder(password) || !errors.some((e) => e.errors.some((m) => /password authentication failed/i.test(m)))) return undefined;
  return (
    `on the worker, ${password} is not this user's password, or the worker does not resolve it (config.providers); ` +
    'set PGPASSWORD here, or use --password-env VAR, to store the password itself'
  );
}

export type ApplyAction = 'created' | 'updated' | 'unchanged';

/**
 * PUT /connectors/{name}/config. A 400 "configuration is invalid" is enriched with the field-level
 * errors from the validate endpoint, because Connect's message lists the errors without the keys.
 */
export async function applyConnector(client: ConnectClient, item: PlannedConnector): Promise<ApplyAction> {
  if (item.live && item.changes.length === 0) return 'unchanged';
  try {
    const { created } = await client.putConfig(item.spec.name, item.spec.config);
    return created ? 'created' : 'updated';
  } catch (err) {
    if (err instanceof ConnectBadRequestError && /configuration is invalid/i.test(err.message)) {
      const { errors } = await validateOnServer(client, item.spec);
      throw new ConnectBadRequestError(
        `connector '${item.spec.name}': Kafka Connect rejected the configuration`,
        errors,
        loopbackHint(item.spec.config, errors) ??
          placeholderHint(item.spec.config, errors) ??
          'fix the fields above; `cdc connector validate FILE` checks without registering',
      );
    }
    throw err;
  }
}
