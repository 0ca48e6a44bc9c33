import { describe, expect, it } from 'vitest';
import { MAX_RUN, parseView, tokenize } from '../src/shared/nlp.js';

describe('tokenize', () => {
  it('gives offsets that slice back to each token, across newlines and double spaces', () => {
    const text = 'Dr. Tedros of WHO met  him.\n\nIn New York, “we’re here”.';
    const tokens = tokenize(text);
    expect(tokens.length).toBeGreaterThan(10);
    for (const t of tokens) expect(text.slice(t.start, t.end)).toBe(t.value);
    expect(tokens.find((t) => t.value === 'met')?.lemma).toBe('meet');
  });
});

describe('parseView', () => {
  it('leaves ordinary text as it is', () => {
    const text = 'Dr. Tedros of WHO met him in Geneva on 23 March 2021. See https://www.who.int/news.';
    expect(parseView(text)).toBe(text);
  });
  it('blanks runs longer than MAX_RUN, at the same length, and keeps URLs of up to 500 characters', () => {
    const blob = 'QUJD'.repeat(100);
    const url = `https://example.org/${'a/'.repeat(150)}`;
    const longUrl = `https://example.net/${'b/'.repeat(300)}`;
    const emoji = '😀'.repeat(200);
    const text = `Before ${blob} middle ${url} then ${longUrl} and ${emoji} after ${'x'.repeat(MAX_RUN)} end`;
    const v = parseView(text);
    expect(v).toHaveLength(text.length);
    expect(v).not.toContain('QUJD');
    expect(v).toContain(url);
    expect(v).not.toContain(longUrl.slice(0, 200));
    expect(v).not.toContain('😀');
    expect(v).toContain('x'.repeat(MAX_RUN));
    expect(v.startsWith('Before ')).toBe(true);
    expect(v.endsWith(' end')).toBe(true);
    // words outside the runs keep their offsets
    for (const w of ['middle', 'then', 'after']) expect(v.indexOf(w)).toBe(text.indexOf(w));
    expect(v.match(/\S{101,}/g)?.every((r) => r === url)).toBe(true);
  });
  it('gives tokens that slice back from the original text', () => {
    const text = `Lead ${'ab'.repeat(1000)} tail words here.`;
    for (const t of tokenize(text)) expect(text.slice(t.start, t.end)).toBe(t.value);
    expect(tokenize(text).map((t) => t.value)).toEqual(['Lead', 'tail', 'words', 'here', '.']);
  });
});
