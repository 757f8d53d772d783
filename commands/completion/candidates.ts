/**
 * What to offer for the word being completed, read from the registered command tree: subcommands,
 * flags, an option's choices, or a kind of name (files, connectors, topics, contexts). Reading the
 * tree keeps completion true for every command and flag, including those added later.
 */
import type { Argument, Command, Option } from 'commander';
import type { LiveKind } from '../../src/completion/live-names';

export type Offer = { words: string[] } | { files: true } | { live: LiveKind };

/**
 * `words` are the command line after `cdc`, the last one being the word under the cursor (empty
 * when a new word starts). Words are filtered by that prefix; live names are filtered by the caller.
 */
export function offerFor(program: Command, words: string[]): Offer {
  const done = words.slice(0, -1);
  const current = words[words.length - 1] ?? '';
  let command = program;
  let pendingOption: Option | undefined;
  let positionals = 0;
  for (const word of done) {
    if (pendingOption) {
      pendingOption = undefined;
      continue;
    }
    if (word.startsWith('-') && word !== '-') {
      const option = findOption(command, word);
      if (option && (option.required || option.optional) && !word.includes('=')) pendingOption = option;
      continue;
    }
    const sub = positionals === 0 ? visible(command.commands).find((c) => c.name() === word || c.aliases().includes(word)) : undefined;
    if (sub) {
      command = sub;
      continue;
    }
    positionals++;
  }
  const offer = pendingOption ? optionValues(pendingOption) : current.startsWith('-') ? { words: flagsOf(command) } : nextWord(command, positionals);
  return 'words' in offer ? { words: offer.words.filter((w) => w.startsWith(current)) } : offer;
}

function nextWord(command: Command, positionals: number): Offer {
  if (command.commands.length && positionals === 0 && command.registeredArguments.length === 0) {
    return { words: visible(command.commands).map((c) => c.name()) };
  }
  const args = command.registeredArguments;
  if (args.length === 0) return { words: [] };
  const arg = args[Math.min(positionals, args.length - 1)];
  if (positionals >= args.length && !arg.variadic) return { words: [] };
  return argumentValues(command, arg);
}

/** The kind of name an argument takes, from its name and its command group. */
function argumentValues(command: Command, arg: Argument): Offer {
  if (arg.argChoices) return { words: arg.argChoices };
  const name = arg.name();
  const group = groupOf(command);
  if (/topic/.test(name)) return { live: 'topics' };
  if (group === 'connector' && /^names?$/.test(name)) return { live: 'connectors' };
  if (group === 'config' && /^names?$/.test(name)) return { live: 'contexts' };
  if (/file|input|path|dir/.test(name)) return { files: true };
  return { words: [] };
}

function optionValues(option: Option): Offer {
  if (option.argChoices) return { words: option.argChoices };
  if (option.long === '--context') return { live: 'contexts' };
  if (/file|dir|path|source/.test(option.long ?? '')) return { files: true };
  return { words: [] };
}

function flagsOf(command: Command): string[] {
  const flags = new Set<string>();
  for (let c: Command | null = command; c; c = c.parent) {
    for (const option of c.options) if (!option.hidden && option.long) flags.add(option.long);
  }
  flags.add('--help');
  return [...flags].sort();
}

function findOption(command: Command, word: string): Option | undefined {
  const flag = word.split('=')[0];
  for (let c: Command | null = command; c; c = c.parent) {
    const option = c.options.find((o) => o.long === flag || o.short === flag);
    if (option) return option;
  }
  return undefined;
}

/** The commands help shows: hidden ones (the completion helper itself) are not offered. */
function visible(commands: readonly Command[]): Command[] {
  const parent = commands[0]?.parent;
  if (!parent) return [];
  const shown = new Set(parent.createHelp().visibleCommands(parent));
  return commands.filter((c) => shown.has(c));
}

function groupOf(command: Command): string {
  let c = command;
  while (c.parent?.parent) c = c.parent;
  return c.name();
}
