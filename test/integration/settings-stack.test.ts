/**
 * A new shell without `eval "$(cdc stack env)"` (issue 13 item 2): with no flag, environment
 * variable or context naming a database, `cdc seed holdings` writes into the running stack — not
 * whatever listens on localhost:5432 — and says where, once, without the password.
 */
import { withPg } from '../helpers/pipeline';
import { describeResult, runCli } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';
import { uniqueName } from './watch-helpers';

const { pgUrl } = stackUrls();
const stack = new URL(pgUrl);
/** Everything that could name a database, Kafka or Connect, cleared as in a fresh shell. */
const FRESH_SHELL = {
  DATABASE_URL: '',
  PGHOST: '',
  PGPORT: '',
  PGUSER: '',
  PGPASSWORD: '',
  PGDATABASE: '',
  PGSSLMODE: '',
  CDC_BROKERS: '',
  CDC_CONNECT_URL: '',
  CDC_CONFIG: '/nonexistent/cdc-config.json',
};

describe('the running stack is the default target', () => {
  const schema = uniqueName('fresh_shell');
  afterAll(() => withPg(pgUrl, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)));

  it('seed holdings writes into the stack and says where, never the password', async () => {
    const result = await runCli(['seed', 'holdings', '--schema', schema, '--script', 'tutorial'], { env: FRESH_SHELL });
    if (result.code !== 0) throw new Error(describeResult(result));
    const where = `${schema}.holding at ${stack.hostname}:${stack.port}${stack.pathname} (the running cdc stack)`;
    expect(result.stderr.split(where).length - 1).toBe(1);
    expect(result.stderr).not.toContain(`:${decodeURIComponent(stack.password)}@`);
    const rows = await withPg(pgUrl, (c) => c.query(`SELECT count(*)::int AS n FROM ${schema}.holding`));
    expect(rows.rows[0].n).toBeGreaterThan(0);
  });

  it("connector list talks to the stack's Connect, and --verbose says why", async () => {
    const result = await runCli(['--verbose', 'connector', 'list', '--json'], { env: FRESH_SHELL });
    if (result.code !== 0) throw new Error(describeResult(result));
    expect(result.stderr).toContain(`Kafka Connect: ${stackUrls().connectUrl} (from stack)`);
  });
});
