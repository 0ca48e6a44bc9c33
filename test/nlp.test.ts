import { describe, expect, it } from 'vitest';
import { tokenize } from '../src/shared/nlp.js';

describe('tokenize', () => {
  it('gives offsets that slice back to each token, across newlines and double spaces', () => {
    const text = 'Dr. Tedros of WHO met  him.\n\nIn New York, “we’re here”.';
    const tokens = tokenize(text);
    expect(tokens.length).toBeGreaterThan(10);
    for (const t of tokens) expect(text.slice(t.start, t.end)).toBe(t.value);
    expect(tokens.find((t) => t.value === 'met')?.lemma).toBe('meet');
  });
});
