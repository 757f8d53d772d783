/**
 * The demo role's password. A fixed one would be a known password on a REPLICATION role; a new
 * one per run would change the connector's config (and restart it) on every run. So: made once,
 * kept beside the stack's data (mode 0600), or taken from CDC_DEMO_PASSWORD.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../errors';

export const PASSWORD_ENV = 'CDC_DEMO_PASSWORD';

export function demoPassword(env: NodeJS.ProcessEnv, stackDir: string | undefined): string {
  const fromEnv = env[PASSWORD_ENV];
  if (fromEnv) return fromEnv;
  if (stackDir === undefined) {
    throw new UsageError(`without the local stack, set ${PASSWORD_ENV} to the password for the demo's replication role`);
  }
  const file = path.join(stackDir, 'demo-password');
  try {
    const kept = fs.readFileSync(file, 'utf8').trim();
    if (kept) return kept;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const made = `demo-${randomBytes(18).toString('base64url')}`;
  fs.mkdirSync(stackDir, { recursive: true });
  fs.writeFileSync(file, made + '\n', { mode: 0o600 });
  return made;
}
