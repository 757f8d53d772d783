/**
 * Running the API until a signal: listen, report the URL, close gracefully when aborted.
 */
import { ServiceError } from '../errors';
import type { PgTarget } from '../pg/connection';
import { createPool } from '../pg/pool';
import { DEFAULT_SCHEMA } from '../report';
import { buildApp } from './app';

export interface ServeRun {
  target: PgTarget;
  host: string;
  port: number;
  poolSize: number;
  statementTimeoutMs: number;
  /** One schema for both pipelines; else each pipeline's default (finance, bank). */
  schema?: string;
  version: string;
  signal: AbortSignal;
  onListening(url: string): void;
}

export async function serve(run: ServeRun): Promise<void> {
  const pool = await createPool(run.target, run.poolSize);
  const app = await buildApp({
    pool,
    schemas: { finance: run.schema ?? DEFAULT_SCHEMA.finance, holdings: run.schema ?? DEFAULT_SCHEMA.holdings },
    statementTimeoutMs: run.statementTimeoutMs,
    targetDisplay: run.target.display,
    version: run.version,
  });
  try {
    await app.listen({ host: run.host, port: run.port });
  } catch (err) {
    await pool.end().catch(() => {});
    const code = (err as NodeJS.ErrnoException).code;
    throw new ServiceError(`cannot listen on ${run.host}:${run.port}: ${(err as Error).message}`, {
      hint:
        code === 'EADDRINUSE'
          ? 'another program uses that port: pick another with --port (0 picks a free one)'
          : code === 'EADDRNOTAVAIL'
            ? '--host must be an address of this machine'
            : undefined,
    });
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : run.port;
  const host = run.host.includes(':') ? `[${run.host}]` : run.host;
  run.onListening(`http://${host}:${port}`);
  await new Promise<void>((resolve) => {
    if (run.signal.aborted) resolve();
    else run.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await app.close();
  await pool.end().catch(() => {});
}
