/**
 * The README as tests read it: the marked tutorial blocks, and every shell example line. Tests run
 * what the README says, verbatim, so the README cannot drift from what works.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const README = path.resolve(__dirname, '../../README.md');

/** The ```sh block between `<!-- name -->` and `<!-- /name -->`. */
export function markedBlock(name: string, text = fs.readFileSync(README, 'utf8')): string {
  const match = new RegExp(`<!-- ${name} -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\`\\n<!-- /${name} -->`).exec(text);
  if (!match) throw new Error(`README.md has no \`\`\`sh block marked <!-- ${name} -->`);
  return match[1];
}

/** Every ```sh block of a markdown text. */
export function shellBlocks(text: string): string[] {
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** Commands of a shell block: continuation lines joined, comments and blank lines dropped. */
export function shellCommands(block: string): string[] {
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.replace(/\s+#\s.*$/, '').trim())
    .filter((line) => line && !line.startsWith('#'));
}

/** A command of cdc's help: its words (`['stack', 'up']`) and the example lines of its help. */
export interface HelpExamples {
  command: string[];
  examples: string[];
}

/**
 * The lines of a help text's `Examples:` section: indented lines up to the first blank line, `$ `
 * prompts removed, comments dropped, continuation lines joined.
 */
export function examplesOfHelp(help: string): string[] {
  const match = /^Examples:\n((?:[ \t]+\S.*\n?)+)/m.exec(help);
  if (!match) return [];
  const lines = match[1].split('\n').map((l) => l.trim().replace(/^\$ /, ''));
  return shellCommands(lines.join('\n'));
}
