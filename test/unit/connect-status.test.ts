import { diffConfigs } from '../../src/connect/diff';
import { parseSpecs } from '../../src/connect/spec';
import { healthExitCode, rootCause, rollUp, summarizeStatus, worstHealth } from '../../src/connect/status';
import type { ConnectorStatus } from '../../src/connect/types';
import { ExitCode } from '../../src/errors';
import { MASK } from '../../src/secrets';
import { recorded } from './connect-fake-server';

const status = (name: string) => JSON.parse(recorded(name)) as ConnectorStatus;

describe('status roll-up', () => {
  it('is RUNNING only when the connector and every task run', () => {
    expect(rollUp(status('status-running'))).toBe('RUNNING');
    expect(healthExitCode('RUNNING')).toBe(ExitCode.OK);
  });

  it('is FAILED when a task failed although the connector is RUNNING', () => {
    const failed = status('status-failed');
    expect(failed.connector.state).toBe('RUNNING');
    expect(rollUp(failed)).toBe('FAILED');
    expect(healthExitCode('FAILED')).toBe(ExitCode.FAILED);
  });

  it('is DEGRADED when paused, stopped, restarting or without tasks', () => {
    expect(rollUp(status('status-paused'))).toBe('DEGRADED');
    expect(rollUp(status('status-stopped'))).toBe('DEGRADED');
    expect(rollUp(status('restart-202'))).toBe('DEGRADED');
    expect(healthExitCode('DEGRADED')).toBe(ExitCode.DEGRADED);
    expect(worstHealth(['RUNNING', 'DEGRADED'])).toBe('DEGRADED');
    expect(worstHealth(['DEGRADED', 'FAILED', 'RUNNING'])).toBe('FAILED');
    expect(worstHealth([])).toBe('RUNNING');
  });

  it('summarises tasks with the root cause of their trace', () => {
    const summary = summarizeStatus(status('status-failed'));
    expect(summary.taskCount).toBe('0/1');
    expect(summary.tasks[0]).toMatchObject({
      id: 0,
      state: 'FAILED',
      rootCause: 'PSQLException: ERROR: library "decoderbufs" may not be used as an output plugin',
    });
    expect(summarizeStatus(status('status-task-failed-publication')).tasks[0].rootCause).toBe('PSQLException: ERROR: permission denied for database postgres');
  });

  it('uses the first line of a trace without Caused by', () => {
    expect(rootCause('org.apache.kafka.connect.errors.ConnectException: boom\n\tat x.y(Z.java:1)')).toBe('ConnectException: boom');
    expect(rootCause('something odd')).toBe('something odd');
    expect(rootCause(undefined)).toBeUndefined();
  });
});

describe('diffConfigs', () => {
  it('reports added, removed and changed keys, secrets masked on both sides', () => {
    const live = { name: 'x', a: '1', gone: 'y', 'database.password': 'old-secret', 'ssl.key': 'k1' };
    const desired = { a: '2', added: 'z', 'database.password': 'new-secret', 'ssl.key': 'k2' };
    expect(diffConfigs(live, desired, new Set(['ssl.key']))).toEqual([
      { key: 'a', kind: 'changed', before: '1', after: '2' },
      { key: 'added', kind: 'added', after: 'z' },
      { key: 'database.password', kind: 'changed', before: MASK, after: MASK },
      { key: 'gone', kind: 'removed', before: 'y' },
      { key: 'ssl.key', kind: 'changed', before: MASK, after: MASK },
    ]);
  });

  it('shows placeholders, which reveal nothing', () => {
    expect(diffConfigs(undefined, { 'database.password': '${env:PGPASSWORD}' })).toEqual([
      { key: 'database.password', kind: 'added', after: '${env:PGPASSWORD}' },
    ]);
  });
});

describe('parseSpecs', () => {
  it('accepts the POST shape, the PUT shape (name from the file) and arrays', () => {
    expect(parseSpecs('{"name":"a","config":{"tasks.max":1,"x":true}}', 'a.json')).toEqual([
      { name: 'a', config: { 'tasks.max': '1', x: 'true' }, source: 'a.json' },
    ]);
    expect(parseSpecs('{"connector.class":"C"}', 'dir/holding.json')).toEqual([
      { name: 'holding', config: { 'connector.class': 'C' }, source: 'dir/holding.json' },
    ]);
    expect(parseSpecs('[{"name":"a","config":{}},{"name":"b","connector.class":"C"}]', 'many.json').map((s) => s.name)).toEqual(['a', 'b']);
  });

  it('rejects what Connect would reject, saying where', () => {
    expect(() => parseSpecs('{', 'x.json')).toThrow(/x\.json: not valid JSON/);
    expect(() => parseSpecs(' \n', 'stdin')).toThrow('stdin is empty: no connector to read');
    expect(() => parseSpecs('{"name":"a","config":{"k":{"nested":1}}}', 'x.json')).toThrow(/"k" must be a string/);
    expect(() => parseSpecs('{"name":"a","config":{"name":"b"}}', 'x.json')).toThrow(/config.name is 'b'/);
    expect(() => parseSpecs('{"connector.class":"C"}', 'stdin')).toThrow(/no "name"/);
  });
});
