/**
 * The read-only HTTP API of `cdc serve` (fastify): one route per report, `/healthz`, the OpenAPI
 * document at /docs/json and its page at /docs. Errors are JSON with a message that names the bad
 * parameter; no stack trace or SQL text ever reaches a client.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { CdcError, ExitCode } from '../errors';
import { stringifyLossless } from '../json';
import { maskConnectionString } from '../secrets';
import { REPORTS, DEFAULT_SCHEMA, parseReportArgs, parseTime, queryName, runReport, type ReportSpec } from '../report';
import { reportDocument } from '../report/document';
import { ERROR_SCHEMA, querySchema, responseSchema } from './routes';

export interface ServeOptions {
  pool: Pool;
  /** History schema per pipeline (--target-schema applies to both when given). */
  schemas: Record<ReportSpec['pipeline'], string>;
  statementTimeoutMs: number;
  /** Where the target lives, as shown to people (no password). */
  targetDisplay: string;
  version: string;
  /** Extra health information (sink lag of a group), when the command can provide it. */
  health?: () => Promise<Record<string, unknown>>;
}

/** Documentation only: each route checks its parameters with the reports' own validator. */
const NO_VALIDATION = () => () => true;
const PRESERIALIZED = () => (data: unknown) => (typeof data === 'string' ? data : JSON.stringify(data));

export async function buildApp(options: ServeOptions): Promise<FastifyInstance> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false, return503OnClosing: true, routerOptions: { ignoreTrailingSlash: true } });
  await app.register((await import('@fastify/swagger')).default, {
    openapi: {
      info: {
        title: 'cdc reports API',
        version: options.version,
        description: 'Read-only answers from the SCD2 history tables written by `cdc sink postgres`. Every route takes `at` to answer as of a past moment.',
      },
      tags: [{ name: 'finance' }, { name: 'holdings' }, { name: 'service' }],
    },
  });
  await app.register((await import('@fastify/swagger-ui')).default, { routePrefix: '/docs' });

  app.setErrorHandler((err, _request, reply) => sendError(reply, err));
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .type('application/json')
      .send(JSON.stringify({ error: `no route ${request.method} ${request.url.split('?')[0]}`, hint: 'the routes are listed at /docs' }));
  });

  for (const spec of REPORTS) {
    app.get(
      spec.route,
      {
        schema: {
          summary: spec.description,
          tags: [spec.pipeline],
          querystring: querySchema(spec),
          response: { 200: responseSchema(spec), 400: ERROR_SCHEMA, 404: ERROR_SCHEMA, 503: ERROR_SCHEMA },
        },
        validatorCompiler: NO_VALIDATION,
        serializerCompiler: PRESERIALIZED,
      },
      async (request, reply) => {
        const query = singleValues(request);
        const args = parseReportArgs(spec, query, queryName);
        const at = query.at === undefined ? undefined : parseTime(query.at, queryName('at'));
        const client = await options.pool.connect();
        try {
          const result = await runReport(client, spec, { schema: options.schemas[spec.pipeline], args, at, timeoutMs: options.statementTimeoutMs });
          return reply.type('application/json').send(stringifyLossless(reportDocument(result)));
        } finally {
          client.release();
        }
      },
    );
  }

  app.get(
    '/reports',
    { schema: { summary: 'the reports, their parameters and routes', tags: ['service'] }, serializerCompiler: PRESERIALIZED },
    async (_request, reply) =>
      reply.type('application/json').send(
        JSON.stringify(
          REPORTS.map((r) => ({
            name: r.name,
            pipeline: r.pipeline,
            route: r.route,
            description: r.description,
            parameters: r.params.map((p) => ({ name: p.name, required: p.required, default: p.default ?? null, description: p.description })),
          })),
        ),
      ),
  );

  app.get(
    '/healthz',
    { schema: { summary: 'target database reachable (and sink lag when cdc serve was given --group)', tags: ['service'] }, serializerCompiler: PRESERIALIZED },
    async (_request, reply) => {
      const started = Date.now();
      try {
        await options.pool.query('SELECT 1');
      } catch (err) {
        return reply
          .code(503)
          .type('application/json')
          .send(JSON.stringify({ status: 'unavailable', target: options.targetDisplay, error: maskConnectionString((err as Error).message) }));
      }
      const extra = options.health ? await options.health().catch((err: Error) => ({ sinkError: maskConnectionString(err.message) })) : {};
      return reply
        .type('application/json')
        .send(JSON.stringify({ status: 'ok', target: options.targetDisplay, targetLatencyMs: Date.now() - started, ...extra }));
    },
  );
  return app;
}

/** A query parameter given twice is ambiguous: refused rather than guessed. */
function singleValues(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(value)) throw new CdcError(`query parameter '${key}' is given ${value.length} times`, { exitCode: ExitCode.USAGE });
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

const STATUS_OF_EXIT: Partial<Record<number, number>> = {
  [ExitCode.USAGE]: 400,
  [ExitCode.INVALID_INPUT]: 400,
  [ExitCode.NOT_FOUND]: 404,
};

function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  let status = 500;
  let body: { error: string; hint?: string };
  const httpStatus = (err as { statusCode?: number }).statusCode;
  if (err instanceof CdcError) {
    status = STATUS_OF_EXIT[err.exitCode] ?? 503;
    body = { error: maskConnectionString(err.message), ...(err.hint ? { hint: maskConnectionString(err.hint) } : {}) };
  } else if (typeof httpStatus === 'number' && httpStatus >= 400 && httpStatus < 500) {
    // fastify's own client errors (a malformed URL, an unsupported media type): its message is safe.
    status = httpStatus;
    body = { error: (err as Error).message };
  } else if ((err as { code?: string }).code !== undefined && /^[0-9A-Z]{5}$/.test((err as { code: string }).code)) {
    // A PostgreSQL error: its class, never its text (which may quote SQL).
    status = 503;
    body = { error: `the target database refused the query (SQLSTATE ${(err as { code: string }).code})` };
  } else {
    body = { error: 'internal error' };
  }
  return reply.code(status).type('application/json').send(JSON.stringify(body));
}

export { DEFAULT_SCHEMA };
