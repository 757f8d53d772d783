/**
 * The local stack as the settings resolver sees it: the URLs of a stack recorded as running in
 * the default stack folder, or undefined. The one place commands read the stack's state for
 * their defaults, so where that state lives (and what services it lists) can change here alone.
 */
import { stackLayout } from './layout';
import { isAlive } from './processes';
import { defaultStackDir } from './settings';
import { readState, type StackState } from './state';

export interface RunningStack {
  dir: string;
  pgUrl: string;
  brokers: string;
  connectUrl: string;
  targetUrl?: string;
  mongoUrl?: string;
  s3?: { endpoint?: string; region?: string; accessKeyId?: string; secretAccessKey?: string };
}

export function runningStack(env: NodeJS.ProcessEnv): RunningStack | undefined {
  const dir = defaultStackDir(env);
  const state = readState(stackLayout(dir)) as (StackState & { urls: Partial<RunningStack> }) | undefined;
  if (!state?.urls?.pgUrl || !state.urls.brokers || !state.urls.connectUrl) return undefined;
  // A state file left by a stack that died (a reboot) is not a running stack.
  const pids = Object.values(state.pids ?? {}).filter((pid): pid is number => typeof pid === 'number');
  if (!pids.some(isAlive)) return undefined;
  const { pgUrl, brokers, connectUrl, targetUrl, mongoUrl, s3 } = state.urls;
  return { dir, pgUrl, brokers, connectUrl, targetUrl, mongoUrl, s3 };
}
