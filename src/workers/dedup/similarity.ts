// Text normalisation, shingling, MinHash/LSH and the verified similarity used by the
// near-duplicate index. Pure functions: the in-memory and the Redis index both use them, so
// the two give identical answers.
import { createHash } from 'node:crypto';
import { MONTH_NAMES } from '../../shared/months.js';

/** Tunables of the near-duplicate detection, with the measured defaults. */
export interface SimilarityParams {
  /** verified similarity (Jaccard over word 1-2-gram sets) at or above which two messages are linked */
  threshold: number;
  /**
   * A message joins a cluster when it is at least `threshold` similar to the cluster's first
   * occurrence, or at least this similar to the member it matched best (a close copy of a
   * member goes where that member went, even when the cluster's first occurrence is further
   * away). Weaker links through a middle message are not followed: they chain unrelated
   * messages into one cluster, in an order that depends on which worker came first.
   */
  chainThreshold: number;
  /** LSH: number of bands and rows per band (signature length = bands * rows) */
  bands: number;
  rows: number;
  /**
   * Messages with fewer word tokens than this are only linked to identical (normalised)
   * messages: two short captions sharing most of their few words are usually different captions.
   */
  minFuzzyTokens: number;
  /** messages with fewer tokens than this (but at least minFuzzyTokens) need shortThreshold */
  shortTokens: number;
  shortThreshold: number;
  /** at most this many members are kept per LSH bucket (bounds the lookup cost) */
  maxBucket: number;
  /**
   * At most this many LSH candidates are verified per message, those sharing the most bands
   * first. Without it the number of chance candidates grows with the index (every indexed
   * message has a small chance to share a band), and so does the time per message.
   */
  maxCandidates: number;
  /** a document is a near-duplicate of an earlier one when at least this share of its messages match it */
  nearDuplicateShare: number;
}

export const DEFAULT_PARAMS: SimilarityParams = {
  threshold: 0.45,
  chainThreshold: 0.55,
  bands: 25,
  rows: 4,
  minFuzzyTokens: 4,
  shortTokens: 10,
  shortThreshold: 0.6,
  maxBucket: 12,
  maxCandidates: 6,
  nearDuplicateShare: 0.5,
};

export function resolveParams(p?: Partial<SimilarityParams>): SimilarityParams {
  const out = { ...DEFAULT_PARAMS, ...(p ?? {}) };
  if (!(out.threshold > 0 && out.threshold <= 1)) throw new RangeError(`threshold must be in (0, 1], got ${out.threshold}`);
  if (!(out.chainThreshold > 0 && out.chainThreshold <= 1)) throw new RangeError(`chainThreshold must be in (0, 1], got ${out.chainThreshold}`);
  if (!(Number.isInteger(out.bands) && out.bands > 0)) throw new RangeError(`bands must be a positive integer, got ${out.bands}`);
  if (!(Number.isInteger(out.rows) && out.rows > 0)) throw new RangeError(`rows must be a positive integer, got ${out.rows}`);
  if (!(Number.isInteger(out.maxBucket) && out.maxBucket > 0 && out.maxBucket <= 255)) throw new RangeError(`maxBucket must be an integer from 1 to 255, got ${out.maxBucket}`);
  if (!(Number.isInteger(out.maxCandidates) && out.maxCandidates > 0)) throw new RangeError(`maxCandidates must be a positive integer, got ${out.maxCandidates}`);
  return out;
}

const QUOTES_SINGLE = /[\u2018\u2019\u201A\u201B\u2032\u0060\u00B4\u02BC]/g;
const QUOTES_DOUBLE = /[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB\u301D\u301E]/g;
const DASHES = /[\u2010-\u2015\u2212\u2E3A\u2E3B\uFE58\uFE63\uFF0D]/g;
const INVISIBLE = /[\u00AD\u200B-\u200F\u2060-\u2064\uFEFF]/g;
const NON_ASCII = /[^\x00-\x7F]/;
/** hyphens and apostrophes inside a word; words (with decimals); and their ASCII-only twins */
const JOINER = /(?<=[\p{L}\p{N}])['-](?=[\p{L}\p{N}])/gu;
const JOINER_ASCII = /(?<=[a-z0-9])['-](?=[a-z0-9])/g;
const WORD = /[\p{L}\p{N}]+(?:\.\d+)*/gu;
const WORD_ASCII = /[a-z0-9]+(?:\.\d+)*/g;
const ORDINAL = /^(\d+)(?:st|nd|rd|th)$/;
// A Map, not an object literal: a word such as "constructor" or "toString" must not find
// Object.prototype's members (it did, and every message holding one failed the dedup stage).
const MONTHS = new Map(
  Object.entries({
    jan: 'january', feb: 'february', mar: 'march', apr: 'april', jun: 'june', jul: 'july', aug: 'august',
    sep: 'september', sept: 'september', oct: 'october', nov: 'november', dec: 'december',
  }),
);

const MONTH_SET = new Set(MONTH_NAMES);
/** ISO (2021-03-23) and day-first (23/03/2021, 23.03.2021) dates, read as "23 march 2021". */
const NUMERIC_DATE = /\b(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})[/.](\d{1,2})[/.](\d{4}))\b/g;
function numericDate(all: string, y1?: string, m1?: string, d1?: string, d2?: string, m2?: string, y2?: string): string {
  let [y, m, d] = y1 ? [y1, Number(m1), Number(d1)] : [y2!, Number(m2), Number(d2)];
  if (!y1 && m > 12 && d <= 12) [m, d] = [d, m]; // month-first after all
  const month = MONTH_NAMES[m - 1];
  return month && d >= 1 && d <= 31 ? ` ${d} ${month} ${y} ` : all;
}

/**
 * The word tokens of a message after normalisation: case folded, NFKD without accents,
 * quotes and dashes unified, invisible characters dropped, punctuation stripped. Hyphens and
 * apostrophes inside a word join its parts ("COVID-19" = "COVID19", "girl's" = "girls"),
 * thousands separators are dropped, ordinals lose their suffix ("23rd" = "23") and abbreviated
 * month names are spelled out and numeric dates read as day month year, so "March 23rd",
 * "23 Mar." and "2021-03-23" share their tokens.
 */
export function normalizeTokens(text: string): string[] {
  // Most messages are plain ASCII: the accent, invisible-character, dash and curly-quote
  // passes cannot change them, so they are skipped (same result, a third of the time).
  const ascii = !NON_ASCII.test(text);
  let t = ascii ? text.toLowerCase() : text.normalize('NFKD').replace(/\p{M}+/gu, '').replace(INVISIBLE, '').toLowerCase();
  t = t.replace(NUMERIC_DATE, numericDate);
  if (!ascii) t = t.replace(QUOTES_SINGLE, "'").replace(QUOTES_DOUBLE, '"').replace(DASHES, '-');
  else if (t.includes('`')) t = t.replace(QUOTES_SINGLE, "'");
  t = t.replace(ascii ? JOINER_ASCII : JOINER, '');
  if (t.includes(',')) t = t.replace(/(?<=\d)[,](?=\d{3}\b)/g, '');
  const raw = t.match(ascii ? WORD_ASCII : WORD) ?? [];
  const out = raw.map((w) => {
    // an ordinal starts with a digit, an abbreviated month has 3 or 4 letters: most words are neither
    const c = w.charCodeAt(0);
    if (c >= 48 && c <= 57) {
      const ord = ORDINAL.exec(w);
      return ord ? ord[1]! : w;
    }
    return w.length <= 4 ? (MONTHS.get(w) ?? w) : w;
  });
  // "march 23" -> "23 march": one order for day and month
  for (let i = 0; i + 1 < out.length; i++) {
    if (MONTH_SET.has(out[i]!) && /^\d{1,2}$/.test(out[i + 1]!) && Number(out[i + 1]) >= 1 && Number(out[i + 1]) <= 31) {
      [out[i], out[i + 1]] = [out[i + 1]!, out[i]!];
      i++;
    }
  }
  return out;
}

/** 32-bit FNV-1a of a string (UTF-16 code units). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finaliser: a cheap, well-mixing permutation of 32-bit integers. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Shingles of a token list: every word and every pair of adjacent words, as 32-bit hashes,
 * sorted and without repeats. A sorted typed array (rather than a Set) makes the Jaccard of two
 * messages one linear merge, and costs a tenth of the memory in the candidate cache.
 */
export function shingles(tokens: string[]): Uint32Array {
  const n = tokens.length;
  const all = new Uint32Array(n === 0 ? 0 : 2 * n - 1);
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const h = hash32(tokens[i]!);
    all[i] = h;
    if (i > 0) all[n + i - 1] = mix32((Math.imul(prev, 0x9e3779b1) ^ h) >>> 0) ^ 0x5bd1e995;
    prev = h;
  }
  all.sort();
  let w = 0;
  for (let i = 0; i < all.length; i++) if (w === 0 || all[i] !== all[w - 1]) all[w++] = all[i]!;
  return all.slice(0, w);
}

/** Rounds a similarity for output, never rounding a non-identical pair up to 1. */
export function roundSimilarity(s: number): number {
  const r = Math.round(s * 1000) / 1000;
  return r === 1 && s < 1 ? 0.999 : r;
}

let SEEDS = new Uint32Array(0);
function seeds(n: number): Uint32Array {
  if (SEEDS.length < n) SEEDS = Uint32Array.from({ length: n }, (_, i) => mix32((i + 1) * 0x9e3779b9) | 1);
  return SEEDS;
}

/** MinHash signature: for each of n hash functions, the minimum over the values. */
export function minhash(values: Iterable<number>, n: number): Uint32Array {
  const sig = new Uint32Array(n).fill(0xffffffff);
  const sd = seeds(n);
  for (const x of values) {
    for (let i = 0; i < n; i++) {
      // mix32 inlined: this loop runs (words x signature length) times per message.
      let v = (x ^ sd[i]!) >>> 0;
      v ^= v >>> 16;
      v = Math.imul(v, 0x85ebca6b);
      v ^= v >>> 13;
      v = Math.imul(v, 0xc2b2ae35);
      v ^= v >>> 16;
      v >>>= 0;
      if (v < sig[i]!) sig[i] = v;
    }
  }
  return sig;
}

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';
/** n.toString(36) for a whole number below 2^53, several times faster than V8's double-to-radix path. */
function base36(n: number): string {
  if (n === 0) return '0';
  let s = '';
  while (n > 0) {
    const q = Math.floor(n / 36);
    s = BASE36[n - q * 36]! + s;
    n = q;
  }
  return s;
}

/** LSH band keys "<band>:<hash of the band's rows>" (base36) of a signature. */
export function bandKeys(sig: Uint32Array, bands: number, rows: number): string[] {
  const out: string[] = [];
  for (let b = 0; b < bands; b++) {
    let h = 0x2545f491 ^ b;
    let h2 = 0x9e3779b9;
    for (let r = 0; r < rows; r++) {
      const v = sig[b * rows + r]!;
      h = mix32((h ^ v) >>> 0);
      h2 = mix32((Math.imul(h2, 31) + v) >>> 0);
    }
    // 52 bits of bucket hash: collisions between unrelated bands are negligible at millions of messages.
    out.push(`${base36(b)}:${base36(h * 2 ** 20 + (h2 >>> 12))}`);
  }
  return out;
}

/** Hash of the normalised token sequence: identical messages after normalisation share it. */
export function exactKey(tokens: string[]): string {
  return createHash('sha1').update(tokens.join(' ')).digest('base64').slice(0, 16);
}

/** Short, stable cluster id derived from the first occurrence (document id and segment index). */
export function clusterId(doc: string, segment: number): string {
  return 'm' + createHash('sha256').update(`${doc}#${segment}`).digest('hex').slice(0, 20);
}

/**
 * Function words left out of the LSH sets (never out of the verified similarity): any two
 * English sentences share many of them, so with them in, unrelated messages on a topic land in
 * the same buckets and every lookup verifies dozens of false candidates, more as the index grows.
 */
const LSH_STOPWORDS = new Set(
  ('a about after all also an and any are as at be been but by can could did do does for from had has have he her his ' +
    'i if in into is it its may more most must no not of on or our over she should so such than that the their them ' +
    'there these they this those through to under up us was we were what when where which while who will with would you your')
    .split(' '),
);

/** The LSH set of a message: hashes of its words without function words (all words when that leaves too few). */
function lshSet(tokens: string[], minSize: number): Set<number> {
  const content = new Set<number>();
  for (const t of tokens) if (!LSH_STOPWORDS.has(t)) content.add(hash32(t));
  return content.size >= minSize ? content : new Set(tokens.map(hash32));
}

/** Everything the index needs to know about one message. */
export interface MessageFeatures {
  /** number of word tokens */
  words: number;
  /** hash of the normalised text (see exactKey): equal for messages identical after normalisation */
  exact: string;
  shingles: Uint32Array;
  /** LSH band keys; empty when the message is too short for fuzzy matching or made for verification only */
  bands: string[];
  fuzzy: boolean;
}

/** Features of a message; `withBands: false` skips the MinHash (enough for verification). */
export function messageFeatures(text: string, p: SimilarityParams, withBands = true): MessageFeatures {
  const tokens = normalizeTokens(text);
  const fuzzy = tokens.length >= p.minFuzzyTokens;
  return {
    words: tokens.length,
    exact: exactKey(tokens),
    shingles: shingles(tokens),
    // LSH over the set of content words (not 1-2-grams): true near-duplicates keep most of
    // their words while unrelated texts on one topic share few, which makes buckets selective.
    bands: fuzzy && withBands ? bandKeys(minhash(lshSet(tokens, p.minFuzzyTokens), p.bands * p.rows), p.bands, p.rows) : [],
    fuzzy,
  };
}

/**
 * What the index stores to verify a message later: "<exact key>:<words>:<shingles, base64>".
 * A candidate is then verified by decoding these few bytes instead of normalising its text
 * again, so the cost of a lookup does not depend on what a cache still holds (it did: at 100k
 * documents most candidates had left a 200k-message cache and the time per message tripled).
 */
export function encodeFeatures(f: MessageFeatures): string {
  const sh = f.shingles;
  return `${f.exact}:${f.words}:${Buffer.from(sh.buffer, sh.byteOffset, sh.byteLength).toString('base64')}`;
}

export function decodeFeatures(s: string, p: SimilarityParams): MessageFeatures {
  const a = s.indexOf(':');
  const b = s.indexOf(':', a + 1);
  const words = Number(s.slice(a + 1, b));
  const bytes = Buffer.from(s.slice(b + 1), 'base64');
  // A view when the bytes sit at a multiple of 4 in Buffer's pool (features are not kept past
  // one document's decision, so the pool slab is not held for long), else an aligned copy.
  let sh: Uint32Array;
  if (bytes.byteOffset % 4 === 0) sh = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  else {
    sh = new Uint32Array(bytes.length >>> 2);
    new Uint8Array(sh.buffer).set(bytes);
  }
  return { words, exact: s.slice(0, a), shingles: sh, bands: [], fuzzy: words >= p.minFuzzyTokens };
}

/**
 * Verified similarity of two messages: Jaccard over their word 1-2-gram sets; 1 exactly when
 * the normalised texts are equal. Messages too short for fuzzy matching only ever reach 1.
 */
export function similarity(a: MessageFeatures, b: MessageFeatures, p: SimilarityParams): number {
  void p;
  return similarityAtLeast(a, b, 0);
}

/**
 * similarity(a, b) when it is at least `min`, else -1 (without finishing the count: this runs
 * for every candidate). Jaccard cannot exceed the ratio of the set sizes, and the merge stops as
 * soon as the shingles left cannot lift the intersection to what `min` needs.
 */
export function similarityAtLeast(a: MessageFeatures, b: MessageFeatures, min: number): number {
  if (a.exact === b.exact) return 1;
  if (!a.fuzzy || !b.fuzzy) return min <= 0 ? 0 : -1;
  const x = a.shingles;
  const y = b.shingles;
  const total = x.length + y.length;
  if (Math.min(x.length, y.length) < min * Math.max(x.length, y.length)) return -1;
  // inter / (total - inter) >= min  <=>  inter >= min * total / (1 + min)
  const need = (min * total) / (1 + min) - 1e-9; // float slack: a pair exactly at min still passes
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < x.length && j < y.length) {
    if (inter + Math.min(x.length - i, y.length - j) < need) return -1;
    const u = x[i]!;
    const v = y[j]!;
    if (u === v) {
      inter++;
      i++;
      j++;
    } else if (u < v) i++;
    else j++;
  }
  const sim = inter / (total - inter);
  return sim >= min ? sim : -1;
}

/** The similarity two messages need to be linked: short messages need more. */
export function linkThreshold(a: MessageFeatures, b: MessageFeatures, p: SimilarityParams): number {
  const n = Math.min(a.words, b.words);
  return n < p.shortTokens ? Math.max(p.threshold, p.shortThreshold) : p.threshold;
}
