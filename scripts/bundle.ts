/**
 * `npm run build`, after tsc: bundles what `bin/cdc.js` runs into dist/bundle/ with esbuild (issue
 * 14, start-up). Loading ~94 CommonJS files (resolving, reading and compiling each) was 23–25 ms of
 * a small `cdc parse`; a bundle is one file read and compiled at once. But compiling costs by the
 * byte, so a start must not compile the code of commands it does not run:
 *
 * - `program.js`: the program (commands/main.ts), commander, the parse command and all they import:
 *   everything `cdc --help` and `cdc parse` run.
 * - `groups.js`: the other command groups, loaded when one of them runs. Each module lives in one
 *   bundle only: what a group shares with program.js (src/errors.ts, the context, commander…) it
 *   takes from program.js (`sharedModule`), so `instanceof CdcError` and module state hold across.
 * - `worker.js`: a worker thread of a parallel parse (src/parse/threads.ts starts the `worker.js`
 *   beside it); a thread loads its own modules anyway.
 * - `cdc.js` (commands/start.ts), what bin/cdc.js loads: compiles program.js with `program.js.cache`,
 *   the V8 code cache made here once the program has run a `--help` and a `parse`.
 *
 * Packages stay outside (required from node_modules when the code that needs them runs), except
 * commander, which every start loads. A bundle keeps laziness: a module that is `require`d inside a
 * function (commands/main.ts's groups, chalk, the settings' services…) is wrapped by esbuild and
 * runs when that `require` runs, not when the bundle loads. test/unit/startup-lazy.test.ts checks
 * it: every bundled module's first line reports it to `globalThis[Symbol.for('cdc.moduleLoaded')]`
 * when that is defined (a preload of the test; otherwise the line does nothing).
 */
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const OUT = path.join(ROOT, 'dist/bundle');
/** The command groups bundled into program.js, beside the program: the starts that must be fast. */
const START_GROUPS = new Set(['commands/parse.ts']);
/** The one package bundled: every start loads it. */
const BUNDLED_PACKAGE = /^commander(\/|$)/;
const MARKER = 'cdc.moduleLoaded';
/**
 * The names of the stand-ins below: a module's key and where it really is. Not ending in the
 * module's extension, so that esbuild does not take a stand-in of `esm.mjs` for an ES module.
 */
const IN_GROUPS = ' (in groups.js)';
const IN_START = ' (in program.js)';

/** The name a bundled file is reported by: its path in the project, or from `node_modules/` on. */
function moduleKey(file: string): string {
  const inPackages = file.lastIndexOf('node_modules/');
  return inPackages >= 0 ? file.slice(inPackages) : path.relative(ROOT, file);
}

/** The files a build bundled, by key (see moduleKey), without the stand-ins of the plugins below. */
function bundledFiles(metafile: esbuild.Metafile): Map<string, string> {
  const files = Object.keys(metafile.inputs)
    .filter((input) => !input.includes(':'))
    .map((input) => path.resolve(ROOT, input));
  return new Map(files.map((file) => [moduleKey(file), file]));
}

/** Every package but commander (and Node's built-ins) stays a `require` of node_modules. */
const packagesOutside: esbuild.Plugin = {
  name: 'packages-outside',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      BUNDLED_PACKAGE.test(args.path) || path.isAbsolute(args.path) ? undefined : { path: args.path, external: true },
    );
  },
};

/**
 * Each module as esbuild gets it:
 * - first, the line that reports its evaluation, on the module's first line (after a shebang or a
 *   'use strict' prologue, which must stay first) so that line numbers do not move;
 * - in our TypeScript, `import * as fs from 'node:fs'` (or `import Module from 'node:module'`) as
 *   `import fs = require('node:fs')`: the same object for code that reads its members (a built-in's
 *   default export is the module itself), where esbuild would copy every export of the built-in
 *   into a namespace object of its own in each module that imports it (20 copies of fs, path and
 *   os at each start).
 */
const prepareModules: esbuild.Plugin = {
  name: 'prepare-modules',
  setup(build) {
    build.onLoad({ filter: /\.(ts|js|cjs|mjs)$/, namespace: 'file' }, (args) => {
      let source = fs.readFileSync(args.path, 'utf8');
      const typescript = args.path.endsWith('.ts');
      if (typescript) source = source.replace(/^import (?:\* as )?(\w+) from '(node:[\w/]+)';$/gm, "import $1 = require('$2');");
      const report = `globalThis[Symbol.for(${JSON.stringify(MARKER)})]?.(${JSON.stringify(moduleKey(args.path))});`;
      const prologue = /^(#![^\n]*\n)?(\s*(['"])use strict\3;?)?/.exec(source)![0];
      return { contents: prologue + report + source.slice(prologue.length), loader: typescript ? 'ts' : 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

const common: esbuild.BuildOptions = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  tsconfig: path.join(ROOT, 'tsconfig.json'),
  // import() of a package becomes a require inside a promise, as tsc compiles it: the same
  // CommonJS module instances (kafkajs with the decoder of src/kafka/record-batch.ts in place).
  supported: { 'dynamic-import': false },
  sourcemap: 'linked',
  sourcesContent: false,
  minifyWhitespace: true,
  logLevel: 'warning',
  // src/kafka/record-batch.ts requires kafkajs's internals by computed path, at run time, on purpose.
  logOverride: { 'unsupported-require-call': 'silent' },
};

/**
 * In program.js: a command group other than the start groups, required by commands/main.ts, is a
 * stand-in that takes the group from groups.js. Records the groups it defers.
 */
function deferGroups(deferred: Map<string, string>): esbuild.Plugin {
  const main = path.join(ROOT, 'commands/main.ts');
  return {
    name: 'defer-groups',
    setup(build) {
      build.onResolve({ filter: /^\.\/[^/]+$/ }, async (args) => {
        if (args.importer !== main || args.kind !== 'require-call' || args.pluginData === 'resolving') return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolving' });
        const key = moduleKey(resolved.path);
        if (resolved.errors.length > 0 || START_GROUPS.has(key) || path.dirname(key) !== 'commands') return undefined;
        deferred.set(key, resolved.path);
        return { path: `${key}${IN_GROUPS}`, namespace: 'deferred-group' };
      });
      build.onLoad({ filter: /.*/, namespace: 'deferred-group' }, (args) => ({
        contents: `module.exports = require('./groups.js').group(${JSON.stringify(args.path.slice(0, -IN_GROUPS.length))});`,
        loader: 'js',
        resolveDir: ROOT,
      }));
      build.onResolve({ filter: /^\.\/groups\.js$/ }, () => ({ path: './groups.js', external: true }));
    },
  };
}

/** In groups.js: a module that program.js holds is taken from it, never bundled a second time. */
function shareFromStart(inStart: Set<string>): esbuild.Plugin {
  return {
    name: 'share-from-start',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'resolving' || args.namespace !== 'file' || args.kind === 'entry-point') return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolving' });
        if (resolved.errors.length > 0 || resolved.external) return undefined;
        const key = moduleKey(resolved.path);
        return inStart.has(key) ? { path: `${key}${IN_START}`, namespace: 'shared-module' } : undefined;
      });
      build.onLoad({ filter: /.*/, namespace: 'shared-module' }, (args) => ({
        contents: `module.exports = require('./program.js').sharedModule(${JSON.stringify(args.path.slice(0, -IN_START.length))});`,
        loader: 'js',
        resolveDir: ROOT,
      }));
      build.onResolve({ filter: /^\.\/program\.js$/ }, () => ({ path: './program.js', external: true }));
    },
  };
}

/** An entry that requires, on demand, each of `keys` by name: `<name>(key)`. */
function lazyTable(name: string, keys: Map<string, string>, also = ''): esbuild.StdinOptions {
  const rows = [...keys].map(([key, file]) => `  ${JSON.stringify(key)}: () => require(${JSON.stringify(file)}),`).join('\n');
  return {
    contents: `${also}const modules = {\n${rows}\n};\nexports.${name} = (key) => modules[key]();\n`,
    resolveDir: ROOT,
    sourcefile: `${name}-table.js`,
    loader: 'js',
  };
}

/** A build; its warnings fail it (each so far was a broken import: a name that would be undefined). */
async function build(options: esbuild.BuildOptions): Promise<esbuild.BuildResult> {
  const result = await esbuild.build(options);
  if (result.warnings.length > 0) throw new Error(`${result.warnings.length} warning(s) building ${options.outfile ?? 'a bundle'}`);
  return result;
}

async function main(): Promise<void> {
  fs.rmSync(OUT, { recursive: true, force: true });
  const deferred = new Map<string, string>();
  // First the program alone, to learn which modules it holds; then program.js with a table of them.
  const probe = await build({
    ...common,
    entryPoints: ['commands/main.ts'],
    write: false,
    outfile: path.join(OUT, 'program.js'),
    metafile: true,
    plugins: [packagesOutside, deferGroups(deferred)],
  });
  const inStart = bundledFiles(probe.metafile!);
  const mainFile = JSON.stringify(path.join(ROOT, 'commands/main.ts'));
  await build({
    ...common,
    stdin: lazyTable('sharedModule', inStart, `exports.main = require(${mainFile}).main;\n`),
    outfile: path.join(OUT, 'program.js'),
    plugins: [packagesOutside, deferGroups(new Map()), prepareModules],
  });
  await build({
    ...common,
    stdin: lazyTable('group', deferred),
    outfile: path.join(OUT, 'groups.js'),
    plugins: [packagesOutside, shareFromStart(new Set(inStart.keys())), prepareModules],
  });
  await build({
    ...common,
    entryPoints: ['src/parse/worker.ts'],
    outfile: path.join(OUT, 'worker.js'),
    plugins: [packagesOutside, prepareModules],
  });
  await build({
    ...common,
    entryPoints: ['commands/start.ts'],
    outfile: path.join(OUT, 'cdc.js'),
    plugins: [packagesOutside, prepareModules],
  });
  writeCodeCache();
}

/**
 * program.js.cache: V8's code of program.js once a `cdc --help` and a `cdc parse` of a fixture
 * have run (the functions they call are compiled by then, not only the top level), made by a Node
 * like the one that runs cdc, with no flags (V8 rejects a cache made with other flags).
 */
function writeCodeCache(): void {
  const start = path.join(OUT, 'cdc.js');
  const fixture = path.join(ROOT, 'fixtures/holding-events.jsonl');
  const warm = `const { main, programScript } = require(${JSON.stringify(start)});
    (async () => {
      await main(['node', 'cdc', '--help']);
      await main(['node', 'cdc', 'parse', '--processed-at', '2026-01-01T00:00:00Z', ${JSON.stringify(fixture)}]);
      require('node:fs').writeFileSync(${JSON.stringify(path.join(OUT, 'program.js.cache'))}, programScript.createCachedData());
    })();`;
  const run = spawnSync(process.execPath, ['-e', warm], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`making the code cache failed (exit ${run.status}):\n${run.stderr}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bundle: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
