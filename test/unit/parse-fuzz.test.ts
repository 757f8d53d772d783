/**
 * Mutated real events through the whole engine: structurally valid JSON with wrong types in every
 * place, and byte-level damage. Nothing may throw; every record is accounted for.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_PIVOT_OPTIONS, parseEvents, type ParseRunOptions } from '../../src/parse';

const FIXTURES = path.resolve(__dirname, '../../fixtures');
const source = ['holding-events.jsonl', 'customers-events.jsonl', 'holding-events-kcat-J.jsonl', 'holding-events-unwrapped.jsonl']
  .flatMap((f) => fs.readFileSync(path.join(FIXTURES, f), 'utf8').split('\n').filter(Boolean));

let seed = 1234567;
const rand = (n: number) => { seed = (seed * 48271) % 2147483647; return seed % n; };
const oddValues: unknown[] = [null, 0, -1, 1.5, 'x', '', true, [], {}, [1, 'a'], { a: { b: null } }, 'MDk=', '__debezium_unavailable_value', 'Infinity'];

/** Replaces a random node of the value (at any depth) with an odd value. */
function mutate(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || rand(4) === 0 || depth > 8) return oddValues[rand(oddValues.length)];
  if (Array.isArray(value)) {
    if (value.length === 0) return value;
    const copy = [...value];
    const k = rand(copy.length);
    copy[k] = mutate(copy[k], depth + 1);
    return copy;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return value;
  const key = keys[rand(keys.length)];
  return { ...value, [key]: mutate((value as Record<string, unknown>)[key], depth + 1) };
}

async function runAll(text: string, o: Partial<ParseRunOptions> = {}) {
  const gen = parseEvents([{ name: 'fuzz', chunks: (async function* () { yield Buffer.from(text); })() }], {
    ...DEFAULT_PIVOT_OPTIONS, format: 'jsonl', skipSnapshot: false, strict: false, processedAt: '2026-01-01T00:00:00.000Z', now: () => new Date(), ...o,
  });
  for (;;) {
    const next = await gen.next();
    if (next.done) return next.value;
  }
}

describe('parse engine under mutation', () => {
  it('accounts for every structurally mutated event without throwing', async () => {
    const mutated: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const base = JSON.parse(source[rand(source.length)]) as unknown;
      let value = base;
      for (let m = 0; m < 1 + rand(3); m++) value = mutate(value);
      mutated.push(JSON.stringify(value));
    }
    for (const options of [{}, { fields: '*' as const, identity: ['id'] }, { rawValues: true, changedOnly: true }]) {
      const summary = await runAll(mutated.join('\n') + '\n', options);
      expect(summary.records).toBe(mutated.length);
      const skipped = Object.values(summary.skipped).reduce((a, b) => a + b, 0);
      expect(summary.invalid + skipped).toBeLessThanOrEqual(summary.records);
    }
  });

  it('accounts for byte-damaged lines without throwing', async () => {
    const damaged: string[] = [];
    for (let i = 0; i < 500; i++) {
      const line = source[rand(source.length)];
      const at = rand(line.length);
      damaged.push(line.slice(0, at) + ['', '"', '\\', '}', '{', ']', ',', '\u0000', '9e999'][rand(9)] + line.slice(at + rand(20)));
    }
    const summary = await runAll(damaged.join('\n') + '\n');
    expect(summary.records).toBe(damaged.length);
  });
});
