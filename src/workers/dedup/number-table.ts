// A map from non-negative integer keys (below 2^53) to non-negative numbers, in typed arrays:
// the in-memory index's million-entry maps (message id -> record, exact text -> message id)
// without a million heap objects for the garbage collector to visit (see string-arena.ts).

import { mix32 } from './similarity.js';

const EMPTY = -1;

export class NumberTable {
  private slots = 1 << 12;
  // slot i: key at 2i, value at 2i + 1 (one cache line holds both)
  private table = new Float64Array(2 * this.slots).fill(EMPTY);
  private used = 0;

  get size(): number {
    return this.used;
  }

  /** The value of `key`, or -1. */
  get(key: number): number {
    const i = this.find(key);
    return this.table[i] === EMPTY ? -1 : this.table[i + 1]!;
  }

  has(key: number): boolean {
    return this.table[this.find(key)] !== EMPTY;
  }

  set(key: number, value: number): void {
    if (!(Number.isSafeInteger(key) && key >= 0)) throw new RangeError(`NumberTable keys are non-negative integers, got ${key}`);
    const i = this.find(key);
    if (this.table[i] === EMPTY) {
      this.table[i] = key;
      this.used++;
    }
    this.table[i + 1] = value;
    if (this.used * 2 > this.slots) this.grow(); // at most half full: short probe runs
  }

  bytes(): number {
    return this.table.byteLength;
  }

  /** Offset of the key's slot (its own, or the free one where it would go). */
  private find(key: number): number {
    const mask = this.slots - 1;
    const lo = key >>> 0;
    const hi = Math.floor(key / 2 ** 32);
    // fully mixed: message ids differ in their middle bits (document number * 2^21)
    let i = mix32(lo ^ mix32(hi)) & mask;
    const t = this.table;
    while (t[2 * i] !== EMPTY && t[2 * i] !== key) i = (i + 1) & mask;
    return 2 * i;
  }

  private grow(): void {
    const old = this.table;
    this.slots *= 2;
    this.table = new Float64Array(2 * this.slots).fill(EMPTY);
    for (let j = 0; j < old.length; j += 2) {
      if (old[j] === EMPTY) continue;
      const i = this.find(old[j]!);
      this.table[i] = old[j]!;
      this.table[i + 1] = old[j + 1]!;
    }
  }
}
