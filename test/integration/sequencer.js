// The order integration files start in. Jest starts the files that took longest in its cache first,
// but a clean checkout (CI) has no cache, and jest then goes by file size: the README tutorial (the
// longest by far) started 8th. With two workers the run ends when its longest file does, so the
// files known to be long start first, the rest as jest would order them.
const Sequencer = require('@jest/test-sequencer').default;
const path = require('node:path');

/** Longest first (seconds per file on a quiet 2-core machine, 2026-12-01). */
const LONG_FIRST = [
  'readme-tutorial.test.ts', // ~150-300 s
  'connector-help-examples.test.ts', // ~40-130 s (its own stack)
  'stack-extras.test.ts', // ~90 s
  'sink-s3.test.ts', // ~60 s
  'sink-postgres-cli.test.ts', // ~40 s
  'watch-kill.test.ts', // ~35 s
];

class LongFirstSequencer extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const k = LONG_FIRST.indexOf(path.basename(test.path));
      return k < 0 ? LONG_FIRST.length : k;
    };
    const byJest = super.sort(tests);
    const position = new Map(byJest.map((test, k) => [test, k]));
    return [...byJest].sort((a, b) => rank(a) - rank(b) || position.get(a) - position.get(b));
  }
}

module.exports = LongFirstSequencer;
