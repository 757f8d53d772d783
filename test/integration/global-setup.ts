/**
 * Starts the stack for the integration suite, with the S3 and MongoDB servers the sinks' tests use,
 * or reuses a healthy one already running at the configured ports (CDC_STACK_*_PORT,
 * CDC_STACK_DIR, else `cdc stack up`'s defaults; a running stack that lacks s3 or mongo gets them
 * added), and hands its URLs to the test workers through CDC_IT_* variables (read by
 * test/helpers/stack.ts). Missing prerequisites fail the run with their names: integration tests
 * never skip.
 */
import { CdcError } from '../../src/errors';
import { registerClient, unregisterClient } from '../../src/stack/clients';
import { StackStartError } from '../../src/stack/errors';
import { stackLayout } from '../../src/stack/layout';
import { PORT_ENV, resolveStackSettings, type ExtraService } from '../../src/stack/settings';
import { readState } from '../../src/stack/state';
import { stackUp } from '../../src/stack/up';
import { freePorts } from '../helpers/private-stack';
import { STACK_URL_ENV } from '../helpers/stack';
import { stopTestStack } from './global-teardown';

/**
 * The extras' ports: CDC_STACK_S3_PORT / CDC_STACK_MONGO_PORT, else those of the running stack's
 * extras, else free ones (several developers' suites share a machine; their env files name only
 * the core ports).
 */
async function extraPorts(dir: string): Promise<{ s3: string; mongo: string }> {
  const running = readState(stackLayout(dir));
  const [freeS3, freeMongo] = await freePorts(2);
  const pick = (service: ExtraService, free: number): string =>
    process.env[PORT_ENV[service]] || String(running?.with?.includes(service) ? running.ports[service] : free);
  return { s3: pick('s3', freeS3), mongo: pick('mongo', freeMongo) };
}

export default async function globalSetup(): Promise<void> {
  const dir = resolveStackSettings({}, process.env).dir;
  const settings = resolveStackSettings({ with: 's3,mongo', ...(await extraPorts(dir)) }, process.env);
  const layout = stackLayout(settings.dir);
  registerClient(layout);
  const log = (line: string): boolean => process.stderr.write(`[stack] ${line}\n`);
  let result;
  try {
    result = await stackUp(settings, {
      env: process.env,
      owner: 'tests',
      onProgress: (step, detail) => {
        if (step === 'jars' || step === 'starting') log(detail);
      },
    });
  } catch (err) {
    unregisterClient(layout);
    if (err instanceof StackStartError && err.logTail) log(`last lines of ${err.logFile}:\n${err.logTail}`);
    if (err instanceof CdcError && err.hint) log(`hint: ${err.hint}`);
    throw err;
  }
  log(
    result.reused
      ? `reusing the stack running in ${settings.dir} (ports ${JSON.stringify(result.state.ports)})${result.added.length ? `; started ${result.added.join(', ')}` : ''}`
      : `started in ${result.seconds.toFixed(1)} s${result.mavenRan ? ' including the jar download' : ''}; logs in ${result.state.logs}`,
  );
  for (const key of Object.keys(STACK_URL_ENV) as (keyof typeof STACK_URL_ENV)[]) process.env[STACK_URL_ENV[key]] = result.state.urls[key];
  // Ctrl-C skips jest's global teardown: stop a stack we own before leaving.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void stopTestStack().finally(() => process.exit(130));
    });
  }
}
