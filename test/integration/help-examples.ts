/**
 * How each example of the README and of every `--help` is run by readme-tutorial.test.ts, when
 * not simply "run it, expect exit 0". Keyed by the example's exact text; an entry whose example
 * no longer exists fails the test, so this table cannot hide anything stale.
 */
import { withPg } from '../helpers/pipeline';
import { SINK_EXAMPLE_PLANS } from './help-examples-sinks';

/** What a setup or a check can use: the stack's services, and a bash in the examples' folder and shell. */
export interface World {
  databaseUrl: string;
  /** The stack's S3 endpoint and MongoDB, once `cdc stack up --with s3,mongo` has run. */
  s3Url: string;
  mongoUrl: string;
  /** The examples' shell environment (cdc pointed at the stack, as `eval "$(cdc stack env)"` leaves it). */
  env: NodeJS.ProcessEnv;
  sh(command: string): Promise<number | null>;
}

export type ExamplePlan =
  /** Not run here, and why (stated in the test output). */
  | { skip: string }
  /** Run while `during` runs in the background, once `ready` (a URL) answers. */
  | { during: string; ready: string }
  | {
      /** Follows or serves until stopped: interrupted (Ctrl-C) after at most this many seconds, as a user would. */
      interruptAfter?: number;
      /**
       * Polled while it runs (every 250 ms): once true, what a user waits to see has happened and the
       * Ctrl-C comes at once rather than at `interruptAfter`. Its check, if any, still runs after the exit.
       */
      interruptWhen?: (world: World, run: { stdout: string; output: string }) => Promise<boolean>;
      /** Done while it runs, until it is interrupted: the change a follower from the end must show. */
      meanwhile?: (world: World) => Promise<void>;
      /** Makes the world the example assumes, before it runs. */
      setup?: (world: World) => Promise<void>;
      /** After it ran and ended well: what it wrote (or said on stderr, in `output`), read back; throws what is wrong. */
      check?: (world: World, run: { stdout: string; output: string }) => Promise<void>;
    };

/** The follower wrote this many whole lines on stdout. */
function wroteLines(n: number): (world: World, run: { stdout: string }) => Promise<boolean> {
  return async (_world, run) => run.stdout.split('\n').length > n;
}

/** This server said where it serves (not one an earlier example left behind), and answers at `url`. */
function answers(url: string): (world: World, run: { output: string }) => Promise<boolean> {
  return async (_world, run) => {
    if (!new RegExp(` at http://\\S+:${new URL(url).port}[ /]`).test(run.output)) return false;
    try {
      return (await fetch(url, { signal: AbortSignal.timeout(2000) })).status < 500;
    } catch {
      return false;
    }
  };
}

/** An update of one holding that changes nothing but makes an event (REPLICA IDENTITY FULL). */
async function touchHolding(world: World): Promise<void> {
  await withPg(world.databaseUrl, (c) =>
    c.query('UPDATE bank.holding SET holding_quantity = holding_quantity WHERE holding_id = (SELECT min(holding_id) FROM bank.holding)'),
  );
}

/** Every row of the tables, as one digest: it changes with any insert, update or delete. */
async function digest(world: World, tables: string[]): Promise<string> {
  const parts = tables.map((t) => `(SELECT coalesce(string_agg(r::text, ',' ORDER BY r::text), '') FROM ${t} r)`).join(', ');
  return withPg(world.databaseUrl, async (c) => String((await c.query(`SELECT md5(concat(${parts})) AS d`)).rows[0].d));
}

/**
 * A seed at --rate N is a live stream, not a load to wait out: stopped (Ctrl-C, as a user stops a
 * stream) once the tables have been seen to change twice, it must have run its statements one by
 * one at no more than N per second, as its interrupted summary counts them ("… 12 random
 * statements … in 2.41 s", "36 moves in 1.81 s").
 */
function pacedSeed(rate: number, tables: string[]): ExamplePlan {
  const seen = new Set<string>();
  return {
    interruptAfter: 60,
    setup: async (world) => {
      seen.clear();
      seen.add(await digest(world, tables));
    },
    interruptWhen: async (world) => {
      seen.add(await digest(world, tables));
      return seen.size >= 3;
    },
    check: async (_world, run) => {
      const summary = /interrupted: .*?(\d+) (?:random statements|moves)\b.*? in ([\d.]+) s/s.exec(run.output);
      if (!summary) throw new Error('no interrupted summary counting its statements on stderr');
      const [done, seconds] = [Number(summary[1]), Number(summary[2])];
      if (done < 2) throw new Error(`stopped after ${done} statements, but the tables changed twice`);
      // Statement i is due i/N seconds after the start: at most N per second, and the first at once.
      if (done > rate * (seconds + 0.01) + 1) throw new Error(`${done} statements in ${seconds} s: faster than --rate ${rate}`);
    },
  };
}

const FINANCE_TABLES = ['customers', 'products', 'orders', 'order_items'];

/** `--current`'s plain copies in analytics hold as many rows as the finance tables. */
async function currentCopyComplete(world: World): Promise<boolean> {
  const counts = (url: string, schema: string) =>
    withPg(url, async (c) => {
      const out: number[] = [];
      for (const t of FINANCE_TABLES) out.push(Number((await c.query(`SELECT count(*) AS n FROM ${schema}.${t}`)).rows[0].n));
      return out;
    });
  try {
    const [source, copy] = [await counts(world.databaseUrl, 'finance'), await counts(world.env.CDC_TARGET_URL!, 'analytics')];
    return source.every((n, i) => n === copy[i]);
  } catch {
    return false; // the copies are not made yet
  }
}

export const EXAMPLE_PLANS: Record<string, ExamplePlan> = {
  // README: installing is what CI does around the suite (.ci/run), not something a test can redo.
  'npm install': { skip: 'installs the project: done by the CI run (.ci/run) around this suite' },
  'npm link': { skip: 'links cdc into the global prefix of the machine; the test puts a link on PATH instead' },
  'npm install && npx cdc parse fixtures/holding-events.jsonl': {
    skip: 'installs the project; `npx cdc parse` itself is the test/unit/parse-cli.test.ts main job',
  },
  'npm ci && npm test': { skip: 'is this test suite' },

  // Commands that follow a topic, a table or a log until Ctrl-C: stopped once they showed what a
  // user waits for (a line of output, an answering server, the sink's copy complete), else after
  // the seconds given.
  'cdc watch dbserver1.bank.holding': { interruptAfter: 8, interruptWhen: wroteLines(1) },
  // From the end there is nothing to show until a change comes: one is made while it follows.
  'cdc watch dbserver1.bank.holding --from end --changes': { interruptAfter: 8, interruptWhen: wroteLines(1), meanwhile: touchHolding },
  'cdc watch dbserver1.bank.holding --op u,d --key holding_id=1000': { interruptAfter: 8, interruptWhen: wroteLines(1) },
  'cdc watch dbserver1.bank.holding --since 10m -n 20': { interruptAfter: 8 },
  'cdc watch dbserver1.bank.holding --group pivot | cdc parse': { interruptAfter: 8, interruptWhen: wroteLines(1) },
  // Its upserts change nothing the seed has not written already: nothing to see but the time.
  'cdc seed customers --rate 10': { interruptAfter: 4 },
  'cdc seed finance --ops 500 --rate 20': pacedSeed(
    20,
    FINANCE_TABLES.map((t) => `finance.${t}`),
  ),
  'cdc seed holdings --ops 100 --rate 5': pacedSeed(5, ['bank.holding']),
  'tail -f "$(cdc stack logs kafka --path)"': { interruptAfter: 3, interruptWhen: wroteLines(1) },
  'cdc serve': { interruptAfter: 8, interruptWhen: answers('http://127.0.0.1:8000/docs') },
  'cdc serve --host 0.0.0.0 --port 8080': { interruptAfter: 8, interruptWhen: answers('http://127.0.0.1:8080/docs') },
  'cdc serve --target-schema analytics': { interruptAfter: 8, interruptWhen: answers('http://127.0.0.1:8000/docs') },
  "cdc sink postgres --topics-regex 'dbserver1\\.finance\\..*' --target-schema analytics --current": {
    interruptAfter: 15,
    interruptWhen: currentCopyComplete,
  },

  // The HTTP API's examples, against `cdc serve` on its default address.
  ...Object.fromEntries(
    [
      "curl -s 'http://127.0.0.1:8000/orders?status=open'",
      "curl -s 'http://127.0.0.1:8000/orders/top?limit=3&at=2026-12-01T09:00:00Z'",
      "curl -s 'http://127.0.0.1:8000/orders/customers?status=pending&limit=3'",
      "curl -s 'http://127.0.0.1:8000/holdings/stock-changes?user=1'",
    ].map((example) => [example, { during: 'cdc serve', ready: 'http://127.0.0.1:8000/docs' }]),
  ),

  // The world an example assumes.
  'cdc pg slots --drop old_connector_slot --yes': {
    setup: (w) => withPg(w.databaseUrl, (c) => c.query(`select pg_create_logical_replication_slot('old_connector_slot', 'pgoutput')`)).then(() => undefined),
  },
  // The tutorial ran it already: it refuses to run over its own rows (without --truncate).
  'cdc seed holdings --script tutorial': { setup: (w) => withPg(w.databaseUrl, (c) => c.query('truncate bank.holding')).then(() => undefined) },
  // The report examples read the history where the sink writes by default (the source's schema,
  // finance); the README's pipeline writes it into analytics.
  'cdc report open-orders': {
    setup: async (w) => {
      await w.sh("cdc sink postgres --topics-regex 'dbserver1\\.finance\\..*' --exit-at-end --group examples-finance");
    },
  },

  // Not runnable on this machine, said plainly.
  'kcat -b localhost:9092 -t dbserver1.bank.holding -C -u | cdc parse > holding_pivot.txt': {
    skip: 'needs kcat, which CI (.ci/run) does not install, and names localhost:9092 (docker compose), where the tutorial stack does not listen',
  },
  'cdc seed customers --source https://example.com/customers.csv --table retail.customers': { skip: 'example.com/customers.csv is a placeholder URL' },
  'cdc stack up --pg-port 25432 --kafka-port 29092 --controller-port 29093 --connect-port 28083': {
    skip: 'starts a second whole stack on fixed ports of a shared machine (stack.test.ts starts stacks on free ports)',
  },
  'CDC_STACK_DIR=/tmp/cdc-stack cdc stack up --json': {
    skip: 'starts a second whole stack in a fixed /tmp folder of a shared machine (stack.test.ts starts stacks in private folders)',
  },
  'cdc completion zsh > "${fpath[1]}/_cdc"': { skip: 'zsh syntax ($fpath), and zsh is not installed here' },
  // The sinks' examples, run and their objects and documents checked: help-examples-sinks.ts.
  ...SINK_EXAMPLE_PLANS,
  'cdc pg check --name finance --table finance.orders --pg-url postgres://cdc_user@127.0.0.1:15432/postgres': {
    skip: 'runs as cdc_user with the password pg setup was given (PGPASSWORD); pg-setup.test.ts runs this check as that user',
  },
};
