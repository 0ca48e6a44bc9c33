// The dedup stage's time per message against a small and a large index, measured in pairs so
// that the machine's own drift cancels out. Windows of one long run (bench/dedup-growth.ts)
// moved by ±25% from one to the next on this shared VM, as much as the growth being measured.
//
// Two namespaces are filled with the benchmark corpus, one with its first --small documents and
// one with its first --large; then the same --probe new documents go into both, in batches,
// small-then-large and large-then-small in turn. Every batch gives one ratio of large to small.
//
//   npx tsx bench/dedup-paired.ts --small 10000 --large 100000 [--probe 2000] [--batch 100]
//        [--redis redis://127.0.0.1:6379]      (without --redis: the in-memory index)
//
// The target: time per message at 100k documents within 1.2x of 10k.
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { dedup } from '../src/workers/dedup/dedup.js';
import { createMemoryIndex } from '../src/workers/dedup/index-memory.js';
import { createRedisIndex } from '../src/workers/dedup/index-redis.js';
import type { DedupIndex } from '../src/workers/dedup/index-types.js';
import { redisCpuMs } from './common.js';
import { offHeapCorpus } from './corpus.js';

const { values } = parseArgs({
  options: {
    small: { type: 'string', default: '10000' },
    large: { type: 'string', default: '100000' },
    probe: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '100' },
    redis: { type: 'string' },
  },
});
const small = Number(values.small);
const large = Number(values.large);
const probe = Number(values.probe);
const batch = Number(values.batch);
if (!(small > 0 && large > small && probe >= batch && batch > 0)) throw new RangeError('need 0 < --small < --large and 0 < --batch <= --probe');

const redis = values.redis ? new Redis(values.redis) : null;
const open = (ns: string): DedupIndex => (redis ? createRedisIndex(redis, ns) : createMemoryIndex(ns));
const side = { small: open('bench-paired-small'), large: open('bench-paired-large') };
await side.small.reset();
await side.large.reset();

const t0 = performance.now();
const corpus = offHeapCorpus(large + probe);
console.log(`corpus: ${corpus.docs} documents in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

// One index after the other: filled side by side, the small index's entries would sit between
// the large one's in Redis's memory, spread over more pages than a 10k index alone would use.
const t1 = performance.now();
for (const [s, n] of [['small', small], ['large', large]] as const) {
  for (let d = 0; d < n; d++) {
    await dedup(corpus.doc(d), side[s]);
    if ((d + 1) % 10000 === 0) console.log(`filled ${s} ${d + 1}/${n} (${((performance.now() - t1) / 1000).toFixed(0)} s)`);
  }
}

interface Batch {
  ms: number;
  messages: number;
  nodeCpuMs: number;
  redisCpuMs: number;
}

/** One batch of probe documents into one index. */
async function run(index: DedupIndex, from: number): Promise<Batch> {
  const docs = Array.from({ length: batch }, (_, i) => corpus.doc(large + from + i));
  const redis0 = await redisCpuMs(redis);
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  let messages = 0;
  for (const doc of docs) messages += (await dedup(doc, index)).segments.length;
  const ms = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  return { ms, messages, nodeCpuMs: (cpu.user + cpu.system) / 1000, redisCpuMs: (await redisCpuMs(redis)) - redis0 };
}

const ratios: number[] = [];
const zero = (): Batch => ({ ms: 0, messages: 0, nodeCpuMs: 0, redisCpuMs: 0 });
const total = { small: zero(), large: zero() };
for (let from = 0, i = 0; from + batch <= probe; from += batch, i++) {
  const order = i % 2 === 0 ? (['small', 'large'] as const) : (['large', 'small'] as const);
  const r: Record<string, Batch> = {};
  for (const s of order) {
    const b = (r[s] = await run(side[s], from));
    for (const k of Object.keys(b) as (keyof Batch)[]) total[s][k] += b[k];
  }
  ratios.push(r.large!.ms / r.small!.ms);
}
ratios.sort((a, b) => a - b);
const q = (p: number) => ratios[Math.min(ratios.length - 1, Math.floor(p * ratios.length))]!;
const per = (s: keyof typeof total) => total[s].ms / total[s].messages;
const stats = { small: await side.small.stats(), large: await side.large.stats() };
const result = {
  index: redis ? 'redis' : 'memory',
  small,
  large,
  probe,
  batch,
  msPerMessage: { small: per('small'), large: per('large') },
  nodeCpuMsPerMessage: { small: total.small.nodeCpuMs / total.small.messages, large: total.large.nodeCpuMs / total.large.messages },
  redisCpuMsPerMessage: { small: total.small.redisCpuMs / total.small.messages, large: total.large.redisCpuMs / total.large.messages },
  ratio: per('large') / per('small'),
  batchRatio: { p10: q(0.1), median: q(0.5), p90: q(0.9) },
  bytesPerMessage: { small: (stats.small.bytes ?? 0) / stats.small.messages, large: (stats.large.bytes ?? 0) / stats.large.messages },
  stats,
};
console.log(
  `time per message: ${per('small').toFixed(4)} ms at ${small} documents, ${per('large').toFixed(4)} ms at ${large}: ` +
    `${result.ratio.toFixed(2)}x (per batch: median ${q(0.5).toFixed(2)}x, p10 ${q(0.1).toFixed(2)}x, p90 ${q(0.9).toFixed(2)}x, ${ratios.length} batches)`,
);
console.log(
  `CPU per message: Node ${result.nodeCpuMsPerMessage.small.toFixed(4)} -> ${result.nodeCpuMsPerMessage.large.toFixed(4)} ms, ` +
    `Redis ${result.redisCpuMsPerMessage.small.toFixed(4)} -> ${result.redisCpuMsPerMessage.large.toFixed(4)} ms`,
);
console.log(`index bytes per message: ${result.bytesPerMessage.small.toFixed(0)} at ${small}, ${result.bytesPerMessage.large.toFixed(0)} at ${large}`);
console.log(JSON.stringify(result));
await side.small.reset();
await side.large.reset();
redis?.disconnect();
