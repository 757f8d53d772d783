/**
 * `cdc serve`: the reports as a read-only HTTP JSON API with OpenAPI docs at /docs, bound to
 * 127.0.0.1 unless --host says otherwise. Stops gracefully on SIGINT/SIGTERM: in-flight requests
 * finish, new ones get 503, the pool closes.
 */
import type { Command } from 'commander';
import type { Context } from '../src/context';
import { UsageError } from '../src/errors';
import { parseIdentifier } from '../src/pg/identifiers';
import { packageVersion } from '../src/package-root';
import { addTargetOptions, targetFor, type TargetCliOptions } from './report/target';
import { onInterrupt } from './seed/render';
import { intFlag } from './ui/flags';
import { note, writeJson } from './ui/output';

interface ServeOptions extends TargetCliOptions {
  host: string;
  port: string;
  statementTimeout: string;
  poolSize: string;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ cdc serve                                           # http://127.0.0.1:8000, docs at /docs
  $ curl -s 'http://127.0.0.1:8000/orders?status=open'
  $ curl -s 'http://127.0.0.1:8000/orders/top?limit=3&at=2026-12-01T09:00:00Z'
  $ curl -s 'http://127.0.0.1:8000/orders/customers?status=pending&limit=3'
  $ curl -s 'http://127.0.0.1:8000/holdings/stock-changes?user=1'
  $ cdc serve --host 0.0.0.0 --port 8080                # reachable from other machines

Routes: /orders, /orders/top, /orders/product, /orders/customers, /holdings/stock-changes,
/holdings/quantity-changes, /holdings/top-sold-stock, /reports, /healthz, /docs (OpenAPI: /docs/json).
Every report route takes ?at= (ISO-8601) to answer as of a past moment. Bad parameters get 400
with a message naming the parameter; a missing history table 404; the database unreachable 503.`;

export function registerServe(program: Command, ctx: Context): void {
  addTargetOptions(program.command('serve'))
    .description('serve the reports as a read-only HTTP JSON API with OpenAPI docs at /docs')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '8000')
    .option('--statement-timeout <seconds>', 'longest a report query may run', '10')
    .option('--pool-size <n>', 'connections to the target database', '4')
    .option('--json', 'print {"url": …} on stdout once listening')
    .addHelpText('after', EXAMPLES)
    .action(async (options: ServeOptions) => {
      const port = intFlag('--port', { min: 0, max: 65_535 })(options.port);
      const poolSize = intFlag('--pool-size', { min: 1, max: 100 })(options.poolSize);
      const timeout = Number(options.statementTimeout);
      if (!/^\s*\d+(\.\d+)?\s*$/.test(options.statementTimeout) || timeout <= 0 || timeout > 3600) {
        throw new UsageError(`--statement-timeout must be seconds from 0 to 3600, got ${JSON.stringify(options.statementTimeout)}`);
      }
      if (options.host.trim() === '') throw new UsageError('--host must not be empty', 'use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)');
      const schema = options.targetSchema === undefined ? undefined : parseIdentifier(options.targetSchema, '--target-schema');
      const target = targetFor(ctx);
      const { serve } = await import('../src/serve/server');
      const interrupt = onInterrupt(ctx);
      try {
        await serve({
          target,
          host: options.host,
          port,
          poolSize,
          statementTimeoutMs: timeout * 1000,
          schema,
          version: packageVersion(),
          signal: interrupt.signal,
          onListening: (url) => {
            note(ctx, `serving reports from ${target.display} at ${url} (docs: ${url}/docs); Ctrl-C stops`);
            if (options.json) writeJson(ctx, { url, docs: `${url}/docs` });
          },
        });
      } finally {
        interrupt.dispose();
      }
      note(ctx, 'stopped');
    });
}
