// Documents travel through BullMQ in batches (src/pipeline/batcher.ts): one job carries up to
// batchSize documents. What must hold: a batch gives the same output as one job per document,
// and a document that fails for good fails alone, with its one rejected line, while the rest of
// its batch goes on; the failed job then holds only that document, so `textmill retry` would
// not hand the others on a second time.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { queuePrefix } from '../src/shared/queues.js';
import { readOut, run, settings, tmpDir, uniqueNamespace } from './helpers/pipeline.js';
import { dropNamespace } from './reliability/helpers.js';

const url = inject('redisUrl');
const namespaces: string[] = [];
let redis: Redis;
beforeAll(() => {
  redis = new Redis(url, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  for (const ns of namespaces) await dropNamespace(url, ns);
  redis.disconnect();
});
const ns = () => {
  const n = uniqueNamespace();
  namespaces.push(n);
  return n;
};

/** Five files: three of two paragraphs, two of six (over a limit of three segments). */
function drop(): { dir: string; short: string[]; long: string[] } {
  const dir = tmpDir('textmill-batch-');
  const para = (f: string, i: number) => `The ${f} report, part ${i}, says the council of Tallinn approved ${i * 7} new homes on ${i + 1} May 2025.`;
  const short = ['a.txt', 'c.txt', 'e.txt'];
  const long = ['b.txt', 'd.txt'];
  for (const f of short) writeFileSync(path.join(dir, f), [1, 2].map((i) => para(f, i)).join('\n\n') + '\n');
  for (const f of long) writeFileSync(path.join(dir, f), [1, 2, 3, 4, 5, 6].map((i) => para(f, i)).join('\n\n') + '\n');
  return { dir, short, long };
}

const comparable = (docs: any[]) => docs.map(({ pipeline: _p, ...rest }) => rest).sort((a, b) => (a.id < b.id ? -1 : 1));

describe('batches of documents through BullMQ', () => {
  const { dir, short, long } = drop();
  const namespace = ns();
  const out = tmpDir('textmill-batch-out-');

  beforeAll(async () => {
    await run(dir, out, settings({ namespace, maxSegments: 3, batchSize: 8 }), url);
  }, 120_000);

  it('goes on with the rest of a batch when one document fails for good, and gives that one its line', () => {
    const { documents, rejected } = readOut(out);
    expect(documents.map((d) => d.source.path).sort()).toEqual(short);
    expect(rejected.map((r) => [r.path, r.code]).sort()).toEqual(long.map((p) => [p, 'too-many-segments']));
  });

  it('carries the five files in one job per stage, and fails the clean job holding only the documents that failed', async () => {
    const q = (name: string) => new Queue(name, { connection: redis, prefix: queuePrefix(namespace) });
    const clean = q('clean');
    const write = q('write');
    try {
      const failed = await clean.getFailed();
      expect(failed).toHaveLength(1);
      const data = failed[0]!.data as { key: string; docs: Array<{ source: { path: string } }> };
      expect(data.docs.map((d) => d.source.path).sort()).toEqual(long);
      expect(data.key).toMatch(/^[0-9a-f]{32}-5r$/);
      expect(failed[0]!.failedReason).toMatch(/^2 of 5 documents failed: [bd]\.txt: The document has more than 3 segments/);
      expect(await clean.getCompletedCount()).toBe(0);
      const written = await write.getCompleted();
      expect(written).toHaveLength(1);
      expect((written[0]!.data as { docs: unknown[] }).docs).toHaveLength(3);
      // completed jobs are kept by documents (1,000), not by jobs: 334 jobs of 3
      expect(written[0]!.opts.removeOnComplete).toEqual({ count: 334, age: 86400 });
    } finally {
      await clean.close();
      await write.close();
    }
  });

  it('writes the same documents as one job per document and as an inline run', async () => {
    const one = tmpDir('textmill-batch-one-');
    const inline = tmpDir('textmill-batch-inline-');
    await run(dir, one, settings({ namespace: ns(), maxSegments: 3, batchSize: 1 }), url);
    await run(dir, inline, settings({ maxSegments: 3 }));
    const batched = comparable(readOut(out).documents);
    expect(batched).toHaveLength(3);
    expect(comparable(readOut(one).documents)).toEqual(batched);
    expect(comparable(readOut(inline).documents)).toEqual(batched);
  }, 120_000);
});
