// Placeholder until the `cdc parse` command lands; it registers nothing.
import type { Command } from 'commander';
import type { Context } from '../src/context';

export function registerParse(_program: Command, _ctx: Context): void {}
