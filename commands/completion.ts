/**
 * `cdc completion bash|zsh|fish` prints a completion script; the hidden `cdc __complete WORDS…`
 * answers it: commands and flags from the registered tree, and live names (connectors, topics,
 * contexts) when the service answers within a short time.
 */
import { Argument, type Command } from 'commander';
import type { Context } from '../src/context';
import { offerFor } from './completion/candidates';
import { completionScript, SHELLS, type Shell } from './completion/scripts';

/** Long enough for a local Connect or broker, short enough that a dead one is barely felt. */
const LIVE_TIMEOUT_MS = 500;

/** CDC_COMPLETION_TIMEOUT_MS: for services that are reachable but slow (a remote worker over a VPN). */
function liveTimeoutMs(env: NodeJS.ProcessEnv): number {
  const ms = Number(env.CDC_COMPLETION_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : LIVE_TIMEOUT_MS;
}

export function registerCompletion(program: Command, ctx: Context): void {
  program
    .command('completion')
    .description('print the shell completion script (commands, flags, connector, topic and context names)')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText(
      'after',
      `
Examples:
  source <(cdc completion bash)                  # this shell; add the line to ~/.bashrc to keep it
  cdc completion zsh > "\${fpath[1]}/_cdc"        # zsh, then start a new shell
  mkdir -p ~/.config/fish/completions && cdc completion fish > ~/.config/fish/completions/cdc.fish

Connector, topic and context names come from the services cdc is pointed at (flags are not read:
environment and config context), when they answer within ${LIVE_TIMEOUT_MS} ms (CDC_COMPLETION_TIMEOUT_MS).`,
    )
    .action((shell: Shell) => {
      ctx.stdout.write(completionScript(shell));
    });

  program
    .command('__complete', { hidden: true })
    .description('the candidates for the last word (used by the completion scripts)')
    .argument('[words...]', 'the command line after cdc, the last word being completed')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (words: string[] = []) => {
      const offer = offerFor(program, words.length ? words : ['']);
      if ('files' in offer) {
        ctx.stdout.write(':files\n');
        return;
      }
      let candidates = 'words' in offer ? offer.words : [];
      if ('live' in offer) {
        const { liveNames } = await import('../src/completion/live-names');
        const current = words[words.length - 1] ?? '';
        candidates = (await liveNames(offer.live, { env: ctx.env, settings: ctx.settings, timeoutMs: liveTimeoutMs(ctx.env) })).filter((name) =>
          name.startsWith(current),
        );
      }
      if (candidates.length) ctx.stdout.write(`${candidates.join('\n')}\n`);
    });
}
