// The typed tables and the string arena behind the in-memory dedup index.
import { describe, expect, it } from 'vitest';
import { NumberTable } from '../src/workers/dedup/number-table.js';
import { StringArena } from '../src/workers/dedup/string-arena.js';

describe('NumberTable', () => {
  it('agrees with a Map over message ids, large keys and overwrites', () => {
    const table = new NumberTable();
    const ref = new Map<number, number>();
    // message ids: document number * 2^21 + segment index, the in-memory index's keys
    for (let doc = 1; doc <= 3000; doc++) for (let seg = 0; seg < 12; seg += doc % 3 === 0 ? 2 : 1) ref.set(doc * 2 ** 21 + seg, doc * 100 + seg);
    for (let i = 0; i < 5000; i++) ref.set(Math.floor(Math.random() * 2 ** 52), i);
    ref.set(0, 7);
    for (const [k, v] of ref) table.set(k, v);
    for (const k of [...ref.keys()].slice(0, 1000)) {
      ref.set(k, 42);
      table.set(k, 42);
    }
    expect(table.size).toBe(ref.size);
    for (const [k, v] of ref) expect(table.get(k)).toBe(v);
    expect(table.get(5 * 2 ** 21 + 13)).toBe(-1);
    expect(table.has(5 * 2 ** 21 + 13)).toBe(false);
    expect(table.has(5 * 2 ** 21 + 11)).toBe(true);
  });

  it('refuses keys it cannot hold', () => {
    const table = new NumberTable();
    expect(() => table.set(-1, 1)).toThrow(RangeError);
    expect(() => table.set(1.5, 1)).toThrow(RangeError);
    expect(() => table.set(2 ** 53, 1)).toThrow(RangeError);
  });
});

describe('StringArena', () => {
  it('gives back every string as stored, in UTF-8 and across chunks', () => {
    const arena = new StringArena();
    const strings: string[] = [];
    const big = 'x'.repeat(70 * 2 ** 20); // longer than a chunk: one of its own
    for (let i = 0; i < 20000; i++) strings.push(i % 1000 === 0 ? '' : `${i}\tCôte d’Ivoire – 日本 ${'é'.repeat(i % 50)}`);
    strings.splice(5000, 0, big);
    strings.push('after the big one');
    const handles = strings.map((s) => arena.put(s));
    expect(handles).toEqual(strings.map((_, i) => i));
    expect(arena.size).toBe(strings.length);
    for (let i = 0; i < strings.length; i++) expect(arena.get(handles[i]!)).toBe(strings[i]);
    expect(arena.bytes()).toBeGreaterThanOrEqual(strings.reduce((n, s) => n + Buffer.byteLength(s), 0));
    expect(() => arena.get(strings.length)).toThrow(RangeError);
  });
});
