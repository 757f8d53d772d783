import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CdcError } from '../../src/errors';
import { checkControllerPort, keptServices } from '../../src/stack/kept';
import { keptClusterId } from '../../src/stack/kafka';
import { stackLayout } from '../../src/stack/layout';
import { DEFAULT_PORTS, type StackSettings } from '../../src/stack/settings';

describe('data kept across stack down/up', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-stack-kept-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const settings = (overrides: Partial<StackSettings> = {}): StackSettings => ({ dir, ports: DEFAULT_PORTS, with: [], ...overrides });

  test('a service counts as kept when its data folder holds data; extras only when asked for', () => {
    const layout = stackLayout(dir);
    expect(keptServices(layout, settings())).toEqual([]);
    fs.mkdirSync(layout.pgData, { recursive: true });
    fs.writeFileSync(path.join(layout.pgData, 'PG_VERSION'), '15\n');
    fs.mkdirSync(layout.kafkaData, { recursive: true });
    fs.writeFileSync(path.join(layout.kafkaData, 'meta.properties'), 'cluster.id=AbCdEfGhIjKlMnOpQrStUv\nnode.id=1\n');
    fs.mkdirSync(path.join(layout.s3Data, 'cdc'), { recursive: true });
    fs.mkdirSync(path.dirname(layout.mongoFile), { recursive: true });
    fs.writeFileSync(layout.mongoFile, '');
    expect(keptServices(layout, settings())).toEqual(['postgres', 'kafka']);
    expect(keptServices(layout, settings({ with: ['s3', 'mongo'] }))).toEqual(['postgres', 'kafka', 's3', 'mongo']);
    // Formatting kept Kafka data again must use its cluster id (a new one is refused by Kafka).
    expect(keptClusterId(layout)).toBe('AbCdEfGhIjKlMnOpQrStUv');
  });

  test('kept Kafka data of another controller port is refused with the way out; the port is recorded', () => {
    const layout = stackLayout(dir);
    checkControllerPort(layout, settings(), false);
    const moved = settings({ ports: { ...DEFAULT_PORTS, controller: 29093 } });
    expect(() => checkControllerPort(layout, moved, true)).toThrow(CdcError);
    expect(() => checkControllerPort(layout, moved, true)).toThrow(`not 29093`);
    try {
      checkControllerPort(layout, moved, true);
    } catch (err) {
      expect((err as CdcError).hint).toBe(`start with --controller-port ${DEFAULT_PORTS.controller}, or wipe the kept data first: cdc stack down --purge`);
    }
    // Without kept Kafka data (purged), any port is fine and becomes the recorded one.
    checkControllerPort(layout, moved, false);
    expect(() => checkControllerPort(layout, moved, true)).not.toThrow();
  });
});
