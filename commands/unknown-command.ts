/**
 * `cdc report --help` where no `report` exists: commander answers a help flag before it looks at
 * the command word, so it printed the root help with exit 0, as if the command existed. Here the
 * words are walked down the registered command tree first; when one names no command, the help
 * request is dropped so that commander reports the unknown command (with its did-you-mean) and
 * main exits 2. The rule reads the tree, so it holds for every command registered, now or later.
 */
import type { Command, Option } from 'commander';

const HELP_FLAGS = new Set(['-h', '--help']);

/**
 * argv as commander should see it: unchanged, unless it asks for help (`--help`, `-h`, or the
 * `help` command) about a command that does not exist; then without the help request.
 */
export function argvForUnknownCommandHelp(program: Command, argv: string[]): string[] {
  const args = argv.slice(2);
  const end = args.indexOf('--');
  const head = end === -1 ? args : args.slice(0, end);
  const unknown = findUnknownCommandWord(program, head);
  if (!unknown) return argv;
  if (unknown.viaHelpCommand !== undefined) {
    // `cdc help report` → `cdc report`
    return [...argv.slice(0, 2), ...args.filter((_, i) => i !== unknown.viaHelpCommand)];
  }
  if (!head.some((arg) => HELP_FLAGS.has(arg))) return argv;
  return [...argv.slice(0, 2), ...args.filter((arg, i) => !(HELP_FLAGS.has(arg) && (end === -1 || i < end)))];
}

interface UnknownWord {
  /** Index of the word that names no command. */
  index: number;
  /** Index of the `help` word before it, when help was asked for with the help command. */
  viaHelpCommand?: number;
}

/** Walks the command words of `args`; the first one that a command group does not know, if any. */
export function findUnknownCommandWord(program: Command, args: string[]): UnknownWord | undefined {
  let command = program;
  let helpWord: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith('-')) {
      if (takesSeparateValue(command, arg)) i++;
      continue;
    }
    // A command with arguments of its own (`watch <topic…>`) takes the word as an argument.
    if (command.commands.length === 0 || command.registeredArguments.length > 0) return undefined;
    const sub = command.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (sub) {
      command = sub;
      continue;
    }
    if (arg === 'help' && helpWord === undefined) {
      helpWord = i;
      continue;
    }
    return { index: i, viaHelpCommand: helpWord };
  }
  return undefined;
}

/** `--context prod`: the option's value is the next word, not a command. */
function takesSeparateValue(command: Command, arg: string): boolean {
  if (arg.includes('=')) return false;
  for (let c: Command | null = command; c; c = c.parent) {
    const option = c.options.find((o: Option) => o.long === arg || o.short === arg);
    if (option) return option.required || option.optional;
  }
  return false;
}
