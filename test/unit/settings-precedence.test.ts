/**
 * The precedence table (issue 13 item 11): for every connection setting and every layer it has,
 * a value at that layer wins over values at every layer below it, and reports its layer. Layers,
 * highest first: flag > environment > config context > running local stack > default.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ContextSettings } from '../../src/config/config-file';
import { createSettings, type Layer, type Settings, type SettingsFlags, type StackLayer } from '../../src/settings';

interface At {
  flags?: SettingsFlags;
  env?: NodeJS.ProcessEnv;
  context?: ContextSettings;
  stack?: Partial<StackLayer>;
  /** The value the setting must have when this layer is the highest one given. */
  expect: unknown;
}

interface Row {
  setting: string;
  read(s: Settings): { value: unknown; layer?: Layer } | undefined;
  at: Partial<Record<Layer, At>>;
}

const ORDER: Layer[] = ['flag', 'env', 'context', 'stack', 'default'];
const v = <T>(x: { value: T; layer: Layer } | undefined) => x;
const plain = (value: unknown) => (value === undefined ? undefined : { value });

const ROWS: Row[] = [
  {
    setting: 'connect.url',
    read: (s) => v(s.connect.url),
    at: {
      flag: { flags: { connect: { url: 'http://flag:1' } }, expect: 'http://flag:1' },
      env: { env: { CDC_CONNECT_URL: 'http://env:2' }, expect: 'http://env:2' },
      context: { context: { connectUrl: 'http://ctx:3' }, expect: 'http://ctx:3' },
      stack: { stack: { connectUrl: 'http://127.0.0.1:18083' }, expect: 'http://127.0.0.1:18083' },
      default: { expect: 'http://localhost:8083' },
    },
  },
  {
    setting: 'connect.username',
    read: (s) => v(s.connect.username),
    at: {
      flag: { flags: { connect: { user: 'flag-user' } }, expect: 'flag-user' },
      env: { env: { CDC_CONNECT_USER: 'env-user' }, expect: 'env-user' },
      context: { context: { connectUsername: 'ctx-user' }, expect: 'ctx-user' },
    },
  },
  {
    setting: 'connect.password (never a flag)',
    read: (s) => v(s.connect.password),
    at: {
      env: { env: { CDC_CONNECT_USER: 'u', CDC_CONNECT_PASSWORD: 'env-pw' }, expect: 'env-pw' },
      context: { env: { CTX_PW: 'ctx-pw' }, context: { connectUsername: 'u', connectPasswordEnv: 'CTX_PW' }, expect: 'ctx-pw' },
    },
  },
  ...(['caFile', 'certFile', 'keyFile'] as const).map((key): Row => {
    const envName = { caFile: 'CDC_CONNECT_CA_FILE', certFile: 'CDC_CONNECT_CERT_FILE', keyFile: 'CDC_CONNECT_KEY_FILE' }[key];
    const contextKey = { caFile: 'connectCaFile', certFile: 'connectCertFile', keyFile: 'connectKeyFile' }[key];
    return {
      setting: `connect.${key}`,
      read: (s) => v(s.connect[key]),
      at: {
        flag: { flags: { connect: { [key]: '/flag.pem' } }, expect: '/flag.pem' },
        env: { env: { [envName]: '/env.pem' }, expect: '/env.pem' },
        context: { context: { [contextKey]: '/ctx.pem' }, expect: '/ctx.pem' },
      },
    };
  }),
  {
    setting: 'kafka.brokers',
    read: (s) => v(s.kafka.brokers),
    at: {
      flag: { flags: { kafka: { brokers: 'flag:1,flag:2' } }, expect: ['flag:1', 'flag:2'] },
      env: { env: { CDC_BROKERS: 'env:2' }, expect: ['env:2'] },
      context: { context: { brokers: 'ctx:3' }, expect: ['ctx:3'] },
      stack: { stack: { brokers: '127.0.0.1:19092' }, expect: ['127.0.0.1:19092'] },
      default: { expect: ['localhost:9092'] },
    },
  },
  ...(['caFile', 'certFile', 'keyFile'] as const).map((key): Row => {
    const envName = { caFile: 'CDC_KAFKA_CA_FILE', certFile: 'CDC_KAFKA_CERT_FILE', keyFile: 'CDC_KAFKA_KEY_FILE' }[key];
    const contextKey = { caFile: 'kafkaCaFile', certFile: 'kafkaCertFile', keyFile: 'kafkaKeyFile' }[key];
    // A client certificate needs its key: the other half is given at the lowest layer.
    const other = key === 'certFile' ? { kafkaKeyFile: '/k.pem' } : key === 'keyFile' ? { kafkaCertFile: '/c.pem' } : {};
    return {
      setting: `kafka.ssl.${key} (implies TLS)`,
      read: (s) => plain(s.kafka.ssl?.[key]),
      at: {
        flag: { flags: { kafka: { [key]: '/flag.pem' } }, context: other, expect: '/flag.pem' },
        env: { env: { [envName]: '/env.pem' }, context: other, expect: '/env.pem' },
        context: { context: { [contextKey]: '/ctx.pem', ...other }, expect: '/ctx.pem' },
      },
    };
  }),
  {
    setting: 'kafka.ssl (on)',
    read: (s) => plain(s.kafka.ssl !== undefined),
    at: {
      flag: { flags: { kafka: { ssl: true } }, expect: true },
      env: { env: { CDC_KAFKA_SSL: '1' }, expect: true },
      context: { context: { kafkaSsl: 'true' }, expect: true },
      default: { expect: false },
    },
  },
  {
    setting: 'kafka.ssl.insecure',
    read: (s) => plain(s.kafka.ssl?.insecure ?? false),
    at: {
      flag: { flags: { kafka: { insecure: true } }, expect: true },
      env: { env: { CDC_KAFKA_INSECURE: 'yes' }, expect: true },
      context: { context: { kafkaInsecure: 'true' }, expect: true },
      default: { expect: false },
    },
  },
  {
    setting: 'kafka.sasl.mechanism',
    read: (s) => plain(s.kafka.sasl?.mechanism),
    at: {
      flag: { flags: { kafka: { saslMechanism: 'PLAIN' } }, env: { CDC_KAFKA_SASL_USERNAME: 'u', CDC_KAFKA_PASSWORD: 'p' }, expect: 'plain' },
      env: { env: { CDC_KAFKA_SASL_MECHANISM: 'scram-sha-256', CDC_KAFKA_SASL_USERNAME: 'u', CDC_KAFKA_PASSWORD: 'p' }, expect: 'scram-sha-256' },
      context: { context: { kafkaSaslMechanism: 'scram-sha-512', kafkaSaslUsername: 'u' }, env: { CDC_KAFKA_PASSWORD: 'p' }, expect: 'scram-sha-512' },
    },
  },
  {
    setting: 'kafka.sasl.username',
    read: (s) => plain(s.kafka.sasl?.username),
    at: {
      flag: { flags: { kafka: { saslUsername: 'flag-u' } }, context: { kafkaSaslMechanism: 'plain' }, env: { CDC_KAFKA_PASSWORD: 'p' }, expect: 'flag-u' },
      env: { env: { CDC_KAFKA_SASL_USERNAME: 'env-u', CDC_KAFKA_PASSWORD: 'p' }, context: { kafkaSaslMechanism: 'plain' }, expect: 'env-u' },
      context: { context: { kafkaSaslMechanism: 'plain', kafkaSaslUsername: 'ctx-u' }, env: { CDC_KAFKA_PASSWORD: 'p' }, expect: 'ctx-u' },
    },
  },
  {
    setting: 'kafka.sasl.password (never a flag)',
    read: (s) => plain(s.kafka.sasl?.password),
    at: {
      env: { env: { CDC_KAFKA_PASSWORD: 'env-pw' }, expect: 'env-pw' },
      context: {
        context: { kafkaSaslMechanism: 'plain', kafkaSaslUsername: 'u', kafkaSaslPasswordEnv: 'CTX_KAFKA_PW' },
        env: { CTX_KAFKA_PW: 'ctx-pw' },
        expect: 'ctx-pw',
      },
    },
  },
  {
    setting: 'pg (source database)',
    read: (s) => ({ value: s.pg.display, layer: s.pg.layer }),
    at: {
      flag: { flags: { pg: { url: 'postgres://f@flag:1/fdb' } }, expect: 'postgres://f@flag:1/fdb' },
      env: { env: { DATABASE_URL: 'postgres://e@env:2/edb' }, expect: 'postgres://e@env:2/edb' },
      context: { context: { pgUrl: 'postgres://c@ctx:3/cdb' }, expect: 'postgres://c@ctx:3/cdb' },
      stack: { stack: { pgUrl: 'postgres://postgres:postgres@127.0.0.1:15432/postgres' }, expect: 'postgres://postgres@127.0.0.1:15432/postgres' },
      default: { expect: 'postgres://postgres@localhost:5432/postgres' },
    },
  },
  {
    setting: 'pg via PGHOST/PGPORT (environment)',
    read: (s) => ({ value: s.pg.display, layer: s.pg.layer }),
    at: {
      flag: { flags: { pg: { url: 'postgres://f@flag:1/fdb' } }, expect: 'postgres://f@flag:1/fdb' },
      env: { env: { PGHOST: 'pghost', PGPORT: '6000', PGUSER: 'pgu', PGDATABASE: 'pgdb' }, expect: 'postgres://pgu@pghost:6000/pgdb' },
      stack: { stack: { pgUrl: 'postgres://postgres:postgres@127.0.0.1:15432/postgres' }, expect: 'postgres://postgres@127.0.0.1:15432/postgres' },
    },
  },
  {
    setting: 'pg --database',
    read: (s) => ({ value: s.pg.database }),
    at: {
      flag: { flags: { pg: { database: 'flagdb' } }, env: { DATABASE_URL: 'postgres://e@env:2/edb' }, expect: 'flagdb' },
      env: { env: { PGDATABASE: 'envdb' }, context: { pgUrl: 'postgres://c@ctx:3/cdb' }, expect: 'envdb' },
      context: { context: { pgUrl: 'postgres://c@ctx:3/cdb' }, expect: 'cdb' },
      stack: { stack: { pgUrl: 'postgres://postgres:postgres@127.0.0.1:15432/stackdb' }, expect: 'stackdb' },
      default: { expect: 'postgres' },
    },
  },
  {
    setting: "target (sinks' database)",
    read: (s) => ({ value: s.target.display, layer: s.target.layer }),
    at: {
      flag: { flags: { target: { url: 'postgres://f@flag:1/fdb' } }, expect: 'postgres://f@flag:1/fdb' },
      env: { env: { CDC_TARGET_URL: 'postgres://e@env:2/edb' }, expect: 'postgres://e@env:2/edb' },
      context: { context: { targetUrl: 'postgres://c@ctx:3/cdb' }, expect: 'postgres://c@ctx:3/cdb' },
      stack: { stack: { targetUrl: 'postgres://postgres:postgres@127.0.0.1:15432/analytics' }, expect: 'postgres://postgres@127.0.0.1:15432/analytics' },
      default: { expect: 'postgres://analytics@localhost:5433/analytics' },
    },
  },
  {
    setting: 's3.endpoint',
    read: (s) => v(s.s3.endpoint),
    at: {
      flag: { flags: { s3: { endpoint: 'http://flag:9000' } }, expect: 'http://flag:9000' },
      env: { env: { AWS_ENDPOINT_URL_S3: 'http://env:9000' }, expect: 'http://env:9000' },
      context: { context: { s3Endpoint: 'http://ctx:9000' }, expect: 'http://ctx:9000' },
      stack: { stack: { s3: { endpoint: 'http://127.0.0.1:19000' } }, expect: 'http://127.0.0.1:19000' },
    },
  },
  {
    setting: 's3.region',
    read: (s) => v(s.s3.region),
    at: {
      flag: { flags: { s3: { region: 'eu-flag-1' } }, expect: 'eu-flag-1' },
      env: { env: { AWS_REGION: 'eu-env-1' }, expect: 'eu-env-1' },
      context: { context: { s3Region: 'eu-ctx-1' }, expect: 'eu-ctx-1' },
      stack: { stack: { s3: { region: 'eu-stack-1' } }, expect: 'eu-stack-1' },
      default: { expect: 'us-east-1' },
    },
  },
  {
    setting: 's3.accessKeyId (never a flag)',
    read: (s) => v(s.s3.accessKeyId),
    at: {
      env: { env: { AWS_ACCESS_KEY_ID: 'ENVKEY', AWS_SECRET_ACCESS_KEY: 'envsecret' }, expect: 'ENVKEY' },
      context: { context: { s3AccessKeyId: 'CTXKEY', s3SecretAccessKeyEnv: 'CTX_S3_SECRET' }, env: { CTX_S3_SECRET: 'ctxsecret' }, expect: 'CTXKEY' },
      stack: { stack: { s3: { accessKeyId: 'STACKKEY', secretAccessKey: 'stacksecret' } }, expect: 'STACKKEY' },
    },
  },
  {
    setting: 's3.secretAccessKey (never a flag)',
    read: (s) => v(s.s3.secretAccessKey),
    at: {
      env: { env: { AWS_ACCESS_KEY_ID: 'K', AWS_SECRET_ACCESS_KEY: 'envsecret' }, expect: 'envsecret' },
      context: { context: { s3AccessKeyId: 'K', s3SecretAccessKeyEnv: 'CTX_S3_SECRET' }, env: { CTX_S3_SECRET: 'ctxsecret' }, expect: 'ctxsecret' },
      stack: { stack: { s3: { accessKeyId: 'K', secretAccessKey: 'stacksecret' } }, expect: 'stacksecret' },
    },
  },
  {
    setting: 'mongo.url',
    read: (s) => v(s.mongo.url),
    at: {
      flag: { flags: { mongo: { url: 'mongodb://flag:1' } }, expect: 'mongodb://flag:1' },
      env: { env: { CDC_MONGO_URL: 'mongodb://env:2' }, expect: 'mongodb://env:2' },
      context: { context: { mongoUrl: 'mongodb://ctx:3' }, expect: 'mongodb://ctx:3' },
      stack: { stack: { mongoUrl: 'mongodb://127.0.0.1:27018' }, expect: 'mongodb://127.0.0.1:27018' },
      default: { expect: 'mongodb://localhost:27017' },
    },
  },
];

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-precedence-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** Settings built from the given layer and every layer below it that the row has. */
function settingsFrom(row: Row, from: Layer): Settings {
  const given = ORDER.slice(ORDER.indexOf(from))
    .map((layer) => row.at[layer])
    .filter((at): at is At => at !== undefined);
  const flags: SettingsFlags = {};
  let env: NodeJS.ProcessEnv = {};
  let context: ContextSettings = {};
  let stack: Partial<StackLayer> | undefined;
  // Lowest first, so that a higher layer's values overwrite a lower one's where they share a key.
  for (const at of [...given].reverse()) {
    for (const [service, values] of Object.entries(at.flags ?? {})) Object.assign(((flags as Record<string, object>)[service] ??= {}), values);
    env = { ...env, ...at.env };
    context = { ...context, ...at.context };
    if (at.stack) stack = { dir: '/stack', ...stack, ...at.stack };
  }
  const config = path.join(dir, `config-${++files}.json`);
  fs.writeFileSync(config, JSON.stringify({ currentContext: 'ctx', contexts: { ctx: context } }));
  return createSettings({ env: { CDC_CONFIG: config, ...env }, flags, stack: () => stack as StackLayer | undefined });
}

const cases = ROWS.flatMap((row) => ORDER.filter((layer) => row.at[layer]).map((layer) => [row.setting, layer, row] as const));

describe('precedence: flag > env > context > stack > default, for every setting', () => {
  it.each(cases)('%s: the %s layer wins over every layer below it', (_name, layer, row) => {
    const got = row.read(settingsFrom(row, layer));
    expect(got?.value).toEqual(row.at[layer]?.expect);
    if (got && 'layer' in got && got.layer !== undefined) expect(got.layer).toBe(layer);
  });

  it('covers every layer of every URL setting', () => {
    for (const name of ['connect.url', 'kafka.brokers', 'pg (source database)', "target (sinks' database)", 'mongo.url']) {
      expect(Object.keys(ROWS.find((r) => r.setting === name)?.at ?? {})).toEqual(ORDER);
    }
  });
});
