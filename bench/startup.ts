/**
 * `npm run bench:startup` (issue 14): how long `cdc --help` and `cdc parse` of a small file take
 * against a bare `node -e 0`, wall clock of the whole process (spawn to exit), output to /dev/null.
 * The sides alternate within each round (each goes first in turn), so a load that comes and goes
 * hits them alike; medians of BENCH_RUNS rounds (default 40). Run twice: as the machine is set up,
 * and without NODE_EXTRA_CA_CERTS, which makes Node read and parse a CA bundle at every start
 * before any JavaScript runs (see the seed section of BENCHMARKS.md). Target: ≤ 1.3× node -e 0.
 * Prints a Markdown table for BENCHMARKS.md.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const CDC = path.join(ROOT, 'bin/cdc.js');
const SMALL = path.join(ROOT, 'fixtures/holding-events.jsonl');

const SIDES: [string, string[]][] = [
  ['node -e 0', ['-e', '0']],
  ['cdc --help', [CDC, '--help']],
  ['cdc parse fixtures/holding-events.jsonl', [CDC, 'parse', '--processed-at', '2026-01-01T00:00:00Z', SMALL]],
];

function once(args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'ignore'], env, cwd: ROOT });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function measure(env: NodeJS.ProcessEnv): number[][] {
  const times: number[][] = SIDES.map(() => []);
  for (const [, args] of SIDES) once(args, env); // warm the page cache
  for (let round = 0; round < RUNS; round++) {
    for (let k = 0; k < SIDES.length; k++) {
      const side = (round + k) % SIDES.length;
      times[side].push(once(SIDES[side][1], env));
    }
  }
  return times;
}

function main(): void {
  const withCerts = { ...process.env };
  const withoutCerts = { ...process.env };
  delete withoutCerts.NODE_EXTRA_CA_CERTS;
  const runs: [string, NodeJS.ProcessEnv][] = [
    [`NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'set (as this machine is set up)' : 'unset (as this machine is set up)'}`, withCerts],
  ];
  if (process.env.NODE_EXTRA_CA_CERTS) runs.push(['NODE_EXTRA_CA_CERTS unset', withoutCerts]);
  const out = [
    `${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; median of ${RUNS} rounds, sides alternating`,
    '',
    `| environment | ${SIDES.map(([name]) => name).join(' | ')} |`,
    `|---|${SIDES.map(() => '---').join('|')}|`,
  ];
  for (const [name, env] of runs) {
    const medians = measure(env).map(median);
    const base = medians[0];
    const cells = medians.map((ms, k) => (k === 0 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(1)} ms (**${(ms / base).toFixed(2)}×**)`));
    out.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  out.push(
    '',
    `load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    '',
  );
  process.stdout.write(out.join('\n'));
}

main();
