/**
 * A local HTTP(S) server that answers like Kafka Connect with recorded bodies
 * (fixtures/connectors/recorded/), so that unit tests exercise the real axios client: status
 * codes, plain-text bodies, retries, timeouts.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export const RECORDED = path.resolve(__dirname, '../../fixtures/connectors/recorded');

export function recorded(name: string): string {
  return fs.readFileSync(path.join(RECORDED, `${name}.json`), 'utf8');
}

export interface FakeResponse {
  status: number;
  body?: string | object;
  contentType?: string;
  /** Wait this long before answering (to provoke client timeouts). */
  delayMs?: number;
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Route {
  method: string;
  path: string | RegExp;
  responses: FakeResponse[];
}

export class FakeConnect {
  readonly requests: SeenRequest[] = [];
  private routes: Route[] = [];
  private server?: http.Server;
  /** Answers held back (delayMs): cleared on stop, or a worker process would wait for them. */
  private readonly delayed = new Set<NodeJS.Timeout>();
  url = '';

  /** Answers `method path` with the responses in turn; the last one repeats. */
  on(method: string, path: string | RegExp, ...responses: FakeResponse[]): this {
    this.routes.unshift({ method, path, responses: [...responses] });
    return this;
  }

  reset(): void {
    this.routes = [];
    this.requests.length = 0;
  }

  async start(tls?: { key: Buffer; cert: Buffer; ca?: Buffer; requestCert?: boolean; rejectUnauthorized?: boolean }): Promise<string> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        // Exact paths beat patterns; among either, the route added last wins (tests override scenarios).
        const route =
          this.routes.find((r) => r.method === req.method && r.path === req.url) ??
          this.routes.find((r) => r.method === req.method && r.path instanceof RegExp && r.path.test(req.url ?? ''));
        const answer: FakeResponse = route
          ? route.responses.length > 1
            ? route.responses.shift()!
            : route.responses[0]
          : { status: 404, body: { error_code: 404, message: `HTTP 404 Not Found (fake: no route for ${req.method} ${req.url})` } };
        const send = () => {
          const body = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
          res.writeHead(answer.status, { 'Content-Type': answer.contentType ?? 'application/json' });
          res.end(body);
        };
        if (answer.delayMs) {
          const timer = setTimeout(() => {
            this.delayed.delete(timer);
            send();
          }, answer.delayMs);
          this.delayed.add(timer);
        } else send();
      });
    };
    this.server = tls ? https.createServer(tls, handler) : http.createServer(handler);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const timer of this.delayed) clearTimeout(timer);
    this.delayed.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A port with nothing listening on it (for ECONNREFUSED). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const PG_CONNECTOR = 'io.debezium.connector.postgresql.PostgresConnector';
export const RECORDED_PASSWORD = 'Rec0rded-S3cret!';

/**
 * A worker with two connectors built from recorded answers: `rec-holding` (RUNNING) and
 * `rec-failing` (a task FAILED). `password` replaces the recorded one everywhere, and is also
 * planted in traces and error messages to prove that cdc redacts what Connect echoes.
 */
export function connectScenario(fake: FakeConnect, password = RECORDED_PASSWORD, extraConfig: Record<string, string> = {}): void {
  // The recorded database port is replaced by a closed one: unit tests never reach a real database.
  const swap = (text: string) => text.split(RECORDED_PASSWORD).join(password).split('"database.port":"15432"').join('"database.port":"9"');
  const connector = JSON.parse(swap(recorded('connector')));
  Object.assign(connector.config, extraConfig);
  const failingInfo = { ...connector, name: 'rec-failing', config: { ...connector.config, name: 'rec-failing', 'slot.name': 'rec_failing' } };
  const failedStatus = JSON.parse(recorded('status-failed'));
  failedStatus.tasks[0].trace += `\nCaused by: org.postgresql.util.PSQLException: FATAL: password "${password}" is not accepted here`;
  const validation = JSON.parse(recorded('validate-errors'));
  for (const c of validation.configs) {
    if (c.value.errors.length) c.value.errors = [`Error while validating connector config: connecting with password ${password} failed`];
  }
  const base = '/connectors';
  fake
    .on('GET', '/', { status: 200, body: recorded('root') })
    .on('GET', `${base}?expand=status&expand=info`, {
      status: 200,
      body: {
        'rec-holding': { status: JSON.parse(recorded('status-running')), info: connector },
        'rec-failing': { status: failedStatus, info: failingInfo },
      },
    })
    .on('GET', `${base}/rec-holding`, { status: 200, body: connector })
    .on('GET', `${base}/rec-holding/config`, { status: 200, body: connector.config })
    .on('GET', `${base}/rec-failing/config`, { status: 200, body: failingInfo.config })
    .on('GET', `${base}/rec-holding/status`, { status: 200, body: recorded('status-running') })
    .on('GET', `${base}/rec-failing/status`, { status: 200, body: failedStatus })
    .on('GET', `${base}/rec-failing`, { status: 200, body: failingInfo })
    .on('GET', /^\/connectors\/[^/?]+(\/config|\/status)?$/, { status: 404, body: { error_code: 404, message: 'Connector rec-missing not found' } })
    .on('GET', `/connector-plugins/${PG_CONNECTOR}/config`, { status: 200, body: recorded('plugin-config') })
    .on('GET', '/connector-plugins', { status: 200, body: recorded('plugins') })
    .on('PUT', `/connector-plugins/${PG_CONNECTOR}/config/validate`, { status: 200, body: validation })
    .on('PUT', /^\/connectors\/[^/]+\/config$/, { status: 201, body: swap(recorded('put-created')) })
    .on('GET', /^\/connectors\/[^/]+\/offsets$/, { status: 200, body: recorded('offsets') })
    .on('DELETE', /^\/connectors\/[^/]+\/offsets$/, { status: 200, body: recorded('delete-offsets-200') })
    .on('DELETE', /^\/connectors\/[^/]+$/, { status: 204 })
    .on('PUT', /^\/connectors\/[^/]+\/(pause|resume)$/, { status: 202 })
    .on('PUT', /^\/connectors\/[^/]+\/stop$/, { status: 204 })
    .on('POST', /^\/connectors\/[^/]+\/restart/, { status: 204 });
}
