/**
 * Telling a restarted connector from the one before the restart. `restart?includeTasks=…` only
 * queues the restart (202) and the status keeps showing the old states until the worker gets to
 * it: a Debezium task stays RUNNING for the half second it takes to stop, and is RESTARTING for
 * a tenth of a second after that. `--wait` must not take that old RUNNING (or old FAILED) for
 * the outcome, so it tracks each instance the restart touches until it has been seen to change.
 *
 * The worker marks the connector RESTARTING, then its tasks, then starts the connector again
 * (DistributedHerder doRestartConnectorAndTasks). So a restarted connector seen running again
 * vouches for its tasks, and a task seen restarting vouches for the connector: a short state
 * that fell between two polls is not waited for forever. Each worker carries out its own part of
 * the restart, so this holds only between instances on the same worker.
 */
import type { ConnectorStatus } from './types';

export interface RestartPlan {
  /** The status just before the restart was requested. */
  before: ConnectorStatus;
  /** Whether the restart touches the connector instance. */
  connector: boolean;
  /** The ids of the tasks it touches. */
  tasks: number[];
}

const IN_RESTART = new Set(['RESTARTING', 'UNASSIGNED']);

/** What a restart request will touch: the 202 answer marks those instances RESTARTING. */
export function restartPlan(before: ConnectorStatus, accepted: ConnectorStatus | undefined): RestartPlan {
  if (accepted) {
    return {
      before,
      connector: accepted.connector.state === 'RESTARTING',
      tasks: (accepted.tasks ?? []).filter((t) => t.state === 'RESTARTING').map((t) => t.id),
    };
  }
  // A plain restart (204) has restarted the connector by the time it answers, so only an old
  // state that differs from RUNNING (a FAILED connector) can still be on show.
  return { before, connector: before.connector.state !== 'RUNNING', tasks: [] };
}

export class RestartTracker {
  private connectorPending: boolean;
  private connectorSeenRestarting = false;
  private readonly tasksPending: Set<number>;
  private readonly taskBefore = new Map<number, string>();
  /** Tasks on the connector's worker: each worker carries out its own part of a restart. */
  private readonly besideConnector = new Set<number>();

  constructor(private readonly plan: RestartPlan) {
    this.connectorPending = plan.connector;
    this.tasksPending = new Set(plan.tasks);
    for (const task of plan.before.tasks ?? []) {
      this.taskBefore.set(task.id, task.state);
      if (task.worker_id && task.worker_id === plan.before.connector.worker_id) this.besideConnector.add(task.id);
    }
  }

  /** Feeds one status poll. */
  observe(status: ConnectorStatus): void {
    const state = status.connector.state;
    // The worker marks the connector before its tasks: a task seen restarting means the
    // connector's RESTARTING has come and maybe gone already.
    if ((status.tasks ?? []).some((t) => this.besideConnector.has(t.id) && this.tasksPending.has(t.id) && IN_RESTART.has(t.state))) {
      this.connectorSeenRestarting = true;
    }
    if (this.plan.connector) {
      if (IN_RESTART.has(state)) this.connectorSeenRestarting = true;
      const restartedAndOn = !IN_RESTART.has(state) && (this.connectorSeenRestarting || state !== this.plan.before.connector.state);
      if (restartedAndOn) {
        this.connectorPending = false;
        for (const id of this.besideConnector) this.tasksPending.delete(id);
      }
    }
    for (const task of status.tasks ?? []) {
      if (!this.tasksPending.has(task.id)) continue;
      const before = this.taskBefore.get(task.id);
      if (IN_RESTART.has(task.state) || before === undefined || task.state !== before) this.tasksPending.delete(task.id);
    }
  }

  /** Instances whose state may still be the one from before the restart, e.g. ['connector', 'task 0']. */
  pending(): string[] {
    return [...(this.connectorPending ? ['connector'] : []), ...[...this.tasksPending].sort((a, b) => a - b).map((id) => `task ${id}`)];
  }

  /** Whether this instance's state may still be the old one. */
  isPending(instance: 'connector' | number): boolean {
    return instance === 'connector' ? this.connectorPending : this.tasksPending.has(instance);
  }
}
