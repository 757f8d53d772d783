/**
 * The bare Node reference side of `npm run bench:parse` (issue 14): readline, JSON.parse of each
 * line, JSON.stringify of `payload.after`. No decoding, not lossless (ts_ns loses digits): the least
 * a Node program can do with each event.
 */
import * as fs from 'node:fs';
import * as readline from 'node:readline';

async function main(file: string): Promise<void> {
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let out = '';
  for await (const line of lines) {
    if (!line) continue;
    const event = JSON.parse(line) as { payload?: { after?: unknown } } | null;
    out += JSON.stringify(event?.payload?.after ?? null) + '\n';
    if (out.length > 1 << 20) {
      if (!process.stdout.write(out)) await new Promise((r) => process.stdout.once('drain', r));
      out = '';
    }
  }
  process.stdout.write(out);
}

void main(process.argv[2]);
