import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stackLayout } from '../../src/stack/layout';
import { parseProperties, pinnedVersions, renderConfigs, renderTemplate, TEMPLATES } from '../../src/stack/templates';

describe('stack config templates', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-stack-templates-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('renderTemplate fills {{names}} and refuses unknown ones', () => {
    expect(renderTemplate('a={{x}} b={{y}}', { x: 1, y: 'two' })).toBe('a=1 b=two');
    expect(() => renderTemplate('a={{nope}}', {})).toThrow('{{nope}}');
  });

  test('parseProperties reads key=value lines and skips comments', () => {
    expect(parseProperties('# c\n! c\n a = 1\nb=x=y\n\nc:3\n')).toEqual({ a: '1', b: 'x=y', c: '3' });
  });

  test('rendered configs carry the ports and folders, with nothing left to fill', () => {
    const layout = stackLayout(dir);
    renderConfigs(layout, { pg: 1111, kafka: 2222, controller: 3333, connect: 4444, s3: 5555, mongo: 6666 });
    for (const name of TEMPLATES) expect(fs.readFileSync(path.join(layout.conf, path.basename(name)), 'utf8')).not.toContain('{{');

    const s3 = parseProperties(fs.readFileSync(path.join(layout.conf, 's3proxy.properties'), 'utf8'));
    expect(s3['s3proxy.endpoint']).toBe('http://127.0.0.1:5555');
    expect(s3['jclouds.filesystem.basedir']).toBe(layout.s3Data);
    expect([s3['s3proxy.identity'], s3['s3proxy.credential']]).toEqual(['minioadmin', 'minioadmin']);

    const server = parseProperties(fs.readFileSync(path.join(layout.conf, 'server.properties'), 'utf8'));
    expect(server['process.roles']).toBe('broker,controller');
    expect(server.listeners).toBe('PLAINTEXT://127.0.0.1:2222,CONTROLLER://127.0.0.1:3333');
    expect(server['controller.quorum.bootstrap.servers']).toBe('127.0.0.1:3333');
    expect(server['log.dirs']).toBe(layout.kafkaData);
    expect(server['group.initial.rebalance.delay.ms']).toBe('0');
    for (const key of ['offsets.topic.replication.factor', 'transaction.state.log.replication.factor', 'share.coordinator.state.topic.replication.factor']) {
      expect(server[key]).toBe('1');
    }

    const connect = parseProperties(fs.readFileSync(path.join(layout.conf, 'connect-distributed.properties'), 'utf8'));
    expect(connect['bootstrap.servers']).toBe('127.0.0.1:2222');
    expect(connect.listeners).toBe('http://127.0.0.1:4444');
    expect(connect['rest.advertised.port']).toBe('4444');
    expect(connect['value.converter']).toBe('org.apache.kafka.connect.json.JsonConverter');
    expect(connect['value.converter.schemas.enable']).toBe('true');
    // A plugin.path at the flat jar folder makes every jar its own plugin (minutes to start): it
    // is the folder of plugin folders inside it (the JDBC sink's), never lib/ itself.
    expect(connect['plugin.path']).toBe(layout.plugins);
    expect(connect['plugin.path']).not.toBe(layout.lib);

    const pg = parseProperties(fs.readFileSync(path.join(layout.conf, 'postgresql.conf'), 'utf8'));
    expect(pg.wal_level).toBe('logical');
    expect(pg.listen_addresses).toBe("'127.0.0.1'");
  });

  test('pinnedVersions reads the pom: Kafka 4.1.1 with Debezium 3.4.3.Final', () => {
    expect(pinnedVersions()).toEqual({ kafka: '4.1.1', debezium: '3.4.3.Final' });
  });
});
