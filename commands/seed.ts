// Placeholder until the `cdc seed` command lands; it registers nothing.
import type { Command } from 'commander';
import type { Context } from '../src/context';

export function registerSeed(_program: Command, _ctx: Context): void {}
