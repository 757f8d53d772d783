/**
 * What `bin/cdc.js` loads (built as dist/bundle/cdc.js, see scripts/bundle.ts): the program bundle,
 * dist/bundle/program.js, compiled with the V8 code cache that `npm run build` made of it
 * (program.js.cache: its code as compiled by a `cdc --help` and a `cdc parse`), so that a start
 * does not parse and compile the program again (issue 14, see BENCHMARKS.md). Node 20 has no
 * compile cache of its own, so the program is compiled here as Node would compile it (the same
 * wrapper, `module`, `require`, `__dirname`), with `cachedData`. A cache V8 rejects (another Node,
 * other V8 flags) or a missing one only costs the compile it would have saved.
 */
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

export const PROGRAM = path.join(__dirname, 'program.js');
export const PROGRAM_CACHE = `${PROGRAM}.cache`;

interface Program {
  main(argv: string[]): Promise<number>;
}

/** program.js as a CommonJS module in Node's module cache (groups.js requires it for shared modules), and its script. */
function loadProgram(): { program: Program; script: vm.Script } {
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(PROGRAM_CACHE);
  } catch {
    // No cache: compiled from the source, as without one.
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(PROGRAM, 'utf8')), { filename: PROGRAM, cachedData });
  const program = new Module(PROGRAM, module);
  program.filename = PROGRAM;
  (require.cache as Record<string, NodeJS.Module>)[PROGRAM] = program;
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(program.exports, program.exports, Module.createRequire(PROGRAM), program, PROGRAM, __dirname);
  program.loaded = true;
  return { program: program.exports as Program, script };
}

const loaded = loadProgram();
export const main = loaded.program.main;
/** The program's compiled script: scripts/bundle.ts makes the code cache of it; tests ask whether V8 took the cache. */
export const programScript = loaded.script;
