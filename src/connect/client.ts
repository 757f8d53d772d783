/**
 * The one typed client for the Kafka Connect REST API. Every call goes through `request`, which
 * retries transient answers (409 rebalance / stale config, 500 "rebalance is expected", 503 while
 * the worker starts) with exponential backoff up to a time budget, and maps everything else to
 * cdc's typed errors with secrets redacted.
 */
import type { AxiosInstance } from 'axios';
import { httpError, isTimeout, isTransient, networkError, RequestDeadlineError, serverMessage } from './errors';
import type { Redactor } from './redactor';
import type {
  ConfigKeyDefinition,
  ConfigValidation,
  ConnectorConfig,
  ConnectorInfo,
  ConnectorOffsets,
  ConnectorStatus,
  ExpandedConnectors,
  PluginInfo,
  ServerInfo,
} from './types';

export interface RequestEvent {
  method: string;
  path: string;
  status?: number;
  ms: number;
  attempt: number;
  retrying?: string;
}

export interface ClientHooks {
  /** Called after every attempt (for --verbose); never receives bodies. */
  onRequest?: (event: RequestEvent) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface Raw {
  status: number;
  text: string;
}

const enc = encodeURIComponent;

/** The subjectAltName of the certificate a TLS error is about (Node puts it on the socket's error). */
function certNamesOf(err: unknown): string | undefined {
  const e = err as { cert?: { subjectaltname?: unknown }; cause?: { cert?: { subjectaltname?: unknown } } };
  const names = e?.cert?.subjectaltname ?? e?.cause?.cert?.subjectaltname;
  return typeof names === 'string' ? names : undefined;
}

/** A time limit shared by several requests (a --wait): no request or retry goes past `at`. */
export interface RequestDeadline {
  /** On the client's clock (`hooks.now`, else Date.now). */
  at: number;
  /** What the limit is, for the message: `--wait-timeout 10`. */
  what: string;
}

/** Where and how to reach Kafka Connect (built by connection.ts from the settings). */
export interface ConnectOptions {
  url: string;
  urlSource: string;
  username?: string;
  password?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  timeoutMs: number;
  /** How long transient answers (rebalance, 503) are retried in total. */
  retryBudgetMs: number;
}

export class ConnectClient {
  private serverInfo?: Promise<ServerInfo>;
  private readonly configsSeen = new Set<string>();
  private deadline?: RequestDeadline;

  constructor(
    private readonly http: AxiosInstance,
    readonly options: ConnectOptions,
    readonly redactor: Redactor,
    private readonly hooks: ClientHooks = {},
  ) {}

  get url(): string {
    return this.options.url;
  }

  /**
   * This client, with every request (and every retry) bounded by `deadline` as well as by the
   * per-request --timeout: a worker that stops answering mid-wait cannot hold a wait past its
   * budget. The view shares the cache and the redactor (it is a prototype view of this client).
   */
  within(deadline: RequestDeadline): ConnectClient {
    const view = Object.create(this) as ConnectClient;
    view.deadline = deadline;
    return view;
  }

  /** Sends one request; resolves with the raw answer for 2xx, throws a typed error otherwise. */
  async request(method: string, path: string, body?: unknown): Promise<Raw> {
    const sleep = this.hooks.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const now = this.hooks.now ?? Date.now;
    const started = now();
    let delay = 100;
    const deadline = this.deadline;
    const left = () => (deadline ? deadline.at - now() : Infinity);
    for (let attempt = 1; ; attempt++) {
      const t0 = now();
      if (left() <= 0) throw new RequestDeadlineError(`${method} ${path}`, this.url, deadline!.what);
      // The deadline's share only when it is the tighter limit (axios counts from the request's start).
      const timeout = Math.max(1, Math.min(this.options.timeoutMs, left()));
      const boundByDeadline = timeout < this.options.timeoutMs;
      let raw: Raw;
      try {
        const response = await this.http.request<string>({ method, url: path, data: body, timeout });
        raw = { status: response.status, text: typeof response.data === 'string' ? response.data : '' };
      } catch (err) {
        const e = err as { code?: string; message?: string };
        this.hooks.onRequest?.({ method, path, ms: now() - t0, attempt });
        if (boundByDeadline && isTimeout(e.code, e.message)) throw new RequestDeadlineError(`${method} ${path}`, this.url, deadline!.what, timeout);
        throw this.scrub(networkError(e.code, e.message ?? String(err), this.url, this.options.timeoutMs, undefined, certNamesOf(err)));
      }
      if (raw.status < 300) {
        this.hooks.onRequest?.({ method, path, status: raw.status, ms: now() - t0, attempt });
        return raw;
      }
      const message = serverMessage(raw.text);
      const canRetry = isTransient(raw.status, message) && now() - started + delay <= this.options.retryBudgetMs && delay < left();
      this.hooks.onRequest?.({
        method,
        path,
        status: raw.status,
        ms: now() - t0,
        attempt,
        retrying: canRetry ? this.redactor.redact(message || `HTTP ${raw.status}`) : undefined,
      });
      if (!canRetry) throw this.scrub(httpError(raw.status, message, { method, path, url: this.url }));
      await sleep(delay);
      delay = Math.min(delay * 2, 2000);
    }
  }

  private scrub<E extends Error>(error: E): E {
    error.message = this.redactor.redact(error.message);
    const withHint = error as unknown as { hint?: string };
    if (withHint.hint) withHint.hint = this.redactor.redact(withHint.hint);
    return error;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const raw = await this.request(method, path, body);
    return (raw.text ? JSON.parse(raw.text) : undefined) as T;
  }

  /** GET / — version, commit, cluster id. Cached: feature gates ask for it repeatedly. */
  server(): Promise<ServerInfo> {
    this.serverInfo ??= this.json<ServerInfo>('GET', '/');
    return this.serverInfo;
  }

  async listExpanded(): Promise<ExpandedConnectors> {
    const result = await this.json<ExpandedConnectors>('GET', '/connectors?expand=status&expand=info');
    for (const [name, entry] of Object.entries(result)) {
      if (entry.info?.config) this.configsSeen.add(name);
      this.redactor.addConfig(entry.info?.config);
    }
    return result;
  }

  async connector(name: string): Promise<ConnectorInfo> {
    const info = await this.json<ConnectorInfo>('GET', `/connectors/${enc(name)}`);
    this.configsSeen.add(name);
    this.redactor.addConfig(info.config);
    return info;
  }

  async config(name: string): Promise<ConnectorConfig> {
    const config = await this.json<ConnectorConfig>('GET', `/connectors/${enc(name)}/config`);
    this.configsSeen.add(name);
    this.redactor.addConfig(config);
    return config;
  }

  /** The live config, or undefined when the connector does not exist. */
  async configIfExists(name: string): Promise<ConnectorConfig | undefined> {
    try {
      return await this.config(name);
    } catch (err) {
      if ((err as { exitCode?: number }).exitCode === 4) return undefined;
      throw err;
    }
  }

  /** PUT /connectors/{c}/config — create or update; `created` tells which. */
  async putConfig(name: string, config: ConnectorConfig): Promise<{ created: boolean; info: ConnectorInfo }> {
    this.redactor.addConfig(config);
    const raw = await this.request('PUT', `/connectors/${enc(name)}/config`, { ...config, name });
    return { created: raw.status === 201, info: JSON.parse(raw.text) as ConnectorInfo };
  }

  /**
   * The status. Traces are Java exceptions that can quote the config (a JDBC URL, a password), so
   * when there is one the config is fetched first to learn the secrets to redact.
   */
  async status(name: string): Promise<ConnectorStatus> {
    const status = await this.json<ConnectorStatus>('GET', `/connectors/${enc(name)}/status`);
    const traced = status.connector?.trace || status.tasks?.some((t) => t.trace);
    if (traced && !this.configsSeen.has(name)) await this.configIfExists(name).catch(() => undefined);
    return status;
  }

  async pause(name: string): Promise<void> {
    await this.request('PUT', `/connectors/${enc(name)}/pause`);
  }

  async resume(name: string): Promise<void> {
    await this.request('PUT', `/connectors/${enc(name)}/resume`);
  }

  async stop(name: string): Promise<void> {
    await this.request('PUT', `/connectors/${enc(name)}/stop`);
  }

  async restart(name: string, options: { includeTasks?: boolean; onlyFailed?: boolean } = {}): Promise<ConnectorStatus | undefined> {
    const query = options.includeTasks || options.onlyFailed ? `?includeTasks=${Boolean(options.includeTasks)}&onlyFailed=${Boolean(options.onlyFailed)}` : '';
    const raw = await this.request('POST', `/connectors/${enc(name)}/restart${query}`);
    return raw.status === 202 && raw.text ? (JSON.parse(raw.text) as ConnectorStatus) : undefined;
  }

  async delete(name: string): Promise<void> {
    await this.request('DELETE', `/connectors/${enc(name)}`);
  }

  /** Offsets as raw JSON text: LSNs and transaction ids are 64-bit and must survive exactly. */
  async offsetsText(name: string): Promise<string> {
    return (await this.request('GET', `/connectors/${enc(name)}/offsets`)).text;
  }

  async deleteOffsets(name: string): Promise<string> {
    return serverMessage((await this.request('DELETE', `/connectors/${enc(name)}/offsets`)).text);
  }

  plugins(all = false): Promise<PluginInfo[]> {
    return this.json<PluginInfo[]>('GET', `/connector-plugins${all ? '?connectorsOnly=false' : ''}`);
  }

  pluginConfig(pluginClass: string): Promise<ConfigKeyDefinition[]> {
    return this.json<ConfigKeyDefinition[]>('GET', `/connector-plugins/${enc(pluginClass)}/config`);
  }

  async validate(pluginClass: string, config: ConnectorConfig): Promise<ConfigValidation> {
    this.redactor.addConfig(config);
    return this.json<ConfigValidation>('PUT', `/connector-plugins/${enc(pluginClass)}/config/validate`, config);
  }
}

export type { ConnectorOffsets };
