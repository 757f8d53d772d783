/**
 * Worker version gates: several endpoints appeared in later Kafka releases (stop and offsets in
 * 3.5, offset reset in 3.6). Asking an older worker gives a bare 404, so cdc checks first and
 * says which version is needed.
 */
import { CdcError, ExitCode } from '../errors';

export const FEATURES = {
  stop: '3.5.0',
  readOffsets: '3.5.0',
  resetOffsets: '3.6.0',
  restartWithTasks: '3.0.0',
  pluginConfig: '3.2.0',
} as const;
export type Feature = keyof typeof FEATURES;

/** Compares dotted versions numerically; suffixes such as `-SNAPSHOT` are ignored. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) =>
    v
      .split(/[.-]/)
      .slice(0, 3)
      .map((part) => Number.parseInt(part, 10) || 0);
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) {
    const diff = (x[i] ?? 0) - (y[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

export function supports(workerVersion: string, feature: Feature): boolean {
  return compareVersions(workerVersion, FEATURES[feature]) >= 0;
}

export function requireFeature(workerVersion: string, feature: Feature, what: string): void {
  if (!supports(workerVersion, feature)) {
    throw new CdcError(`${what} needs Kafka Connect ${FEATURES[feature]} or later; this worker runs ${workerVersion}`, {
      exitCode: ExitCode.RUNTIME,
      hint: 'upgrade the Connect worker, or use the Kafka tools that ship with it',
    });
  }
}
