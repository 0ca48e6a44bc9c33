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

// Slot layout, 6 uint32 (24 bytes; most slots lie in one cache line): the key, the bucket's
// count (0 marks a free slot) with the length of its value, its first mid inline, and the chain
// of its other mids. Most buckets
// hold one message (a band is shared only by near-duplicates), so a lookup is usually one
// memory access: at 100k documents the table is far larger than the CPU caches, and with key,
// count and entries in separate arrays every lookup cost several cache misses (the time per
// message doubled from 10k to 100k documents).
const STRIDE = 6;
const KEY_LO = 0;
const KEY_HI = 1;
const COUNT = 2; // count in the low 8 bits, the length of get()'s value (the commit's check) above
const MORE = 3; // first entry of the chain of mids after the first, -1 for none (as int32)
const MID_LO = 4;
const MID_HI = 5;

export class BucketTable {
  // Open addressing over (lo, hi) keys.
  private slots = 1 << 16;
  private table = new Uint32Array(this.slots * STRIDE);
  private used = 0;
  // Chains: the second and later mids of a bucket, each [mid, next entry] (-1 ends a chain).
  private mids = new Float64Array(1 << 12);
  private next = new Int32Array(1 << 12);
  private entries = 0;

  /** Number of buckets. */
  get size(): number {
    return this.used;
  }

  /** Offset of the key's slot (its own, or the free one where it would go). */
  private find(lo: number, hi: number): number {
    const mask = this.slots - 1;
    const t = this.table;
    let i = (Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> 0) & mask;
    while ((t[i * STRIDE + COUNT]! & 0xff) !== EMPTY && (t[i * STRIDE + KEY_LO] !== lo || t[i * STRIDE + KEY_HI] !== hi)) i = (i + 1) & mask;
    return i * STRIDE;
  }

  /** The bucket's mids in insertion order (empty when the bucket is). */
  private list(field: string): number[] {
    parseField(field);
    const o = this.find(fieldLo, fieldHi);
    const t = this.table;
    if ((t[o + COUNT]! & 0xff) === EMPTY) return [];
    const out = [t[o + MID_HI]! * 2 ** 32 + t[o + MID_LO]!];
    for (let e = t[o + MORE]! | 0; e >= 0; e = this.next[e]!) out.push(this.mids[e]!);
    return out;
  }

  /** The bucket's mids joined by commas, as the Redis index stores them; null when empty. */
  get(field: string): string | null {
    const mids = this.list(field);
    return mids.length === 0 ? null : mids.map(midString).join(',');
  }

  /** Length of get(field) (0 when empty): the commit's check of what was read. */
  valueLength(field: string): number {
    parseField(field);
    return this.table[this.find(fieldLo, fieldHi) + COUNT]! >>> 8;
  }

  /** Appends a mid unless the bucket holds `max` already. */
  add(field: string, mid: string, max: number): void {
    if (!(max > 0 && max <= 255)) throw new RangeError(`a bucket holds at most 255 mids, asked for ${max}`);
    parseField(field);
    const num = midNumber(mid);
    const o = this.find(fieldLo, fieldHi);
    const t = this.table;
    const n = t[o + COUNT]! & 0xff;
    if (n >= max) return;
    if (n === EMPTY) {
      t[o + KEY_LO] = fieldLo;
      t[o + KEY_HI] = fieldHi;
      t[o + COUNT] = 1 | (midString(num).length << 8);
      t[o + MORE] = -1 >>> 0;
      t[o + MID_LO] = num >>> 0;
      t[o + MID_HI] = Math.floor(num / 2 ** 32);
      if (++this.used * 2 > this.slots) this.grow(); // at most half full: short probe runs
      return;
    }
    const e = this.newEntry(num);
    let last = t[o + MORE]! | 0;
    if (last < 0) t[o + MORE] = e;
    else {
      while (this.next[last]! >= 0) last = this.next[last]!;
      this.next[last] = e;
    }
    t[o + COUNT] = (n + 1) | (((t[o + COUNT]! >>> 8) + 1 + midString(num).length) << 8);
  }

  /** Bytes of the arrays. */
  bytes(): number {
    return this.table.byteLength + this.mids.byteLength + this.next.byteLength;
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
    const old = this.table;
    const slots = this.slots;
    this.slots = slots * 2;
    this.table = new Uint32Array(this.slots * STRIDE);
    for (let j = 0; j < slots * STRIDE; j += STRIDE) {
      if ((old[j + COUNT]! & 0xff) === EMPTY) continue;
      const o = this.find(old[j + KEY_LO]!, old[j + KEY_HI]!);
      this.table.set(old.subarray(j, j + STRIDE), o);
    }
  }
}
