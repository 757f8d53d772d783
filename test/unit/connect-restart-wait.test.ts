/**
 * `restart --wait` against the status sequences a real worker shows after
 * `POST /restart?includeTasks=true` (polled every 10 ms on the project's stack): the old RUNNING
 * first, then the connector RESTARTING while the task stops, then the task RESTARTING for ~100 ms.
 * The wait must not end on the old states, and must still end when a short state was missed.
 */
import type { ConnectClient } from '../../src/connect/client';
import { Redactor } from '../../src/connect/redactor';
import { restartPlan } from '../../src/connect/restart-watch';
import type { ConnectorStatus } from '../../src/connect/types';
import { waitUntilRunning, type WaitOptions } from '../../src/connect/wait';
import { ExitCode } from '../../src/errors';

function status(connector: string, ...tasks: string[]): ConnectorStatus {
  return {
    name: 'x',
    connector: { state: connector, worker_id: 'w' },
    tasks: tasks.map((state, id) => ({ id, state, worker_id: 'w', ...(state === 'FAILED' ? { trace: 'org.postgresql.util.PSQLException: boom' } : {}) })),
  };
}

/** A client whose status answers follow `sequence` (the last one repeats); a fake clock. */
function scripted(sequence: ConnectorStatus[]) {
  let clock = 0;
  let polls = 0;
  const client = {
    redactor: new Redactor(),
    status: async () => sequence[Math.min(polls++, sequence.length - 1)],
    within() {
      return this;
    },
  } as unknown as ConnectClient;
  const options: Pick<WaitOptions, 'sleep' | 'now'> = {
    sleep: async (ms) => {
      clock += ms;
    },
    now: () => clock,
  };
  return { client, options, polls: () => polls };
}

const accepted = status('RESTARTING', 'RESTARTING');

describe('restart --wait', () => {
  it('does not end on the RUNNING state from before the restart', async () => {
    const { client, options, polls } = scripted([
      status('RUNNING', 'RUNNING'), // the worker has not got to the restart yet
      status('RESTARTING', 'RUNNING'), // connector marked, the task is still stopping
      status('RUNNING', 'RESTARTING'),
      status('RUNNING', 'RUNNING'),
    ]);
    const summary = await waitUntilRunning(client, 'x', { ...options, timeoutMs: 10_000, restart: restartPlan(status('RUNNING', 'RUNNING'), accepted) });
    expect(summary.health).toBe('RUNNING');
    expect(polls()).toBe(4);
  });

  it('ends when the task RESTARTING fell between two polls: the connector running again vouches for it', async () => {
    const { client, options, polls } = scripted([status('RUNNING', 'RUNNING'), status('RESTARTING', 'RUNNING'), status('RUNNING', 'RUNNING')]);
    await waitUntilRunning(client, 'x', { ...options, timeoutMs: 10_000, restart: restartPlan(status('RUNNING', 'RUNNING'), accepted) });
    expect(polls()).toBe(3);
  });

  it('ends when the connector RESTARTING was missed: its task seen restarting vouches for it', async () => {
    const { client, options, polls } = scripted([status('RUNNING', 'RUNNING'), status('RUNNING', 'RESTARTING'), status('RUNNING', 'RUNNING')]);
    await waitUntilRunning(client, 'x', { ...options, timeoutMs: 10_000, restart: restartPlan(status('RUNNING', 'RUNNING'), accepted) });
    expect(polls()).toBe(3);
  });

  it('instances on different workers do not vouch for each other', async () => {
    const before = status('RUNNING', 'RUNNING');
    before.tasks[0].worker_id = 'other';
    const { client, options } = scripted(
      [status('RESTARTING', 'RUNNING'), status('RUNNING', 'RUNNING')].map((s) => ({ ...s, tasks: [{ ...s.tasks[0], worker_id: 'other' }] })),
    );
    const error = await waitUntilRunning(client, 'x', { ...options, timeoutMs: 2_000, restart: restartPlan(before, accepted) }).catch((e: Error) => e);
    expect((error as Error).message).toContain('the restart of task 0 was not seen');
  });

  it('times out (exit 5) naming what it never saw restart, rather than trust the old state', async () => {
    const { client, options } = scripted([status('RUNNING', 'RUNNING')]);
    const error = await waitUntilRunning(client, 'x', { ...options, timeoutMs: 2_000, restart: restartPlan(status('RUNNING', 'RUNNING'), accepted) }).catch(
      (e: Error & { exitCode: number }) => e,
    );
    expect(error).toMatchObject({ exitCode: ExitCode.DEGRADED });
    expect((error as Error).message).toContain('the restart of connector, task 0 was not seen');
  });

  it('--failed-only: the old FAILED is not the outcome; RUNNING after it is', async () => {
    const before = status('RUNNING', 'FAILED');
    const { client, options } = scripted([before, before, status('RUNNING', 'RESTARTING'), status('RUNNING', 'RUNNING')]);
    const plan = restartPlan(before, status('RUNNING', 'RESTARTING'));
    expect(plan).toMatchObject({ connector: false, tasks: [0] });
    expect((await waitUntilRunning(client, 'x', { ...options, timeoutMs: 10_000, restart: plan })).health).toBe('RUNNING');
  });

  it('reports FAILED (exit 6) when the task fails again, or stays FAILED past the grace period', async () => {
    const before = status('RUNNING', 'FAILED');
    const again = scripted([before, status('RUNNING', 'RESTARTING'), status('RUNNING', 'FAILED')]);
    await expect(
      waitUntilRunning(again.client, 'x', { ...again.options, timeoutMs: 60_000, restart: restartPlan(before, status('RUNNING', 'RESTARTING')) }),
    ).rejects.toMatchObject({ exitCode: ExitCode.FAILED, message: "connector 'x' FAILED (task 0): PSQLException: boom" });
    const stuck = scripted([before]);
    await expect(
      waitUntilRunning(stuck.client, 'x', {
        ...stuck.options,
        timeoutMs: 60_000,
        restartGraceMs: 5_000,
        restart: restartPlan(before, status('RUNNING', 'RESTARTING')),
      }),
    ).rejects.toMatchObject({ exitCode: ExitCode.FAILED });
    expect(stuck.polls()).toBeGreaterThan(5_000 / 500);
  });

  it('a plain restart (204) answers after the connector restarted: nothing to wait for unless it was not RUNNING', async () => {
    expect(restartPlan(status('RUNNING', 'RUNNING'), undefined)).toMatchObject({ connector: false, tasks: [] });
    expect(restartPlan(status('FAILED', 'RUNNING'), undefined)).toMatchObject({ connector: true, tasks: [] });
    const { client, options, polls } = scripted([status('RUNNING', 'RUNNING')]);
    await waitUntilRunning(client, 'x', { ...options, timeoutMs: 10_000, restart: restartPlan(status('RUNNING', 'RUNNING'), undefined) });
    expect(polls()).toBe(1);
  });
});
