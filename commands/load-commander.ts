/**
 * Loads commander before anything else imports it, with its `require('node:child_process')`
 * answered by a stand-in that loads the real module on first use. commander needs child_process
 * only for executable sub-commands, which cdc has none of; loading it (with net, dgram and the
 * stream modules it pulls in) is ~2.5 ms of every start, a tenth of what `cdc --help` costs beyond
 * `node -e 0`. Imported first by main.ts; every later `import … from 'commander'` gets this module
 * from Node's module cache. Under jest (its own module registry) commander simply loads as usual.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- the point of this module: loads at a chosen moment */
import Module from 'node:module';

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };
const original = loader._load;

/** child_process, required on first use of any of its members. */
const childProcess = new Proxy(
  {},
  {
    get: (_target, key) => (require('node:child_process') as Record<string | symbol, unknown>)[key],
  },
);

if (typeof original === 'function') {
  loader._load = function (this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
    if (request === 'node:child_process' || request === 'child_process') return childProcess;
    return original.call(this, request, parent, isMain);
  };
  try {
    require('commander');
  } finally {
    loader._load = original;
  }
}
