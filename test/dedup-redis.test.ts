// The Redis index against a real Redis: agreement with the in-memory index, atomicity under
// concurrent callers, persistence across drops, reset, clusters(). Each test uses its own
// namespace and resets it afterwards.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { dedup } from '../src/workers/dedup/dedup.js';
import { engineCounters } from '../src/workers/dedup/engine.js';
import { createMemoryIndex } from '../src/workers/dedup/index-memory.js';
import { createRedisIndex } from '../src/workers/dedup/index-redis.js';
import type { DedupIndex } from '../src/workers/dedup/index-types.js';
import { generateCorpus, type SynthCorpus } from '../src/synth/generate.js';

const url = inject('redisUrl');
let redis: Redis;
const extra: Redis[] = [];
const used: DedupIndex[] = [];

beforeAll(() => {
  redis = new Redis(url);
});
afterAll(async () => {
  for (const ix of used) await ix.reset();
  for (const r of extra) r.disconnect();
  redis.disconnect();
});

function ns(name: string): string {
  return `test-${name}-${randomUUID().slice(0, 8)}`;
}
function redisIndex(conn: Redis, namespace: string): DedupIndex {
  const ix = createRedisIndex(conn, namespace);
  used.push(ix);
  return ix;
}

/** Unordered pairs of segments ("d:s") that share a cluster. */
function duplicatePairs(corpus: SynthCorpus, clusters: string[][]): Set<string> {
  const by = new Map<string, string[]>();
  clusters.forEach((cs, d) => cs.forEach((c, s) => by.set(c, [...(by.get(c) ?? []), `${corpus.docs[d]!.id}:${s}`])));
  const out = new Set<string>();
  for (const list of by.values()) {
    list.sort();
    for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) out.add(`${list[i]}|${list[j]}`);
  }
  return out;
}

async function runSequential(corpus: SynthCorpus, index: DedupIndex) {
  const out = [];
  for (const d of corpus.docs) out.push(await dedup(d, index));
  return out;
}

describe('Redis dedup index', () => {
  it('gives the same answers as the in-memory index for a sequential run', async () => {
    const corpus = generateCorpus({ docs: 120, seed: 11 });
    const mem = await runSequential(corpus, createMemoryIndex('agree'));
    const red = await runSequential(corpus, redisIndex(redis, ns('agree')));
    expect(red).toEqual(mem);
    expect(mem.some((d) => d.segments.some((s) => s.duplicateOf && s.duplicateOf.similarity < 1))).toBe(true);
  });

  it('gives the same duplicate pairs with concurrent callers on separate connections', async () => {
    // Paragraphs with small edits only: every planted copy is similar to every other, so the
    // clusters do not depend on arrival order. (With chains - A~B, B~C, A!~C - they would: a
    // single-pass clustering links C to whichever of A and B it meets first.)
    const corpus = generateCorpus({ docs: 150, seed: 5, dupRate: 0.4, rates: [0, 0, 0.02, 0.05], shortMessages: false });
    const seq = await runSequential(corpus, redisIndex(redis, ns('seq')));
    const expected = duplicatePairs(corpus, seq.map((d) => d.segments.map((s) => s.cluster)));
    expect(expected.size).toBeGreaterThan(100);

    const namespace = ns('conc');
    const conns = Array.from({ length: 6 }, () => new Redis(url));
    extra.push(...conns);
    const indexes = conns.map((c) => redisIndex(c, namespace));
    const conflictsBefore = engineCounters.conflicts;
    // every document is handed to two callers at once, as a redelivered job would be
    const results = await Promise.all(corpus.docs.flatMap((d, i) => [dedup(d, indexes[i % 6]!), dedup(d, indexes[(i + 3) % 6]!)]));
    const conc = corpus.docs.map((_, i) => results[2 * i]!);
    // the optimistic commit did meet concurrent changes and retried
    expect(engineCounters.conflicts).toBeGreaterThan(conflictsBefore);
    corpus.docs.forEach((_, i) => expect(results[2 * i + 1]).toEqual(results[2 * i]));
    expect(duplicatePairs(corpus, conc.map((d) => d.segments.map((s) => s.cluster)))).toEqual(expected);
    // each cluster has exactly one first occurrence, and duplicateOf points into the cluster
    const first = new Map<string, string>();
    for (const d of conc) for (const s of d.segments) if (s.duplicateOf === null) {
      expect(first.has(s.cluster)).toBe(false);
      first.set(s.cluster, `${d.id}:${s.index}`);
    }
    for (const d of conc) for (const s of d.segments) if (s.duplicateOf) expect(first.get(s.cluster)).toBe(`${s.duplicateOf.doc}:${s.duplicateOf.segment}`);
    const stats = await indexes[0]!.stats();
    expect(stats.documents).toBe(corpus.docs.length);
  });

  it('links a second drop to the first, lists earlier occurrences, and forgets them after reset', async () => {
    const corpus = generateCorpus({ docs: 60, seed: 3, dupRate: 0.35, rates: [0, 0.05] });
    const drop1 = corpus.docs.slice(0, 30);
    const drop2 = corpus.docs.slice(30);
    const namespace = ns('drops');
    const first = redisIndex(redis, namespace);
    for (const d of drop1) await dedup(d, first);

    // a later run: a new connection and a new index object on the same namespace
    const conn = new Redis(url);
    extra.push(conn);
    const later = redisIndex(conn, namespace);
    const ids1 = new Set(drop1.map((d) => d.id));
    const out2 = [];
    for (const d of drop2) out2.push(await dedup(d, later));
    const linked = out2.flatMap((d) => d.segments.filter((s) => s.duplicateOf && ids1.has(s.duplicateOf.doc)));
    expect(linked.length).toBeGreaterThan(5);
    const info = await later.clusters(linked.map((s) => s.cluster));
    for (const s of linked) {
      const c = info.get(s.cluster)!;
      expect(c.occurrences[0]).toMatchObject({ doc: s.duplicateOf!.doc, segment: s.duplicateOf!.segment, similarity: 1 });
      expect(c.occurrences[0]!.path).toMatch(/^synth\//);
      const firstDoc = drop1.find((d) => d.id === s.duplicateOf!.doc)!;
      expect(c.text).toBe(firstDoc.segments[s.duplicateOf!.segment]!.text);
    }
    // An index written before paths were kept apart has them only in the document records.
    expect(await redis.del(`tm:{${namespace}}:dedup:paths`)).toBe(1);
    expect(await later.clusters(linked.map((s) => s.cluster))).toEqual(info);
    // An index written before texts were kept apart has each first occurrence's text at the end
    // of its record (new records end with the empty text field).
    const textKey = `tm:{${namespace}}:dedup:text`;
    const memberKey = `tm:{${namespace}}:dedup:member`;
    const texts = await redis.hgetall(textKey);
    expect(Object.keys(texts).length).toBeGreaterThan(0);
    for (const [mid, text] of Object.entries(texts)) {
      const rec = (await redis.hget(memberKey, mid))!;
      expect(rec.endsWith('\t')).toBe(true);
      await redis.hset(memberKey, mid, rec + text);
    }
    expect(await redis.del(textKey)).toBe(1);
    expect(await later.clusters(linked.map((s) => s.cluster))).toEqual(info);
    const stats = await later.stats();
    expect(stats).toMatchObject({ namespace, documents: 60 });
    expect(stats.messages).toBe(corpus.docs.reduce((n, d) => n + d.segments.length, 0));
    expect(stats.bytes).toBeGreaterThan(0);

    await later.reset();
    expect(await redis.keys(`tm:{${namespace}}:dedup:*`)).toEqual([]);
    const again = [];
    for (const d of drop2) again.push(await dedup(d, later));
    expect(again.flatMap((d) => d.segments.filter((s) => s.duplicateOf && ids1.has(s.duplicateOf.doc)))).toEqual([]);
  });

  it('keeps its keys under one hash tag per namespace', async () => {
    const namespace = ns('keys');
    const ix = redisIndex(redis, namespace);
    await runSequential(generateCorpus({ docs: 10, seed: 1 }), ix);
    const keys = await redis.keys(`*${namespace}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k.startsWith(`tm:{${namespace}}:dedup:`)).toBe(true);
    expect(() => createRedisIndex(redis, 'bad{ns}')).toThrow(RangeError);
  });

  it('describes a cluster of 200,000 occurrences (the end of a large run asks for them all at once)', async () => {
    // Before the reads were chunked, HMGET with every member as an argument overflowed the stack.
    const index = redisIndex(redis, ns('big'));
    const n = 200_000;
    const segments = Array.from({ length: n }, (_, i) => ({ index: i, text: 'Photo: AFP' }));
    const a = await index.assign({ id: 'sha256:big', path: 'big.txt', segments });
    expect(a[n - 1]!.duplicateOf).toEqual({ doc: 'sha256:big', segment: 0, similarity: 1 });
    const info = await index.clusters([a[0]!.cluster]);
    expect(info.get(a[0]!.cluster)!.occurrences).toHaveLength(n);
  }, 60_000);
});
