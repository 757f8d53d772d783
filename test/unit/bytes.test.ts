/** One byte style everywhere (issue 13 item 14): pg slots, pg check, connector delete, parse limits. */
import { formatBytes } from '../../src/bytes';
import { formatBytes as slotsFormatBytes } from '../../src/pg/slots';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [3 * 1024 ** 2, '3.0 MiB'],
    [1.5 * 1024 ** 3, '1.5 GiB'],
    [2 ** 60, '1.0 EiB'],
    ['4096', '4.0 KiB'],
    [null, '-'],
    [undefined, '-'],
  ])('%j → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
  it('is the same function the slot listing uses', () => {
    expect(slotsFormatBytes).toBe(formatBytes);
  });
});
