/**
 * Connect's answers turned into cdc's typed errors. Connect replies `{error_code, message}`
 * except for 401 from the basic-auth extension, which is plain text.
 */
import { CdcError, ExitCode, InputError, NotFoundError, ServiceError } from '../errors';
import { describeTlsFailure } from '../tls-failure';

/** One field's errors from `PUT /connector-plugins/{p}/config/validate`. */
export interface FieldError {
  field: string;
  errors: string[];
}

/** Connect refused the request as invalid (400). Carries the per-field errors when known. */
export class ConnectBadRequestError extends InputError {
  constructor(
    message: string,
    readonly fieldErrors: FieldError[] = [],
    hint?: string,
  ) {
    super(message, hint);
  }
}

/** Any other HTTP failure from Connect; `status` is the HTTP status. */
export class ConnectHttpError extends ServiceError {
  constructor(
    message: string,
    readonly status: number,
    hint?: string,
  ) {
    super(message, { hint });
  }
}

export function connectUnreachable(url: string, cause: unknown): ServiceError {
  return new ServiceError(`cannot reach Kafka Connect at ${url} — is the stack running?`, {
    hint: 'start it with `cdc stack up`, or point cdc at your worker with --connect-url, CDC_CONNECT_URL or a config context',
    cause,
    unreachable: 'connect',
  });
}

/** Text of an error body: JSON `{message}`, plain text (401), or nothing useful. */
export function serverMessage(body: unknown): string {
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message;
  }
  if (typeof body === 'string') {
    const text = body.trim();
    try {
      return serverMessage(JSON.parse(text));
    } catch {
      // Plain text, or an HTML error page from a proxy: keep it short.
      return text
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 300);
    }
  }
  return '';
}

/** Transient answers worth retrying: a rebalance in progress, a stale config, a worker starting. */
export function isTransient(status: number, message: string): boolean {
  if (status === 409) return !/already exists/i.test(message);
  if (status === 500) return /rebalance/i.test(message);
  return status === 503;
}

export function httpError(status: number, message: string, request: { method: string; path: string; url: string }): CdcError {
  const what = `${request.method} ${request.path}`;
  const text = message || `HTTP ${status}`;
  switch (status) {
    case 400:
      return new ConnectBadRequestError(text);
    case 401:
      return new ConnectHttpError(
        `Kafka Connect at ${request.url} refused the credentials: ${text}`,
        status,
        "set the user with --connect-user (or the context's connectUsername) and the password in CDC_CONNECT_PASSWORD",
      );
    case 403:
      return new ConnectHttpError(`Kafka Connect forbids ${what}: ${text}`, status);
    case 404: {
      // Connect words it variously ("Connector x not found", "No status found for connector x").
      const connector = /^\/connectors\/([^/?]+)/.exec(request.path);
      if (connector) return new NotFoundError(`connector '${decodeURIComponent(connector[1])}' not found`, 'list the connectors with `cdc connector list`');
      return new NotFoundError(
        `${what}: ${text}`,
        /connector-plugins/.test(request.path) ? 'list the installed plugins with `cdc connector plugins`' : undefined,
      );
    }
    case 409:
      return new CdcError(text, { exitCode: ExitCode.RUNTIME });
    default:
      return new ConnectHttpError(`Kafka Connect answered ${status} to ${what}: ${text}`, status, serverHint(status, text, request.url));
  }
}

function serverHint(status: number, text: string, url: string): string | undefined {
  if (status === 500 && /timed out/i.test(text)) return 'Connect gives up after 90 s; check the worker log for what it was waiting on';
  if (status === 503) return `the worker is starting or unhealthy; GET ${url}/health says which (Kafka ≥ 3.9)`;
  return undefined;
}

/** axios's and Node's ways of saying that no answer came in time. */
export function isTimeout(code: string | undefined, message: string | undefined): boolean {
  return code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(message ?? '');
}

/**
 * A request cut short because the limit of a longer operation (a --wait) ran out while Connect
 * had not answered. The wait turns it into its own timeout; elsewhere it is a runtime error.
 */
export class RequestDeadlineError extends ServiceError {
  /** `allowedMs`: how long the request had before the limit (0: none was left to send it). */
  constructor(
    readonly request: string,
    url: string,
    readonly limit: string,
    readonly allowedMs = 0,
  ) {
    super(`Kafka Connect at ${url} did not answer ${request} before ${limit} ran out`, {
      hint: 'the worker may be overloaded, paused or stuck: check its log, and `cdc connector status` once it answers',
    });
  }
}

/** Errors without an HTTP answer: refused, unresolvable, timed out, TLS. */
export function networkError(code: string | undefined, message: string, url: string, timeoutMs: number, cause: unknown, certNames?: string): CdcError {
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return connectUnreachable(url, cause);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ServiceError(`cannot resolve the host of Kafka Connect URL ${url}`, {
      hint: 'check --connect-url / CDC_CONNECT_URL',
      cause,
      unreachable: 'connect',
    });
  }
  if (isTimeout(code, message)) {
    return new ServiceError(`Kafka Connect at ${url} did not answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`, {
      hint: "raise the limit with --timeout <seconds>, or check the worker's load and log",
      cause,
    });
  }
  const tls = describeTlsFailure(code, message, 'Kafka Connect', hostOf(url), certNames);
  if (tls) {
    return new ServiceError(`TLS handshake with Kafka Connect at ${url} failed: ${tls.problem}`, {
      hint: tls.cause === 'unknown-ca' || tls.cause === 'self-signed' ? `${tls.hint} (or the context's connectCaFile)` : tls.hint,
      cause,
    });
  }
  return new ServiceError(`request to Kafka Connect at ${url} failed: ${message}`, { cause });
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}
