import { describe, expect, it } from 'vitest';
import { entitiesOfText, loadKnowledgeBase } from '../src/workers/entities/entities.js';
import { MAX_RUN, nlpStats, parseView, readDoc, recycleNlpAfter, tokenize } from '../src/shared/nlp.js';

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

describe('wink-nlp instance', () => {
  it('is replaced once it has learnt too many words, and reads text the same afterwards', () => {
    const text = 'Dr. Tedros of WHO met Qorvanith Belusk in Geneva on 23 March 2021; the Zelmora Accord cost $3 million.';
    const kb = loadKnowledgeBase();
    const before = { tokens: tokenize(text), entities: entitiesOfText(text, kb) };
    const start = nlpStats();
    const saved = recycleNlpAfter(2000, 5);
    try {
      // 60 reads of 200 words it has never seen: 12,000 new words in all
      for (let i = 0; i < 60; i++) readDoc(Array.from({ length: 200 }, (_, j) => `vq${i}x${j}zk`).join(' '));
      const after = nlpStats();
      expect(after.instances).toBeGreaterThanOrEqual(start.instances + 3);
      // bounded: at most the limit plus what the reads between two checks add
      expect(after.learnt).toBeLessThanOrEqual(2000 + 5 * 200 + 10);
      expect(tokenize(text)).toEqual(before.tokens);
      expect(entitiesOfText(text, kb)).toEqual(before.entities);
    } finally {
      recycleNlpAfter(saved.maxLearnt, saved.checkEvery);
    }
  });

  it('is kept while it has learnt few words', () => {
    const start = nlpStats();
    const saved = recycleNlpAfter(1_000_000, 1);
    try {
      for (let i = 0; i < 20; i++) readDoc(`Ordinary words again and again, number ${i}.`);
      expect(nlpStats().instances).toBe(start.instances);
    } finally {
      recycleNlpAfter(saved.maxLearnt, saved.checkEvery);
    }
  });
});
