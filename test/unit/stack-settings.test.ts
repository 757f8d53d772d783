import * as path from 'node:path';
import { UsageError } from '../../src/errors';
import { DEFAULT_PORTS, resolveStackSettings, stackUrls } from '../../src/stack/settings';

describe('stack settings: flag > environment > running stack > default', () => {
  test('defaults', () => {
    const settings = resolveStackSettings({}, { CDC_STACK_DIR: '/tmp/some-stack' });
    expect(settings).toEqual({ dir: '/tmp/some-stack', ports: DEFAULT_PORTS });
  });

  test('the default folder is .stack/ in the cdc folder', () => {
    expect(resolveStackSettings({}, {}).dir).toBe(path.resolve(__dirname, '../../.stack'));
  });

  test('environment overrides the ports of a running stack, flags override both', () => {
    const running = { pg: 25432, kafka: 29092, controller: 29093, connect: 28083 };
    const env = { CDC_STACK_PG_PORT: '35432', CDC_STACK_CONNECT_PORT: '38083' };
    expect(resolveStackSettings({ dir: 'x', pg: '45432' }, env, running).ports).toEqual({ pg: 45432, kafka: 29092, controller: 29093, connect: 38083 });
    expect(resolveStackSettings({ dir: 'x' }, {}, running).ports).toEqual(running);
  });

  test.each([['0'], ['65536'], ['12ab'], ['-1'], ['1.5']])('rejects the port %s as a usage error', (value) => {
    expect(() => resolveStackSettings({ pg: value }, {})).toThrow(UsageError);
    expect(() => resolveStackSettings({}, { CDC_STACK_KAFKA_PORT: value })).toThrow(/CDC_STACK_KAFKA_PORT must be a port number/);
  });

  test('rejects two services on one port', () => {
    expect(() => resolveStackSettings({ kafka: '15432' }, {})).toThrow(/must differ/);
  });

  test("the default ports keep clear of common services and of docker-compose's ports", () => {
    const taken = [5432, 5672, 6379, 3306, 4222, 1883, 9092, 8083, 8080, 2181];
    for (const port of Object.values(DEFAULT_PORTS)) expect(taken).not.toContain(port);
  });

  test('URLs: the superuser on 127.0.0.1, and the target database with its own user', () => {
    expect(stackUrls({ pg: 1, kafka: 2, controller: 3, connect: 4 })).toEqual({
      pgUrl: 'postgres://postgres:postgres@127.0.0.1:1/postgres',
      brokers: '127.0.0.1:2',
      connectUrl: 'http://127.0.0.1:4',
      targetUrl: 'postgres://analytics:analytics@127.0.0.1:1/analytics',
    });
  });
});
