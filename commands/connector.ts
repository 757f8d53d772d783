// Placeholder until the `cdc connector` command lands; it registers nothing.
import type { Command } from 'commander';
import type { Context } from '../src/context';

export function registerConnector(_program: Command, _ctx: Context): void {}
