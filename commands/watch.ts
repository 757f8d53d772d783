// Placeholder until the `cdc watch` command lands; it registers nothing.
import type { Command } from 'commander';
import type { Context } from '../src/context';

export function registerWatch(_program: Command, _ctx: Context): void {}
