/**
 * Bytes for people, one style everywhere (pg slots, pg check, connector delete, parse limits):
 * 1023 B, 1.0 KiB, 12.3 MiB, 1.5 GiB — binary units, one decimal. Machine output (--json, pipes)
 * keeps the exact integer instead.
 */
export function formatBytes(bytes: number | bigint | string | null | undefined): string {
  if (bytes === null || bytes === undefined || bytes === '') return '-';
  const value = Number(bytes);
  if (!Number.isFinite(value)) return String(bytes);
  if (Math.abs(value) < 1024) return `${value} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let scaled = value / 1024;
  let unit = 0;
  while (Math.abs(scaled) >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit++;
  }
  return `${scaled.toFixed(1)} ${units[unit]}`;
}
