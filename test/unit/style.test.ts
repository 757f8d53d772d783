import { sanitizeForTerminal } from '../../commands/ui/style';

describe('sanitizeForTerminal', () => {
  it('escapes ANSI escapes, BEL and C1 controls but keeps tabs, newlines and ordinary text', () => {
    expect(sanitizeForTerminal('a\u001b[31mred\u0007\tb\nc\u009bd é')).toBe('a\\u001b[31mred\\u0007\tb\nc\\u009bd é');
  });

  it('escapes bidirectional overrides and isolates that could reorder what is displayed', () => {
    const hostile = 'user\u202Eexe.txt\u2066x\u2069\u200E\u200F';
    expect(sanitizeForTerminal(hostile)).toBe('user\\u202eexe.txt\\u2066x\\u2069\\u200e\\u200f');
  });
});
