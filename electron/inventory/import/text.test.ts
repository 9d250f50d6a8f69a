import { describe, expect, it } from 'vitest';

import { countLineBreaks, excerpt, sizeProblem, splitWords } from './text';

describe('splitWords', () => {
  it('splits on whitespace and groups quoted text, also mid-word', () => {
    expect(splitWords(`a  "b c"\tkey="x y" 'single # kept'`)).toEqual({
      words: ['a', 'b c', 'key=x y', 'single # kept'],
      error: null,
    });
  });

  it('ends at a # that starts a word, not one inside a word', () => {
    expect(splitWords('pass=ab#c # comment').words).toEqual(['pass=ab#c']);
  });

  it('keeps a backslash that escapes nothing, so DOMAIN\\user survives', () => {
    expect(splitWords('CORP\\admin a\\ b "q\\"q"').words).toEqual(['CORP\\admin', 'a b', 'q"q']);
  });

  it('reports an unclosed quote', () => {
    expect(splitWords('"open').error).toBe('a double quote is not closed');
  });
});

describe('helpers', () => {
  it('counts CRLF, LF and lone CR as one line break each', () => {
    expect(countLineBreaks('a\r\nb\nc\rd')).toBe(3);
  });

  it('shortens and flattens values for messages', () => {
    expect(excerpt('a\u0000b\nc'.padEnd(100, 'x'), 10)).toBe('a b cxxxxx…');
  });

  it('flags text over the import limit', () => {
    expect(sizeProblem('x')).toBeNull();
    expect(sizeProblem('x'.repeat(21 * 1024 * 1024))).toContain('limited to 20.0 MB');
  });
});
