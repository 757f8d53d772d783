/** Runs a short-lived program to completion with its output appended to a log file. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

export interface ToolRun {
  code: number | null;
  output: string;
}

export function runTool(command: string, args: string[], options: { logFile: string; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const output = Buffer.concat(chunks).toString('utf8');
      fs.appendFileSync(options.logFile, `$ ${command} ${args.join(' ')}\n${output}`);
      resolve({ code, output });
    });
  });
}
