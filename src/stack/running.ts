/**
 * The local stack as the settings resolver sees it (`ctx.settings`' "running stack" layer): the
 * URLs of the stack running from the default folder (`$CDC_STACK_DIR`, else the default), or
 * undefined. The one place commands read the stack's state for their defaults, so where that state
 * lives and which services it lists can change here alone. Cheap and synchronous: state.json and a
 * liveness check of its PostgreSQL, no connection.
 */
import { stackLayout } from './layout';
import { postmasterPid } from './postgres';
import { isOurProcess } from './processes';
import { defaultStackDir, S3_ACCESS_KEY, S3_REGION, S3_SECRET_KEY, stackUrls } from './settings';
import { readState } from './state';

export interface RunningStack {
  /** The stack's folder (where `cdc stack status` looks). */
  dir: string;
  pgUrl: string;
  brokers: string;
  connectUrl: string;
  /** The sinks' target database `analytics`. */
  targetUrl: string;
  /** Only while the stack runs mongo (`--with mongo`). */
  mongoUrl?: string;
  /** Only while the stack runs s3 (`--with s3`); S3Proxy wants checksums only where required. */
  s3?: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
}

export function runningStack(env: NodeJS.ProcessEnv): RunningStack | undefined {
  const dir = defaultStackDir(env);
  const layout = stackLayout(dir);
  const state = readState(layout);
  if (!state) return undefined;
  // A state file left by a crash or a reboot names a stack that no longer runs; a pid reused by
  // another program does not count either.
  const pid = postmasterPid(layout);
  if (pid === undefined || !isOurProcess(pid, layout.pgData)) return undefined;
  const urls = stackUrls(state.ports, state.with ?? []);
  return {
    dir,
    pgUrl: urls.pgUrl,
    brokers: urls.brokers,
    connectUrl: urls.connectUrl,
    targetUrl: urls.targetUrl,
    ...(urls.mongoUrl ? { mongoUrl: urls.mongoUrl } : {}),
    ...(urls.s3Url ? { s3: { endpoint: urls.s3Url, region: S3_REGION, accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY } } : {}),
  };
}
