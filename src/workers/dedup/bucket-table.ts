// The LSH buckets of the in-memory index, in typed arrays. At 100k documents an index holds
// about 22 million bucket entries; as Map entries with string keys and object values they made
// a heap of 6.6 GiB whose garbage collection slowed every stage of an inline run (time per
// document 2.2x from 10k to 100k documents, for stages that never touch the index too). Here
// they are numbers in a few large arrays that the collector never looks into.
//
// A bucket field is a band key "<band, base36>:<52-bit hash, base36>" (similarity.ts bandKeys)
// and holds at most `max` mids "<document number>.<segment index>", kept in insertion order as
// numbers (document number * 2^21 + segment index).

import { midNumber, midString } from './mid.js';

const EMPTY = 0;

/** A base36 digit's value, or -1. */
function digit36(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 122) return c - 87;
  return -1;
}

// Parsed by hand: this runs three times per band of every message, and slicing the field
// into substrings for parseInt was a measurable share of a lookup.
let fieldLo = 0;
let fieldHi = 0;
/** Sets fieldLo and fieldHi to the key of a band field (band in the top 12 bits of fieldHi). */
function parseField(field: string): void {
  let band = 0;
  let i = 0;
  for (; i < field.length; i++) {
    const c = field.charCodeAt(i);
    if (c === 58) break; // ':'
    const d = digit36(c);
    if (d < 0) break;
    band = band * 36 + d;
  }
  let hash = 0;
  const start = i + 1;
  let ok = i > 0 && i < field.length && field.charCodeAt(i) === 58 && start < field.length && band < 4096;
  for (let j = start; ok && j < field.length; j++) {
    const d = digit36(field.charCodeAt(j));
    hash = hash * 36 + d;
    if (d < 0 || hash >= 2 ** 52) ok = false;
  }
  if (!ok) throw new RangeError(`not an LSH band key: ${JSON.stringify(field)}`);
  fieldLo = hash >>> 0;
  fieldHi = (Math.floor(hash / 2 ** 32) | (band << 20)) >>> 0;
}

export class BucketTable {
  // Open addressing over (lo, hi) keys; count 0 marks a free slot.
  private slots = 1 << 16;
  private keyLo = new Uint32Array(this.slots);
  private keyHi = new Uint32Array(this.slots);
  private count = new Uint32Array(this.slots);
  private head = new Int32Array(this.slots);
  private used = 0;
  // Entries: the mids of all buckets, each bucket a chain through `next` (-1 ends it).
  private mids = new Float64Array(1 << 16);
  private next = new Int32Array(1 << 16);
  private entries = 0;

  /** Number of buckets. */
  get size(): number {
    return this.used;
  }

  private find(lo: number, hi: number): number {
    const mask = this.slots - 1;
    let i = (Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> 0) & mask;
    while (this.count[i] !== EMPTY && (this.keyLo[i] !== lo || this.keyHi[i] !== hi)) i = (i + 1) & mask;
    return i;
  }

  /** The bucket's mids joined by commas, as the Redis index stores them; null when empty. */
  get(field: string): string | null {
    parseField(field);
    const i = this.find(fieldLo, fieldHi);
    if (this.count[i] === EMPTY) return null;
    let s = '';
    for (let e = this.head[i]!; e >= 0; e = this.next[e]!) s += s === '' ? midString(this.mids[e]!) : `,${midString(this.mids[e]!)}`;
    return s;
  }

  /** Length of get(field) (0 when empty): the commit's check of what was read. */
  valueLength(field: string): number {
    parseField(field);
    const i = this.find(fieldLo, fieldHi);
    if (this.count[i] === EMPTY) return 0;
    let len = -1;
    for (let e = this.head[i]!; e >= 0; e = this.next[e]!) len += midString(this.mids[e]!).length + 1;
    return len;
  }

  /** Appends a mid unless the bucket holds `max` already. */
  add(field: string, mid: string, max: number): void {
    parseField(field);
    const i = this.find(fieldLo, fieldHi);
    const n = this.count[i]!;
    if (n >= max) return;
    const e = this.newEntry(midNumber(mid));
    if (n === EMPTY) {
      this.keyLo[i] = fieldLo;
      this.keyHi[i] = fieldHi;
      this.head[i] = e;
      this.count[i] = 1;
      if (++this.used * 2 > this.slots) this.grow(); // at most half full: short probe runs
      return;
    }
    let last = this.head[i]!;
    while (this.next[last]! >= 0) last = this.next[last]!;
    this.next[last] = e;
    this.count[i] = n + 1;
  }

  /** Bytes of the arrays. */
  bytes(): number {
    return [this.keyLo, this.keyHi, this.count, this.head, this.mids, this.next].reduce((n, a) => n + a.byteLength, 0);
  }

  private newEntry(mid: number): number {
    if (this.entries === this.mids.length) {
      const mids = new Float64Array(this.mids.length * 2);
      mids.set(this.mids);
      const next = new Int32Array(this.next.length * 2);
      next.set(this.next);
      this.mids = mids;
      this.next = next;
    }
    const e = this.entries++;
    this.mids[e] = mid;
    this.next[e] = -1;
    return e;
  }

  private grow(): void {
    const { keyLo, keyHi, count, head, slots } = this;
    this.slots = slots * 2;
    this.keyLo = new Uint32Array(this.slots);
    this.keyHi = new Uint32Array(this.slots);
    this.count = new Uint32Array(this.slots);
    this.head = new Int32Array(this.slots);
    for (let j = 0; j < slots; j++) {
      if (count[j] === EMPTY) continue;
      const i = this.find(keyLo[j]!, keyHi[j]!);
      this.keyLo[i] = keyLo[j]!;
      this.keyHi[i] = keyHi[j]!;
      this.count[i] = count[j]!;
      this.head[i] = head[j]!;
    }
  }
}
