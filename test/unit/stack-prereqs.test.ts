import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findPgBin, findTools, javaMajor, MissingToolsError } from '../../src/stack/prereqs';

function fakeBin(dir: string, names: string[]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const name of names) fs.writeFileSync(path.join(dir, name), '#!/bin/sh\n', { mode: 0o755 });
}

describe('stack prerequisites', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-stack-prereqs-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['java version "1.8.0_292"', 8],
    ['no java here', undefined],
  ])('javaMajor(%s) = %s', (text, major) => {
    expect(javaMajor(text)).toBe(major);
  });

  test('findPgBin picks the highest major with initdb, pg_ctl and postgres; CDC_STACK_PG_BIN first', () => {
    const root = path.join(dir, 'postgresql');
    fakeBin(path.join(root, '13', 'bin'), ['initdb', 'pg_ctl', 'postgres']);
    fakeBin(path.join(root, '16', 'bin'), ['initdb', 'pg_ctl', 'postgres']);
    fakeBin(path.join(root, '17', 'bin'), ['psql']); // client only
    expect(findPgBin({ PATH: '' }, root)).toBe(path.join(root, '16', 'bin'));
    const own = path.join(dir, 'own');
    fakeBin(own, ['initdb', 'pg_ctl', 'postgres']);
    expect(findPgBin({ PATH: '', CDC_STACK_PG_BIN: own }, root)).toBe(own);
    expect(findPgBin({ PATH: '' }, path.join(dir, 'none'))).toBeUndefined();
  });

  test('names every missing program with its package', () => {
    let error: unknown;
    try {
      findTools({ PATH: path.join(dir, 'empty') }, { needMaven: true, pgRoot: path.join(dir, 'none') });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MissingToolsError);
    const missing = (error as MissingToolsError).missing;
    expect(missing).toHaveLength(3);
    expect(missing[0]).toMatch(/^java .*openjdk-17-jre-headless/);
    expect(missing[1]).toMatch(/^mvn .*maven/);
    expect(missing[2]).toMatch(/initdb, pg_ctl, postgres .*postgresql/);
    expect((error as Error).message).toContain('- java');
  });

  test('Maven is only needed while the jars are not cached', () => {
    const bin = path.join(dir, 'bin');
    fakeBin(bin, ['java']);
    fakeBin(path.join(dir, 'pg', '15', 'bin'), ['initdb', 'pg_ctl', 'postgres']);
    const tools = findTools({ PATH: bin }, { needMaven: false, pgRoot: path.join(dir, 'pg') });
    expect(tools).toEqual({ java: path.join(bin, 'java'), mvn: undefined, pgBin: path.join(dir, 'pg', '15', 'bin') });
    expect(() => findTools({ PATH: bin }, { needMaven: true, pgRoot: path.join(dir, 'pg') })).toThrow(/mvn/);
  });
});
