// Placeholder until the `cdc stack` command lands; it registers nothing.
import type { Command } from 'commander';
import type { Context } from '../src/context';

export function registerStack(_program: Command, _ctx: Context): void {}
