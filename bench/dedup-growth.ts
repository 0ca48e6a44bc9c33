// How the dedup stage's cost per message grows with the index: runs dedup() alone over the
// benchmark's generated corpus (same seed and sizes as `npm run bench`) and prints, for every
// window of documents, the time per message, LSH candidates per message and the heap.
//
//   npx tsx bench/dedup-growth.ts --docs 100000 [--window 10000] [--redis redis://127.0.0.1:6379]
//
// The issue's target: time per message at 100k documents within 1.2x of 10k.
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { dedup } from '../src/workers/dedup/dedup.js';
import { engineCounters } from '../src/workers/dedup/engine.js';
import { createMemoryIndex } from '../src/workers/dedup/index-memory.js';
import { createRedisIndex } from '../src/workers/dedup/index-redis.js';
import type { DedupIndex } from '../src/workers/dedup/index-types.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeMessages } from '../src/pipeline/finish.js';
import { redisCpuMs } from './common.js';
import { offHeapCorpus } from './corpus.js';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '100000' },
    window: { type: 'string', default: '10000' },
    redis: { type: 'string' },
    namespace: { type: 'string', default: 'bench-dedup-growth' },
    // CPU profiles of this process over document ranges, to see what grows: "5000-10000,35000-40000"
    profile: { type: 'string' },
  },
});
const profileRanges = (values.profile ?? '').split(',').filter(Boolean).map((r) => r.split('-').map(Number) as [number, number]);
const inspector = profileRanges.length ? new (await import('node:inspector')).Session() : null;
inspector?.connect();
const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) => inspector!.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
if (inspector) await post('Profiler.enable');
const docs = Number(values.docs);
const window = Number(values.window);

let index: DedupIndex;
let redis: Redis | null = null;
if (values.redis) {
  redis = new Redis(values.redis);
  index = createRedisIndex(redis, values.namespace!);
  await index.reset();
} else index = createMemoryIndex(values.namespace);

// Redis time per command (INFO commandstats, microseconds), for the per-window breakdown
async function commandUsec(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!redis) return out;
  for (const m of (await redis.info('commandstats')).matchAll(/cmdstat_([^:]+):calls=\d+,usec=(\d+)/g)) out.set(m[1]!, Number(m[2]));
  return out;
}
console.log('docs      ms/msg   cpu ms/msg  redis ms/msg  cand/msg  linked/msg  heap MiB  rss MiB');
let msgs = 0;
const rows: unknown[] = [];
let done = 0;
let mark = { ...engineCounters };
let msgMark = 0;
const repeated = new Set<string>();
const corpus = offHeapCorpus(docs);
const corpusDocs = corpus.docs;
let cpuMark = process.cpuUsage();
let redisMark = await redisCpuMs(redis);
let cmdMark = await commandUsec();
let tMark = performance.now(); // after generating the corpus: the first window measures dedup only
/** Starts or stops the CPU profiles asked for (--profile) when document `d` comes next. */
async function profileAt(d: number): Promise<void> {
  for (const [from, to] of profileRanges) {
    if (d === from) await post('Profiler.start');
    if (d === to) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      const file = `dedup-growth-${from}-${to}.cpuprofile`;
      writeFileSync(file, JSON.stringify(profile));
      console.log(`profile of documents ${from}-${to}: ${file} (npx tsx bench/profile-summary.ts ${file})`);
    }
  }
}
for (let d = 0; d < corpusDocs; d++) {
  await profileAt(d);
  const out = await dedup(corpus.doc(d), index);
  msgs += out.segments.length;
  for (const s of out.segments) if (s.duplicateOf) repeated.add(s.cluster);
  done++;
  if (done % window === 0 || done === docs) {
    const now = performance.now();
    const m = msgs - msgMark;
    const cpu = process.cpuUsage(cpuMark);
    const redisNow = await redisCpuMs(redis);
    const cmdNow = await commandUsec();
    // Redis microseconds per message by command (a script's own commands count in both)
    const commands = Object.fromEntries(
      [...cmdNow].map(([c, us]) => [c, (us - (cmdMark.get(c) ?? 0)) / m] as const).filter(([, us]) => us >= 0.5).sort((a, b) => b[1] - a[1]),
    );
    const row = {
      docs: done,
      msPerMessage: (now - tMark) / m,
      cpuMsPerMessage: (cpu.user + cpu.system) / 1000 / m,
      redisMsPerMessage: (redisNow - redisMark) / m,
      redisUsPerMessageByCommand: commands,
      candidates: (engineCounters.candidates - mark.candidates) / m,
      linked: (engineCounters.linked - mark.linked) / m,
      heapMiB: process.memoryUsage().heapUsed / 2 ** 20,
      rssMiB: process.memoryUsage().rss / 2 ** 20,
    };
    rows.push(row);
    console.log(
      `${String(done).padEnd(8)} ${row.msPerMessage.toFixed(4).padStart(8)} ${row.cpuMsPerMessage.toFixed(4).padStart(11)} ${row.redisMsPerMessage.toFixed(4).padStart(13)} ${row.candidates.toFixed(2).padStart(9)} ${row.linked.toFixed(3).padStart(10)} ${row.heapMiB.toFixed(0).padStart(9)} ${row.rssMiB.toFixed(0).padStart(8)}   Redis us/msg: ${Object.entries(commands).map(([c, us]) => `${c} ${us.toFixed(1)}`).join(', ')}`,
    );
    mark = { ...engineCounters };
    cpuMark = process.cpuUsage();
    redisMark = await redisCpuMs(redis);
    cmdMark = await commandUsec();
    tMark = performance.now();
    msgMark = msgs;
  }
}
await profileAt(corpusDocs); // a range may end with the corpus
// The end of a run: messages.jsonl for every repeated cluster.
const outDir = mkdtempSync(path.join(os.tmpdir(), 'textmill-growth-'));
const tFinish = performance.now();
const lines = await writeMessages(outDir, [...repeated], index);
const finishMs = performance.now() - tFinish;
rmSync(outDir, { recursive: true, force: true });
console.log(`messages.jsonl: ${lines} clusters in ${(finishMs / 1000).toFixed(1)} s (${(finishMs / done).toFixed(3)} ms per document)`);
console.log(JSON.stringify({ stats: await index.stats(), rows, finish: { lines, ms: finishMs } }));
if (redis) {
  await index.reset();
  redis.disconnect();
}
