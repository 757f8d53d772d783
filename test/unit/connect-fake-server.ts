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

  async start(tls?: { key: Buffer; cert: Buffer }): Promise<string> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const route = this.routes.find((r) => r.method === req.method && (typeof r.path === 'string' ? r.path === req.url : r.path.test(req.url ?? '')));
        const answer: FakeResponse = route
          ? (route.responses.length > 1 ? route.responses.shift()! : route.responses[0])
          : { status: 404, body: { error_code: 404, message: `HTTP 404 Not Found (fake: no route for ${req.method} ${req.url})` } };
        const send = () => {
          const body = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
          res.writeHead(answer.status, { 'Content-Type': answer.contentType ?? 'application/json' });
          res.end(body);
        };
        if (answer.delayMs) setTimeout(send, answer.delayMs);
        else send();
      });
    };
    this.server = tls ? https.createServer(tls, handler) : http.createServer(handler);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
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
