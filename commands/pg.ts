// Placeholder until the `cdc pg` command lands; it registers nothing.
import type { Command } from 'commander';
import type { Context } from '../src/context';

export function registerPg(_program: Command, _ctx: Context): void {}
