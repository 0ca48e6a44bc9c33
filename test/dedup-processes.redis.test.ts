// Issue 3: the same generated corpus processed by one worker with concurrency 1 and by several
// worker processes with concurrency 16 gives the same set of duplicate pairs. Both runs are real
// processes (`textmill produce` plus `textmill worker`s) on their own namespaces.
import type { ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { generateCorpus } from '../src/synth/generate.js';
import { createRedisIndex } from '../src/workers/dedup/index-redis.js';
import { readOut, tmpDir, uniqueNamespace, type Out } from './helpers/pipeline.js';
import { exitOf, killAll, textmillProcess } from './helpers/processes.js';

const url = inject('redisUrl');
const DOCS = 200;

/** Unordered pairs of segments ("<path>#<index>") that share a cluster. */
function duplicatePairs(documents: Out['documents']): Set<string> {
  const by = new Map<string, string[]>();
  for (const d of documents) for (const s of d.segments) by.set(s.cluster, [...(by.get(s.cluster) ?? []), `${d.source.path}#${s.index}`]);
  const out = new Set<string>();
  for (const list of by.values()) {
    list.sort();
    for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) out.add(`${list[i]}|${list[j]}`);
  }
  return out;
}

describe('duplicate pairs across worker processes and concurrency', () => {
  const procs: ChildProcess[] = [];
  const dirs: string[] = [];
  const namespaces: string[] = [];
  afterAll(async () => {
    killAll(procs);
    const redis = new Redis(url);
    try {
      for (const ns of namespaces) await createRedisIndex(redis, ns).reset();
    } finally {
      redis.disconnect();
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** `textmill produce` plus `workers` worker processes; resolves with the output folder. */
  async function drop(dropDir: string, workers: number, concurrency: number): Promise<string> {
    const namespace = uniqueNamespace();
    namespaces.push(namespace);
    const out = tmpDir('textmill-dedup-proc-out-');
    dirs.push(out);
    const env = { REDIS_URL: url };
    const ws = Array.from({ length: workers }, () => textmillProcess(['worker', '--namespace', namespace, '--concurrency', String(concurrency)], env));
    procs.push(...ws.map((w) => w.proc));
    const producer = textmillProcess(['produce', dropDir, '--out', out, '--namespace', namespace], env);
    procs.push(producer.proc);
    const code = await exitOf(producer.proc, 90_000);
    expect(code, `produce failed:\n${producer.stderr()}\n${ws.map((w) => w.stderr()).join('\n')}`).toBe(0);
    expect(producer.stdout()).toMatch(new RegExp(`documents\\s+${DOCS}\\b`));
    for (const w of ws) w.proc.kill('SIGTERM');
    expect(await Promise.all(ws.map((w) => exitOf(w.proc, 30_000)))).toEqual(ws.map(() => 0));
    return out;
  }

  it('one worker at concurrency 1 and three at concurrency 16 find the same pairs', async () => {
    // Paragraphs with small edits only, so that the clusters do not depend on the arrival
    // order (see the concurrent-callers test in dedup-redis.test.ts).
    const corpus = generateCorpus({ docs: DOCS, seed: 7, dupRate: 0.4, rates: [0, 0, 0.02, 0.05], shortMessages: false });
    const dropDir = tmpDir('textmill-dedup-proc-drop-');
    dirs.push(dropDir);
    const files = corpus.docs.map((doc, d) => {
      // one paragraph per blank-line-separated block, as bench/corpus.ts writes its files
      const name = `${String(d).padStart(6, '0')}.txt`;
      writeFileSync(path.join(dropDir, name), doc.segments.map((s) => s.text).join('\n\n') + '\n');
      return name;
    });

    const outA = await drop(dropDir, 1, 1);
    const outB = await drop(dropDir, 3, 16);

    const a = readOut(outA);
    const b = readOut(outB);
    for (const o of [a, b]) {
      // every file accounted for exactly once, and none rejected
      expect(o.rejected).toEqual([]);
      expect(o.documents.map((d) => d.source.path).sort()).toEqual(files);
    }
    const pairsA = duplicatePairs(a.documents);
    const pairsB = duplicatePairs(b.documents);
    expect(pairsA.size).toBeGreaterThan(100);
    expect([...pairsB].sort()).toEqual([...pairsA].sort());
    // near, not only exact, duplicates among them
    for (const o of [a, b]) {
      const sims = o.documents.flatMap((d) => d.segments.filter((s: any) => s.duplicateOf).map((s: any) => s.duplicateOf.similarity as number));
      expect(sims.filter((x) => x < 1).length).toBeGreaterThan(10);
      expect(sims.filter((x) => x === 1).length).toBeGreaterThan(10);
    }
    // the same messages (clusters with two or more occurrences) in both
    expect(b.messages.length).toBe(a.messages.length);
  }, 120_000);
});
