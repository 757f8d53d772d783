/** Runs a shell line as a user would type it: `bash <options> -c`, stdout and stderr in one text. */
import { spawn } from 'node:child_process';

export function bash(script: string, cwd: string, env: NodeJS.ProcessEnv, options: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [...options, '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
