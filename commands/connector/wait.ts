/**
 * `cdc connector wait NAME`: block until what a script reads next is on Kafka. `register --wait`
 * stops at RUNNING, which Connect reports from the first snapshot row on; this waits for the end
 * of the snapshot, or for every change committed in the source so far (src/connect/catch-up.ts).
 */
import { type Command, Option } from 'commander';
import type { Context } from '../../src/context';
import type { ConnectFlags } from '../../src/connect/connection';
import type { WaitCondition, WaitProgress } from '../../src/connect/connector-wait';
import { UsageError } from '../../src/errors';
import { note, writeJson } from '../ui/output';
import { startSpinner } from '../ui/spinner';
import { stderrStyle } from '../ui/style';
import { secondsFlag } from '../ui/flags';
import { addConnectOptions, connectorName, withClient } from './common';

const EXAMPLES = `
Examples:
  cdc connector register holding --table bank.holding --topic-prefix dbserver1 --wait
  cdc connector wait holding --for snapshot        # every snapshot row is on Kafka
  cdc seed holdings --script tutorial
  cdc connector wait holding                       # ...and every change committed so far
  cdc watch dbserver1.bank.holding --exit-at-end | cdc parse > holding_pivot.txt

caught-up (the default) takes pg_current_wal_insert_lsn() when the wait begins and waits until every
change of the connector's tables committed before it is in the connector's committed offsets
(Connect commits an offset only after Kafka acknowledged the record). It logs in to PostgreSQL with
the connector's database.* settings (REPLICATION right needed) and reads the slot through a
temporary copy, never the slot itself. Connect commits offsets every offset.flush.interval.ms
(60 s by default; 1 s in cdc stack), which bounds how soon the wait can end.
Exit codes: 0 done, 5 not done in time, 6 a task FAILED, 4 no such connector.`;

interface WaitFlags extends ConnectFlags {
  for: WaitCondition;
  waitTimeout: number;
  json?: boolean;
}

export function registerWaitCommand(parent: Command, ctx: Context): void {
  const command = parent
    .command('wait')
    .description("wait until a connector's snapshot, or every source change so far, is on Kafka")
    .argument('<name>', 'connector name', connectorName)
    .addOption(
      new Option('--for <condition>', 'snapshot: all snapshot records; caught-up: and every change committed before the wait')
        .choices(['snapshot', 'caught-up'])
        .default('caught-up'),
    )
    .option('--wait-timeout <seconds>', 'give up after this long (exit 5)', secondsFlag('--wait-timeout'), 120)
    .option('--json', 'print the result as JSON on stdout');
  addConnectOptions(command)
    .addHelpText('after', EXAMPLES)
    .action(async (name: string, options: WaitFlags) => {
      const seconds = Number(options.waitTimeout);
      if (!Number.isFinite(seconds) || seconds <= 0)
        throw new UsageError(`--wait-timeout must be a positive number of seconds, not ${JSON.stringify(options.waitTimeout)}`);
      const spinner = startSpinner(ctx, `waiting for ${name}`, { json: options.json });
      try {
        const result = await withClient(ctx, options, async (client) => {
          const { waitForConnector } = await import('../../src/connect/connector-wait');
          return waitForConnector(client, name, {
            until: options.for,
            timeoutMs: seconds * 1000,
            env: ctx.env,
            own: () => ctx.settings.pg,
            onProgress: (p) => spinner.update(`waiting for ${name}: ${progressText(p)}`),
          });
        });
        spinner.stop();
        if (options.json) writeJson(ctx, result);
        const what = options.for === 'snapshot' ? 'snapshot on Kafka' : `caught up to ${result.targetLsn}`;
        note(ctx, `${stderrStyle(ctx).green('✓')} ${name}: ${what} (${(result.elapsedMs / 1000).toFixed(1)} s)`);
      } catch (err) {
        spinner.stop();
        throw err;
      }
    });
}

function progressText(p: WaitProgress): string {
  if (!p.snapshotDone) return 'snapshot running';
  if (p.pendingChanges === undefined || Number.isNaN(p.pendingChanges)) return 'snapshot done';
  return `${p.pendingChanges} change(s) not yet on Kafka`;
}
