/**
 * `cdc demo`: the finance pipeline built from the same pieces the single commands use (stack up,
 * seed finance, pg setup, connector register + wait, the sink core, the reports), one step after
 * the other. Nothing here prints: each step is announced through `onStep`, the result is data.
 */
import type { Client } from 'pg';
import { InterruptedError } from '../errors';
import type { Settings } from '../settings';
import type { StackSettings } from '../stack/settings';
import type { ReportResult, InstalledView } from '../report';
import type { SinkRunSummary } from '../sink/run';
import type { SeedFinanceResult } from '../seed/finance';
import type { ApplyAction } from '../connect/register';
import { Redactor } from '../secrets';
import { DEMO, demoTopics } from './names';
import { demoPassword, PASSWORD_ENV } from './password';

export type DemoStep = 'stack' | 'source' | 'connector' | 'snapshot' | 'workload' | 'sink' | 'reports';

export interface DemoOptions {
  /** Start (or reuse) the local stack; without it the settings must name running services. */
  stack?: StackSettings;
  settings: Settings;
  env: NodeJS.ProcessEnv;
  ops: number;
  seed: number;
  timeoutMs: number;
  signal: AbortSignal;
  onStep?: (step: DemoStep, detail: string) => void;
  /** Live progress inside a step (spinner text). */
  onProgress?: (detail: string) => void;
}

export interface DemoResult {
  stack: { reused: boolean; dir: string } | null;
  source: { schema: string; created: boolean; startSetLoaded: boolean; setupStatements: number };
  connector: { name: string; action: ApplyAction; user: string; slot: string; publication: string; topics: string[] };
  workload: SeedFinanceResult;
  sink: { group: string; targetSchema: string; passes: SinkRunSummary[] };
  reports: ReportResult[];
  views: InstalledView[];
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const step = (name: DemoStep, detail: string): void => {
    if (options.signal.aborted) throw new InterruptedError();
    options.onStep?.(name, detail);
  };
  const { withPg } = await import('../pg/connection');

  let stack: DemoResult['stack'] = null;
  if (options.stack) {
    step('stack', 'starting the local stack (or reusing the running one)');
    stack = await ensureStack(options.stack, options);
  }
  const password = demoPassword(options.env, options.stack?.dir);
  const pg = options.settings.pg;

  step('source', `creating the finance source in schema ${DEMO.schema} and the CDC preset (${DEMO.user}, ${DEMO.slot}, ${DEMO.publication})`);
  const { seedFinance } = await import('../seed/finance');
  const { runSetup } = await import('../pg/setup');
  const source = await withPg(pg, async (client) => {
    const seeded = await seedFinance(client, {
      schema: DEMO.schema,
      replicaIdentity: 'full',
      start: {},
      seed: options.seed,
      ops: 0,
      truncate: false,
      signal: options.signal,
    });
    const setup = await runSetup(client, {
      tables: DEMO.tables.map((table) => ({ schema: DEMO.schema, table })),
      slot: DEMO.slot,
      publication: DEMO.publication,
      user: { name: DEMO.user, password },
      replicaIdentityFull: true,
      dryRun: false,
    });
    return { schema: DEMO.schema, created: seeded.created, startSetLoaded: seeded.startSet !== null, setupStatements: setup.statements.length };
  });

  step('connector', `registering connector ${DEMO.connector} as ${DEMO.user}`);
  const connect = await connectClient(options.settings, password);
  const action = await register(connect, options, password);
  step('snapshot', `waiting for ${DEMO.connector}'s snapshot`);
  const { waitForConnector } = await import('../connect/connector-wait');
  const { waitUntilRunning } = await import('../connect/wait');
  await waitUntilRunning(connect, DEMO.connector, { timeoutMs: options.timeoutMs, initialDelayMs: action === 'updated' ? 1000 : 0 });
  await waitForConnector(connect, DEMO.connector, { until: 'snapshot', timeoutMs: options.timeoutMs, env: options.env, signal: options.signal });

  // The sink starts on what is on Kafka now (the snapshot, any earlier run) while the workload runs.
  step('workload', `running ${options.ops} workload moves while the sink applies the snapshot`);
  const { PostgresSink } = await import('../sink/postgres/sink');
  const { runSink } = await import('../sink/run');
  const sink = await PostgresSink.open(options.settings.target, { targetSchema: DEMO.targetSchema, current: false, onError: 'stop' });
  const passes: SinkRunSummary[] = [];
  try {
    const sinkPass = (): Promise<SinkRunSummary> =>
      runSink(
        options.settings.kafka,
        sink,
        {
          topics: demoTopics(),
          group: DEMO.group,
          from: 'beginning',
          exitAtEnd: true,
          batchSize: 5000,
        },
        { onProgress: (counts) => options.onProgress?.(`sink: ${counts.changes} change(s) applied`) },
        options.signal,
      );
    const background = sinkPass();
    // A failing workload must not leave the sink pass's rejection unobserved.
    background.catch(() => undefined);
    const workload = await withPg(pg, (client) =>
      seedFinance(client, {
        schema: DEMO.schema,
        replicaIdentity: 'full',
        start: {},
        seed: options.seed,
        ops: options.ops,
        truncate: false,
        signal: options.signal,
        onProgress: (done, total) => options.onProgress?.(`workload: ${done}/${total} moves`),
      }),
    );
    if (workload.interrupted) throw new InterruptedError();
    passes.push(await background);
    step('sink', 'waiting until every workload change is on Kafka, then applying it to the history tables');
    await waitForConnector(connect, DEMO.connector, { until: 'caught-up', timeoutMs: options.timeoutMs, env: options.env, signal: options.signal });
    passes.push(await sinkPass());
    if (options.signal.aborted) throw new InterruptedError();

    step('reports', `reading the four finance reports from ${DEMO.targetSchema} and installing the views`);
    const { reports, views } = await withPg(options.settings.target, (client) => readReports(client));
    return {
      stack,
      source,
      connector: { name: DEMO.connector, action, user: DEMO.user, slot: DEMO.slot, publication: DEMO.publication, topics: demoTopics() },
      workload,
      sink: { group: DEMO.group, targetSchema: DEMO.targetSchema, passes },
      reports,
      views,
    };
  } finally {
    await sink.close();
  }
}

/**
 * A healthy stack is used as it is: `stackUp` would also adopt it as the user's, and a stack a
 * test run started must stay the test run's to stop.
 */
async function ensureStack(settings: StackSettings, options: DemoOptions): Promise<NonNullable<DemoResult['stack']>> {
  const { stackStatus } = await import('../stack/status');
  const { CORE_SERVICES } = await import('../stack/layout');
  const current = await stackStatus(settings);
  if (CORE_SERVICES.every((name) => current.services.find((s) => s.service === name)?.healthy)) return { reused: true, dir: settings.dir };
  const { stackUp } = await import('../stack/up');
  const up = await stackUp(settings, { env: options.env, signal: options.signal, onProgress: (_s, detail) => options.onProgress?.(detail) });
  return { reused: up.reused, dir: up.state.dir };
}

async function connectClient(settings: Settings, password: string) {
  const { connectOptions, createConnectClient } = await import('../connect/connection');
  const redactor = new Redactor();
  redactor.add(password);
  return createConnectClient(connectOptions(settings.connect), redactor);
}

async function register(connect: Awaited<ReturnType<typeof connectClient>>, options: DemoOptions, password: string): Promise<ApplyAction> {
  const { connectorFromFlags } = await import('../connect/from-flags');
  const { planRegistration, applyConnector } = await import('../connect/register');
  const { config } = connectorFromFlags(
    DEMO.connector,
    {
      table: DEMO.tables.map((t) => `${DEMO.schema}.${t}`),
      topicPrefix: DEMO.topicPrefix,
      user: DEMO.user,
      passwordEnv: PASSWORD_ENV,
      slot: DEMO.slot,
      publication: DEMO.publication,
    },
    { ...options.env, [PASSWORD_ENV]: password },
    options.settings.pg,
  );
  const plan = await planRegistration(connect, [{ name: DEMO.connector, config, source: 'cdc demo' }]);
  let action: ApplyAction = 'unchanged';
  for (const item of plan.items) action = await applyConnector(connect, item);
  return action;
}

async function readReports(client: Client): Promise<{ reports: ReportResult[]; views: InstalledView[] }> {
  const { runReport, reportOrThrow, parseReportArgs, flagName, installViews } = await import('../report');
  const reports: ReportResult[] = [];
  for (const name of DEMO.reports) {
    const spec = reportOrThrow(name);
    reports.push(await runReport(client, spec, { schema: DEMO.targetSchema, args: parseReportArgs(spec, {}, flagName), timeoutMs: 30_000 }));
  }
  const views = await installViews(client, DEMO.targetSchema);
  return { reports, views };
}
