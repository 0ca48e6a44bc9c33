// End to end through BullMQ on a real Redis, and the inline transport beside it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { STAGES } from '../src/shared/queues.js';
import { createRedisIndex } from '../src/workers/dedup/index-redis.js';
import { CORPUS, readOut, run, settings, tmpDir, uniqueNamespace } from './helpers/pipeline.js';

const url = inject('redisUrl');
const namespaces: string[] = [];
let redis: Redis;

beforeAll(() => {
  redis = new Redis(url);
});
afterAll(async () => {
  // Only our own namespaces' keys are removed; the Redis may be a shared one (REDIS_URL).
  for (const ns of namespaces) {
    await createRedisIndex(redis, ns).reset();
    for (const pattern of [`textmill:{${ns}}:*`, `tm:{${ns}}:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
    }
  }
  redis.disconnect();
});

function ns() {
  const n = uniqueNamespace();
  namespaces.push(n);
  return n;
}

/** What must agree between two runs: everything but the run id. */
function comparable(docs: any[]) {
  return docs
    .map(({ pipeline: _p, ...rest }) => rest)
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

describe('the sample drop through BullMQ', () => {
  const out = tmpDir();
  const namespace = ns();
  let first: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    first = await run(CORPUS, out, settings({ namespace }), url);
  }, 120_000);

  it('accounts for every file exactly once', () => {
    const files = readdirSync(CORPUS).filter((f) => f.endsWith('.txt'));
    const { documents, rejected } = readOut(out);
    const paths = [...documents.map((d) => d.source.path), ...rejected.map((r) => r.path)].sort();
    expect(paths).toEqual(files.sort());
    expect(first.manifest.counts.files).toBe(files.length);
  });

  it('counts every document in every stage, with its time, by the time the manifest is written', () => {
    // Workers send their stage counters in batches (StageTally); none may be missing at the end.
    const documents = readOut(out).documents.length;
    for (const stage of STAGES) {
      expect(first.counts.stageDone[stage], stage).toBeGreaterThanOrEqual(documents);
      expect(first.manifest.stageMs[stage], stage).toBeGreaterThan(0);
    }
  });

  it('writes segments whose offsets slice the cleaned text', () => {
    for (const doc of readOut(out).documents) {
      expect(doc.segments.length).toBeGreaterThan(0);
      doc.segments.forEach((s: any, i: number) => {
        expect(s.index).toBe(i);
        expect(doc.text.slice(s.start, s.end)).toBe(s.text);
      });
      expect(doc.id).toBe(`sha256:${doc.source.sha256}`);
    }
  });

  it('puts the messages repeated verbatim across 000_* and 001_* in shared clusters', () => {
    const { documents, messages } = readOut(out);
    const a = documents.find((d) => d.source.path.startsWith('000_'))!;
    const b = documents.find((d) => d.source.path.startsWith('001_'))!;
    const textsA = new Map(a.segments.map((s: any) => [s.text, s]));
    const shared = b.segments.filter((s: any) => textsA.has(s.text) && s.text.length > 40);
    expect(shared.length).toBeGreaterThan(0);
    for (const s of shared) {
      const other = textsA.get(s.text) as any;
      expect(s.cluster).toBe(other.cluster);
      const line = messages.find((m) => m.cluster === s.cluster);
      expect(line?.occurrences.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('adds no lines when the same drop runs again into the same folder', async () => {
    const before = ['documents.jsonl', 'messages.jsonl', 'rejected.jsonl'].map((f) => readFileSync(path.join(out, f), 'utf8'));
    const again = await run(CORPUS, out, settings({ namespace }), url);
    const after = ['documents.jsonl', 'messages.jsonl', 'rejected.jsonl'].map((f) => readFileSync(path.join(out, f), 'utf8'));
    expect(after).toEqual(before);
    expect(again.manifest.counts.documents).toBe(0);
    expect(again.manifest.counts.unchanged).toBe(first.manifest.counts.files);
  }, 120_000);

  it('gives the same documents inline and through BullMQ with concurrency 1', async () => {
    const inlineOut = tmpDir();
    const queueOut = tmpDir();
    await run(CORPUS, inlineOut, settings({ namespace: ns(), concurrency: 1 }));
    await run(CORPUS, queueOut, settings({ namespace: ns(), concurrency: 1 }), url);
    expect(comparable(readOut(queueOut).documents)).toEqual(comparable(readOut(inlineOut).documents));
  }, 120_000);
});
