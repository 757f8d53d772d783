/**
 * The upload step of the plain pipeline in bench/sink-s3.ts: stdin → one object, streamed with the
 * AWS SDK's multipart Upload (what `aws s3 cp - s3://…` does). Credentials and endpoint from the
 * AWS_* variables that `cdc stack env` exports. Usage: node dist/bench/upload-stdin.js BUCKET KEY
 * Prints the size of the stored object.
 */
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

async function main(): Promise<void> {
  const [bucket, key] = process.argv.slice(2);
  if (!bucket || !key) throw new Error('usage: upload-stdin BUCKET KEY');
  const client = new S3Client({ forcePathStyle: true });
  await new Upload({ client, params: { Bucket: bucket, Key: key, Body: process.stdin } }).done();
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  process.stdout.write(`${head.ContentLength ?? 0}\n`);
}

main().catch((err) => {
  process.stderr.write(`upload-stdin failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
