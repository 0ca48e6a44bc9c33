import { describe, expect, it } from 'vitest';
import { BucketTable } from '../src/workers/dedup/bucket-table.js';
import { bandKeys, minhash } from '../src/workers/dedup/similarity.js';

describe('BucketTable (the in-memory index LSH buckets)', () => {
  it('keeps mids in insertion order up to the bucket limit, through many resizes', () => {
    const t = new BucketTable();
    const fields: string[] = [];
    // 40,000 messages x 4 bands: 160,000 buckets, past several doublings of the 65,536 first slots
    for (let m = 0; m < 40_000; m++) fields.push(...bandKeys(minhash([m], 8), 4, 2));
    fields.forEach((f, i) => t.add(f, `${i + 1}.${i % 7}`, 3));
    expect(t.size).toBe(new Set(fields).size);
    expect(t.size).toBeGreaterThan(150_000);
    // the same bucket again: appended in order, then capped
    const f = fields[12_345]!;
    t.add(f, '900000.2', 3);
    t.add(f, '2097151.2097150', 3);
    t.add(f, '900002.0', 3);
    t.add(f, '900003.0', 3);
    expect(t.get(f)).toBe(`12346.${12_345 % 7},900000.2,2097151.2097150`);
    expect(t.valueLength(f)).toBe(t.get(f)!.length);
    for (const g of fields.slice(0, 2000)) expect(t.valueLength(g)).toBe(t.get(g)!.length);
    expect(t.get('0:zzzzzz')).toBeNull();
    expect(t.valueLength('0:zzzzzz')).toBe(0);
  });

  it('refuses keys and ids it cannot store exactly', () => {
    const t = new BucketTable();
    expect(() => t.add('no band', '1.0', 3)).toThrow(RangeError);
    expect(() => t.add('0:abc', 'x', 3)).toThrow(RangeError);
    expect(() => t.add('0:abc', '1.2097152', 3)).toThrow(RangeError);
  });
});
