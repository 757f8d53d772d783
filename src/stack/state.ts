/** state.json: what `cdc stack up` started, read by status/env/down and the test helpers. */
import * as fs from 'node:fs';
import type { ServiceName, StackLayout } from './layout';
import type { ExtraService, StackPorts, StackUrls } from './settings';

export interface StackState {
  startedAt: string;
  /** Who started it: `cli` stacks are never stopped by test runs. */
  owner: 'cli' | 'tests';
  dir: string;
  ports: StackPorts;
  /** The extra services started with it (`--with`); absent in states of older versions. */
  with: ExtraService[];
  urls: StackUrls;
  pids: Partial<Record<ServiceName, number>>;
  versions: { kafka: string; debezium: string; postgres: string };
  logs: string;
}

export function readState(layout: StackLayout): StackState | undefined {
  try {
    const state = JSON.parse(fs.readFileSync(layout.stateFile, 'utf8')) as StackState;
    return state && typeof state === 'object' && state.ports ? state : undefined;
  } catch {
    return undefined;
  }
}

export function writeState(layout: StackLayout, state: StackState): void {
  const partial = `${layout.stateFile}.partial`;
  fs.writeFileSync(partial, JSON.stringify(state, null, 2) + '\n');
  fs.renameSync(partial, layout.stateFile);
}

export function removeState(layout: StackLayout): void {
  fs.rmSync(layout.stateFile, { force: true });
}
