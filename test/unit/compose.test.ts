/**
 * docker-compose.yml cannot run here (no Docker engine), so this checks what can be checked: it is
 * valid for docker-compose, and its ports, credentials and Connect settings agree with cdc's
 * defaults (src/settings) and with the non-Docker stack (stack/*).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { DEFAULTS } from '../../src/settings';
import {
  PG_PASSWORD,
  PG_USER,
  S3_ACCESS_KEY,
  S3_BUCKET,
  S3_REGION,
  S3_SECRET_KEY,
  TARGET_DATABASE,
  TARGET_PASSWORD,
  TARGET_USER,
} from '../../src/stack/settings';
import { parseProperties, pinnedVersions } from '../../src/stack/templates';

const root = path.resolve(__dirname, '../..');
const composeFile = path.join(root, 'docker-compose.yml');

interface Service {
  image: string;
  command?: string[];
  environment: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
}

const compose = parse(fs.readFileSync(composeFile, 'utf8')) as { services: Record<string, Service> };
const { postgres, kafka, connect, target } = compose.services;
const stackConnect = parseProperties(fs.readFileSync(path.join(root, 'stack', 'connect-distributed.properties'), 'utf8'));
const stackPostgres = parseProperties(fs.readFileSync(path.join(root, 'stack', 'postgresql.conf'), 'utf8'));

/** The worker properties Debezium's connect image derives from its environment (docker-entrypoint.sh). */
function connectProperties(env: Record<string, string>): Record<string, string> {
  const named: Record<string, string> = {
    BOOTSTRAP_SERVERS: 'bootstrap.servers',
    GROUP_ID: 'group.id',
    CONFIG_STORAGE_TOPIC: 'config.storage.topic',
    OFFSET_STORAGE_TOPIC: 'offset.storage.topic',
    STATUS_STORAGE_TOPIC: 'status.storage.topic',
    KEY_CONVERTER: 'key.converter',
    VALUE_CONVERTER: 'value.converter',
    OFFSET_FLUSH_INTERVAL_MS: 'offset.flush.interval.ms',
  };
  const props: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (named[name]) props[named[name]] = String(value);
    else if (name.startsWith('CONNECT_')) props[name.slice('CONNECT_'.length).toLowerCase().replace(/_/g, '.')] = String(value);
  }
  return props;
}

function hostPort(service: Service, containerPort: number): number | undefined {
  const mapping = (service.ports ?? []).map(String).find((p) => p.endsWith(`:${containerPort}`));
  return mapping ? Number(mapping.split(':').at(-2)) : undefined;
}

describe('docker-compose.yml', () => {
  test('is valid for docker-compose (config -q, with and without the ui, s3 and mongo profiles)', () => {
    const which = spawnSync('sh', ['-c', 'command -v docker-compose']);
    if (which.status !== 0) {
      throw new Error('docker-compose is not installed (Debian package docker-compose; scripts/ensure-tools.sh installs it when run as root)');
    }
    for (const args of [
      ['config', '-q'],
      ['--profile', 'ui', 'config', '-q'],
      ['--profile', 's3', '--profile', 'mongo', 'config', '-q'],
    ]) {
      const result = spawnSync('docker-compose', ['-f', composeFile, ...args], { encoding: 'utf8', cwd: root });
      expect({ args, status: result.status, stderr: result.stderr }).toEqual({ args, status: 0, stderr: '' });
    }
  });

  test("publishes cdc's default ports", () => {
    expect(hostPort(postgres, 5432)).toBe(Number(new URL(DEFAULTS.pgUrl).port));
    expect(hostPort(kafka, 9092)).toBe(Number(DEFAULTS.brokers.split(':')[1]));
    expect(hostPort(connect, 8083)).toBe(Number(new URL(DEFAULTS.connectUrl).port));
    // Kafka advertises the published listener under the host name cdc uses by default.
    expect(kafka.environment.KAFKA_ADVERTISED_LISTENERS.split(',')).toContain(`EXTERNAL://${DEFAULTS.brokers}`);
  });

  test("uses cdc's default credentials, the same as the non-Docker stack", () => {
    const url = new URL(DEFAULTS.pgUrl);
    expect(postgres.environment.POSTGRES_USER).toBe(decodeURIComponent(url.username));
    expect(postgres.environment.POSTGRES_PASSWORD).toBe(decodeURIComponent(url.password));
    expect(postgres.environment.POSTGRES_DB).toBe(url.pathname.slice(1));
    expect([PG_USER, PG_PASSWORD]).toEqual([postgres.environment.POSTGRES_USER, postgres.environment.POSTGRES_PASSWORD]);
  });

  test("the target PostgreSQL is on host port 5433 with the stack's target database, user and password", () => {
    expect(target.image).toBe(postgres.image);
    expect(hostPort(target, 5432)).toBe(5433);
    expect([target.environment.POSTGRES_USER, target.environment.POSTGRES_PASSWORD, target.environment.POSTGRES_DB]).toEqual([
      TARGET_USER,
      TARGET_PASSWORD,
      TARGET_DATABASE,
    ]);
    expect(target.healthcheck?.test.join(' ')).toContain(`pg_isready -U ${TARGET_USER} -d ${TARGET_DATABASE}`);
    // cdc's default target (the last layer of --target-url) is this service.
    const url = new URL(DEFAULTS.targetUrl);
    expect([Number(url.port), url.username, url.password, url.pathname.slice(1)]).toEqual([5433, TARGET_USER, TARGET_PASSWORD, TARGET_DATABASE]);
  });

  test('PostgreSQL runs with wal_level=logical, as the non-Docker stack', () => {
    expect(postgres.command).toEqual(expect.arrayContaining(['-c', 'wal_level=logical']));
    expect(stackPostgres.wal_level).toBe('logical');
  });

  test('Kafka runs in KRaft mode without ZooKeeper', () => {
    expect(kafka.environment.KAFKA_PROCESS_ROLES.split(',').sort()).toEqual(['broker', 'controller']);
    expect(Object.keys(kafka.environment).filter((k) => /ZOOKEEPER/i.test(k))).toEqual([]);
    expect(Object.keys(compose.services).filter((s) => /zookeeper/i.test(s))).toEqual([]);
    expect(kafka.environment.CLUSTER_ID).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(kafka.environment.KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS).toBe('0');
  });

  test('Connect uses the JSON converter with schemas enabled and the settings of the non-Docker stack', () => {
    const props = connectProperties(connect.environment);
    expect(props['key.converter']).toBe('org.apache.kafka.connect.json.JsonConverter');
    expect(props['value.converter']).toBe('org.apache.kafka.connect.json.JsonConverter');
    expect(props['key.converter.schemas.enable']).toBe('true');
    expect(props['value.converter.schemas.enable']).toBe('true');
    const shared = [
      'group.id',
      'config.storage.topic',
      'offset.storage.topic',
      'status.storage.topic',
      'config.storage.replication.factor',
      'offset.storage.replication.factor',
      'status.storage.replication.factor',
      'offset.storage.partitions',
      'status.storage.partitions',
      'offset.flush.interval.ms',
      'key.converter',
      'value.converter',
      'key.converter.schemas.enable',
      'value.converter.schemas.enable',
      'scheduled.rebalance.max.delay.ms',
      'config.providers',
      'config.providers.env.class',
      'config.providers.file.class',
    ];
    const pick = (source: Record<string, string>) => Object.fromEntries(shared.map((k) => [k, source[k]]));
    expect(pick(props)).toEqual(pick(stackConnect));
    // `${env:PGPASSWORD}` placeholders resolve to the compose Postgres password.
    expect(connect.environment.PGPASSWORD).toBe(postgres.environment.POSTGRES_PASSWORD);
    // Connect reaches Kafka on the internal listener.
    expect(kafka.environment.KAFKA_ADVERTISED_LISTENERS.split(',')).toContain(`INTERNAL://${props['bootstrap.servers']}`);
  });

  test('pins the Kafka and Debezium versions of stack/pom.xml', () => {
    const versions = pinnedVersions();
    expect(kafka.image).toBe(`apache/kafka:${versions.kafka}`);
    expect(connect.image).toBe(`quay.io/debezium/connect:${versions.debezium}`);
  });

  test('every service has a healthcheck and Connect waits for healthy Kafka and PostgreSQL', () => {
    for (const service of [postgres, target, kafka, connect]) expect(service.healthcheck?.test.length).toBeGreaterThan(0);
    expect(connect.healthcheck!.test.join(' ')).toContain('io.debezium.connector.postgresql.PostgresConnector');
    expect(connect.depends_on).toEqual({ kafka: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' } });
  });

  test('the topic browser UI, MinIO and MongoDB are optional, behind the ui, s3 and mongo profiles', () => {
    const optional = Object.entries(compose.services).filter(([, s]) => s.profiles !== undefined);
    expect(optional.map(([name, s]) => [name, s.profiles])).toEqual([
      ['kafka-ui', ['ui']],
      ['minio', ['s3']],
      ['minio-init', ['s3']],
      ['mongo', ['mongo']],
    ]);
    expect(compose.services['kafka-ui'].environment.KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS).toBe(connectProperties(connect.environment)['bootstrap.servers']);
  });

  test("MinIO has the non-Docker stack's S3 credentials, region and bucket, created by an init container", () => {
    const { minio, mongo } = compose.services;
    const init = compose.services['minio-init'];
    expect([minio.environment.MINIO_ROOT_USER, minio.environment.MINIO_ROOT_PASSWORD, minio.environment.MINIO_REGION]).toEqual([
      S3_ACCESS_KEY,
      S3_SECRET_KEY,
      S3_REGION,
    ]);
    expect(hostPort(minio, 9000)).toBe(9000);
    expect(init.depends_on).toEqual({ minio: { condition: 'service_healthy' } });
    const script = (init as Service & { entrypoint: string[] }).entrypoint.join(' ');
    expect(script).toContain(`mc alias set local http://minio:9000 ${S3_ACCESS_KEY} ${S3_SECRET_KEY}`);
    expect(script).toContain(`mc mb --ignore-existing local/${S3_BUCKET}`);
    // cdc's defaults (the last layer of the S3 and MongoDB settings) are these services.
    expect(minio.environment.MINIO_REGION).toBe(DEFAULTS.s3Region);
    expect(hostPort(mongo, 27017)).toBe(Number(new URL(DEFAULTS.mongoUrl).port));
    for (const service of [minio, mongo]) expect(service.healthcheck?.test.length).toBeGreaterThan(0);
  });
});
