/**
 * Where objects and markers go. `<prefix>/<topic>/<partition-by path>/<topic>+<partition>+<first
 * offset>.<ext>`: the name says which records it holds, so a rewrite after a crash lands on the
 * same name. Markers (the sink's position per group and partition) live under `_cdc/offsets/`.
 */
import { isUnchanged } from '../../debezium';
import { stringifyLossless } from '../../json';
import type { ShapedRow } from './shape';

export type PartitionBy = { kind: 'none' } | { kind: 'date' } | { kind: 'hour' } | { kind: 'field'; name: string };

function join(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}

export function objectKey(prefix: string, topic: string, path: string, partition: number, firstOffset: string, ext: string): string {
  return join(prefix, topic, path, `${topic}+${partition}+${firstOffset}.${ext}`);
}

export function markerPrefix(prefix: string, group: string): string {
  return join(prefix, '_cdc', 'offsets', encodeURIComponent(group)) + '/';
}

export function markerKey(prefix: string, group: string, topic: string, partition: number): string {
  return `${markerPrefix(prefix, group)}${topic}+${partition}.json`;
}

/** The partition-by path of a row: by commit date or hour (UTC), or by a column's value. */
export function partitionPath(by: PartitionBy, row: ShapedRow, timeMs: bigint | undefined): string {
  switch (by.kind) {
    case 'none':
      return '';
    case 'date':
    case 'hour': {
      if (timeMs === undefined) return 'date=unknown';
      const iso = new Date(Number(timeMs)).toISOString();
      return by.kind === 'date' ? `date=${iso.slice(0, 10)}` : `date=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
    }
    case 'field': {
      const cell = row.get(`after_${by.name}`)?.value ?? row.get(`before_${by.name}`)?.value ?? row.get(by.name)?.value;
      const text = cell === null || cell === undefined || isUnchanged(cell) ? '__null__' : typeof cell === 'string' ? cell : stringifyLossless(cell);
      return `${encodeURIComponent(by.name)}=${encodeURIComponent(text).slice(0, 200)}`;
    }
  }
}
