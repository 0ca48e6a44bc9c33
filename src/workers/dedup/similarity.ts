// Text normalisation, shingling, MinHash/LSH and the verified similarity used by the
// near-duplicate index. Pure functions: the in-memory and the Redis index both use them, so
// the two give identical answers.
import { createHash } from 'node:crypto';

/** Tunables of the near-duplicate detection, with the measured defaults. */
export interface SimilarityParams {
  /** verified similarity (Jaccard over word 1-2-gram sets) at or above which two messages are linked */
  threshold: number;
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
  /** a document is a near-duplicate of an earlier one when at least this share of its messages match it */
  nearDuplicateShare: number;
}

export const DEFAULT_PARAMS: SimilarityParams = {
  threshold: 0.45,
  bands: 20,
  rows: 5,
  minFuzzyTokens: 4,
  shortTokens: 10,
  shortThreshold: 0.6,
  maxBucket: 12,
  nearDuplicateShare: 0.5,
};

export function resolveParams(p?: Partial<SimilarityParams>): SimilarityParams {
  const out = { ...DEFAULT_PARAMS, ...(p ?? {}) };
  if (!(out.threshold > 0 && out.threshold <= 1)) throw new RangeError(`threshold must be in (0, 1], got ${out.threshold}`);
  if (!(Number.isInteger(out.bands) && out.bands > 0)) throw new RangeError(`bands must be a positive integer, got ${out.bands}`);
  if (!(Number.isInteger(out.rows) && out.rows > 0)) throw new RangeError(`rows must be a positive integer, got ${out.rows}`);
  if (!(Number.isInteger(out.maxBucket) && out.maxBucket > 0)) throw new RangeError(`maxBucket must be a positive integer, got ${out.maxBucket}`);
  return out;
}

const QUOTES_SINGLE = /[\u2018\u2019\u201A\u201B\u2032\u0060\u00B4\u02BC]/g;
const QUOTES_DOUBLE = /[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB\u301D\u301E]/g;
const DASHES = /[\u2010-\u2015\u2212\u2E3A\u2E3B\uFE58\uFE63\uFF0D]/g;
const INVISIBLE = /[\u00AD\u200B-\u200F\u2060-\u2064\uFEFF]/g;
const ORDINAL = /^(\d+)(?:st|nd|rd|th)$/;
const MONTHS: Record<string, string> = {
  jan: 'january', feb: 'february', mar: 'march', apr: 'april', jun: 'june', jul: 'july', aug: 'august',
  sep: 'september', sept: 'september', oct: 'october', nov: 'november', dec: 'december',
};

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
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
  const t = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(INVISIBLE, '')
    .toLowerCase()
    .replace(NUMERIC_DATE, numericDate)
    .replace(QUOTES_SINGLE, "'")
    .replace(QUOTES_DOUBLE, '"')
    .replace(DASHES, '-')
    .replace(/(?<=[\p{L}\p{N}])['-](?=[\p{L}\p{N}])/gu, '')
    .replace(/(?<=\d)[,](?=\d{3}\b)/gu, '');
  const raw = t.match(/[\p{L}\p{N}]+(?:\.\d+)*/gu) ?? [];
  const out = raw.map((w) => {
    const ord = ORDINAL.exec(w);
    if (ord) return ord[1]!;
    return MONTHS[w] ?? w;
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

/** Shingles of a token list: every word and every pair of adjacent words, as 32-bit hashes. */
export function shingles(tokens: string[]): Set<number> {
  const hs = tokens.map(hash32);
  const out = new Set<number>(hs);
  for (let i = 0; i + 1 < hs.length; i++) out.add(mix32((Math.imul(hs[i]!, 0x9e3779b1) ^ hs[i + 1]!) >>> 0) ^ 0x5bd1e995);
  return out;
}

/** Jaccard similarity of two sets. */
export function jaccard(a: Set<number>, b: Set<number>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let inter = 0;
  for (const x of small) if (large.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/** Rounds a similarity for output, never rounding a non-identical pair up to 1. */
export function roundSimilarity(s: number): number {
  const r = Math.round(s * 1000) / 1000;
  return r === 1 && s < 1 ? 0.999 : r;
}

const SEEDS: number[] = [];
function seed(i: number): number {
  while (SEEDS.length <= i) SEEDS.push(mix32((SEEDS.length + 1) * 0x9e3779b9) | 1);
  return SEEDS[i]!;
}

/** MinHash signature: for each of n hash functions, the minimum over the shingles. */
export function minhash(sh: Set<number>, n: number): Uint32Array {
  const sig = new Uint32Array(n).fill(0xffffffff);
  for (const x of sh) {
    for (let i = 0; i < n; i++) {
      const v = mix32((x ^ seed(i)) >>> 0);
      if (v < sig[i]!) sig[i] = v;
    }
  }
  return sig;
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
    out.push(`${b.toString(36)}:${(h * 2 ** 20 + (h2 >>> 12)).toString(36)}`);
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

/** Everything the index needs to know about one message. */
export interface MessageFeatures {
  tokens: string[];
  /** normalised text (tokens joined by spaces): what the index stores for verification */
  norm: string;
  exact: string;
  shingles: Set<number>;
  /** LSH band keys; empty when the message is too short for fuzzy matching */
  bands: string[];
  fuzzy: boolean;
}

/** Features of a message; `withBands: false` skips the MinHash (enough for verification). */
export function messageFeatures(text: string, p: SimilarityParams, withBands = true): MessageFeatures {
  const tokens = normalizeTokens(text);
  const sh = shingles(tokens);
  const fuzzy = tokens.length >= p.minFuzzyTokens;
  return {
    tokens,
    norm: tokens.join(' '),
    exact: exactKey(tokens),
    shingles: sh,
    // LSH over the set of words (not 1-2-grams): true near-duplicates keep most of their words
    // while unrelated texts on one topic share few, which makes buckets more selective.
    bands: fuzzy && withBands ? bandKeys(minhash(new Set(tokens.map(hash32)), p.bands * p.rows), p.bands, p.rows) : [],
    fuzzy,
  };
}

/**
 * Verified similarity of two messages: Jaccard over their word 1-2-gram sets; 1 exactly when
 * the normalised texts are equal. Messages too short for fuzzy matching only ever reach 1.
 */
export function similarity(a: MessageFeatures, b: MessageFeatures, p: SimilarityParams): number {
  if (a.exact === b.exact) return 1;
  if (!a.fuzzy || !b.fuzzy) return 0;
  void p;
  return jaccard(a.shingles, b.shingles);
}

/** The similarity two messages need to be linked: short messages need more. */
export function linkThreshold(a: MessageFeatures, b: MessageFeatures, p: SimilarityParams): number {
  const n = Math.min(a.tokens.length, b.tokens.length);
  return n < p.shortTokens ? Math.max(p.threshold, p.shortThreshold) : p.threshold;
}
