/**
 * The roll-up of a connector's status into one verdict and exit code. A connector can be RUNNING
 * while its tasks are FAILED, so the verdict looks at every task: FAILED anywhere wins; anything
 * short of "connector and every task RUNNING" is degraded.
 */
import { ExitCode, type ExitCodeValue } from '../errors';
import type { ConnectorStatus } from './types';

export type Health = 'RUNNING' | 'DEGRADED' | 'FAILED';

export interface TaskSummary {
  id: number;
  state: string;
  workerId?: string;
  /** The innermost "Caused by" of the Java trace: what to fix. */
  rootCause?: string;
}

export interface StatusSummary {
  name: string;
  type?: string;
  health: Health;
  connector: { state: string; workerId?: string; rootCause?: string };
  tasks: TaskSummary[];
  /** "1/1" — running tasks over all tasks. */
  taskCount: string;
}

/** `redact` scrubs the root causes: Java traces can quote connection settings. */
export function summarizeStatus(status: ConnectorStatus, redact: (text: string) => string = (t) => t): StatusSummary {
  const cause = (trace: string | undefined) => {
    const text = rootCause(trace);
    return text === undefined ? undefined : redact(text);
  };
  const tasks = [...(status.tasks ?? [])]
    .sort((a, b) => a.id - b.id)
    .map((t) => ({ id: t.id, state: t.state, workerId: t.worker_id, rootCause: cause(t.trace) }));
  const running = tasks.filter((t) => t.state === 'RUNNING').length;
  return {
    name: status.name,
    type: status.type,
    health: rollUp(status),
    connector: { state: status.connector.state, workerId: status.connector.worker_id, rootCause: cause(status.connector.trace) },
    tasks,
    taskCount: `${running}/${tasks.length}`,
  };
}

export function rollUp(status: ConnectorStatus): Health {
  const tasks = status.tasks ?? [];
  if (status.connector.state === 'FAILED' || tasks.some((t) => t.state === 'FAILED')) return 'FAILED';
  if (status.connector.state === 'RUNNING' && tasks.length > 0 && tasks.every((t) => t.state === 'RUNNING')) return 'RUNNING';
  return 'DEGRADED';
}

export function healthExitCode(health: Health): ExitCodeValue {
  return health === 'RUNNING' ? ExitCode.OK : health === 'FAILED' ? ExitCode.FAILED : ExitCode.DEGRADED;
}

/** The worst of several verdicts (for `status` over many connectors). */
export function worstHealth(healths: Health[]): Health {
  if (healths.includes('FAILED')) return 'FAILED';
  if (healths.includes('DEGRADED')) return 'DEGRADED';
  return 'RUNNING';
}

/**
 * The root cause of a Java stack trace: the message of the last `Caused by:` line, else the
 * first line. Connect puts the whole trace into the status; users need the one line that matters.
 */
export function rootCause(trace: string | undefined): string | undefined {
  if (!trace) return undefined;
  const lines = trace.split(/\r?\n/);
  const causes = lines.filter((line) => line.startsWith('Caused by: '));
  const line = (causes.length ? causes[causes.length - 1].slice('Caused by: '.length) : lines[0]).trim();
  // "org.postgresql.util.PSQLException: FATAL: database "x" does not exist" → keep the class's simple name.
  const match = /^([\w$.]+(?:Exception|Error|Throwable)):\s*([\s\S]*)$/.exec(line);
  if (!match) return line;
  const simple = match[1].split('.').pop();
  return match[2] ? `${simple}: ${match[2]}` : simple;
}
