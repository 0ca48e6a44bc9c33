// Pair precision and recall of the dedup stage on a generated corpus, by edit-rate band.
//
//   npx tsx src/synth/evaluate-dedup.ts --docs 2000 [--seed 42] [--threshold 0.5] [--chain-threshold 0.7]
//        [--bands 16 --rows 3] [--max-candidates 24] [--redis redis://127.0.0.1:6379 --namespace synth-eval] [--json]
//
// A predicted pair is two segments in one cluster; it is true when both were planted from the
// same source message. Recall is reported by the planted edit rate (pairs of a source and its
// variant) and by the measured word-level Jaccard of each planted pair (any two planted copies).
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { dedup } from '../workers/dedup/dedup.js';
import { engineCounters } from '../workers/dedup/engine.js';
import { createMemoryIndex } from '../workers/dedup/index-memory.js';
import type { DedupIndex } from '../workers/dedup/index-types.js';
import { normalizeTokens, type SimilarityParams } from '../workers/dedup/similarity.js';
import { generateCorpus, type SynthCorpus } from './generate.js';

export function wordJaccard(a: string, b: string): number {
  const sa = new Set(normalizeTokens(a));
  const sb = new Set(normalizeTokens(b));
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  const union = sa.size + sb.size - inter;
  return union === 0 ? 1 : inter / union;
}

export const J_BANDS = [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0] as const;
const bandOf = (j: number) => J_BANDS.find((b) => j >= b) ?? 0;
const bandLabel = (b: number) => (b === 1 ? '=1.0 (identical words)' : `[${b.toFixed(1)}, ${Math.min(1, b + (b === 0 ? 0.4 : 0.1)).toFixed(1)})`);

export interface BandScore {
  band: string;
  gold: number;
  recalled: number;
  recall: number;
  predicted: number;
  truePredicted: number;
  precision: number;
}

export interface DedupScore {
  pairs: { gold: number; predicted: number; tp: number; fp: number; precision: number; recall: number };
  /** by word-level Jaccard of the pair */
  byJaccard: BandScore[];
  /** source-variant pairs by planted edit rate */
  byRate: { rate: number; gold: number; recalled: number; recall: number }[];
  /** precision and recall over planted pairs with word Jaccard >= 0.7 */
  atLeast07: { precision: number; recall: number };
  falsePositives: { a: string; b: string; jaccard: number }[];
}

/** Scores the clusters given to the corpus' segments (cluster(docIndex, segIndex)). */
export function scoreCorpus(corpus: SynthCorpus, cluster: (d: number, s: number) => string): DedupScore {
  const text = (k: string) => {
    const [d, s] = k.split(':').map(Number) as [number, number];
    return corpus.docs[d]!.segments[s]!.text;
  };
  const group = (k: string) => {
    const [d, s] = k.split(':').map(Number) as [number, number];
    return corpus.truth[d]![s]!.group;
  };
  const clusterOf = (k: string) => {
    const [d, s] = k.split(':').map(Number) as [number, number];
    return cluster(d, s);
  };
  const bands = new Map<number, { gold: number; recalled: number; predicted: number; truePredicted: number }>();
  const band = (b: number) => {
    let x = bands.get(b);
    if (!x) bands.set(b, (x = { gold: 0, recalled: 0, predicted: 0, truePredicted: 0 }));
    return x;
  };
  const rates = new Map<number, { gold: number; recalled: number }>();
  let recalled = 0;
  let g07 = 0, r07 = 0, p07 = 0, tp07 = 0;
  for (const [a, b] of corpus.pairs) {
    const j = wordJaccard(text(a), text(b));
    const hit = clusterOf(a) === clusterOf(b);
    const x = band(bandOf(j));
    x.gold++;
    if (hit) {
      x.recalled++;
      recalled++;
    }
    if (j >= 0.7) {
      g07++;
      if (hit) r07++;
    }
    const [da, sa] = a.split(':').map(Number) as [number, number];
    const [db, sb] = b.split(':').map(Number) as [number, number];
    const ta = corpus.truth[da]![sa]!, tb = corpus.truth[db]![sb]!;
    if (ta.source || tb.source) {
      const rate = ta.source ? tb.rate : ta.rate;
      let y = rates.get(rate);
      if (!y) rates.set(rate, (y = { gold: 0, recalled: 0 }));
      y.gold++;
      if (hit) y.recalled++;
    }
  }
  // predicted pairs: all pairs within each cluster
  const byCluster = new Map<string, string[]>();
  corpus.docs.forEach((doc, d) =>
    doc.segments.forEach((_, s) => {
      const c = cluster(d, s);
      const list = byCluster.get(c);
      if (list) list.push(`${d}:${s}`);
      else byCluster.set(c, [`${d}:${s}`]);
    }),
  );
  let predicted = 0, tp = 0;
  const falsePositives: DedupScore['falsePositives'] = [];
  for (const list of byCluster.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let k = i + 1; k < list.length; k++) {
        const a = list[i]!, b = list[k]!;
        const j = wordJaccard(text(a), text(b));
        const ok = group(a) === group(b);
        predicted++;
        const x = band(bandOf(j));
        x.predicted++;
        if (j >= 0.7) p07++;
        if (ok) {
          tp++;
          x.truePredicted++;
          if (j >= 0.7) tp07++;
        } else if (falsePositives.length < 20) falsePositives.push({ a, b, jaccard: Math.round(j * 1000) / 1000 });
      }
    }
  }
  const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
  return {
    pairs: { gold: corpus.pairs.length, predicted, tp, fp: predicted - tp, precision: ratio(tp, predicted), recall: ratio(recalled, corpus.pairs.length) },
    byJaccard: [...J_BANDS].map((b) => {
      const x = band(b);
      return { band: bandLabel(b), ...x, recall: ratio(x.recalled, x.gold), precision: ratio(x.truePredicted, x.predicted) };
    }),
    byRate: [...rates.entries()].sort(([a], [b]) => a - b).map(([rate, y]) => ({ rate, ...y, recall: ratio(y.recalled, y.gold) })),
    atLeast07: { precision: ratio(tp07, p07), recall: ratio(r07, g07) },
    falsePositives,
  };
}

/** Runs dedup() over the corpus in order and scores the result; returns the time per message too. */
export async function evaluateIndex(corpus: SynthCorpus, index: DedupIndex): Promise<{ score: DedupScore; msPerMessage: number; messages: number }> {
  const clusters: string[][] = [];
  let messages = 0;
  const t0 = performance.now();
  for (const doc of corpus.docs) {
    const out = await dedup(doc, index);
    clusters.push(out.segments.map((s) => s.cluster));
    messages += out.segments.length;
  }
  const ms = performance.now() - t0;
  return { score: scoreCorpus(corpus, (d, s) => clusters[d]![s]!), msPerMessage: ms / messages, messages };
}

const pct = (x: number) => x.toFixed(3);

export function formatScore(s: DedupScore): string {
  const out: string[] = [];
  out.push(`pairs: gold=${s.pairs.gold} predicted=${s.pairs.predicted} tp=${s.pairs.tp} fp=${s.pairs.fp} P=${pct(s.pairs.precision)} R=${pct(s.pairs.recall)}`);
  out.push(`word Jaccard >= 0.7: P=${pct(s.atLeast07.precision)} R=${pct(s.atLeast07.recall)}`);
  out.push('by word-level Jaccard of the pair:');
  out.push('  band                    gold  recall   predicted  precision');
  for (const b of s.byJaccard) out.push(`  ${b.band.padEnd(22)} ${String(b.gold).padStart(5)}  ${pct(b.recall)}   ${String(b.predicted).padStart(9)}  ${pct(b.precision)}`);
  out.push('source-variant pairs by planted edit rate:');
  for (const r of s.byRate) out.push(`  rate ${r.rate.toFixed(2)}  gold ${String(r.gold).padStart(5)}  recall ${pct(r.recall)}`);
  if (s.falsePositives.length) out.push(`false positives (first ${s.falsePositives.length}): ${s.falsePositives.map((f) => `${f.a}~${f.b} J=${f.jaccard}`).join(', ')}`);
  return out.join('\n');
}

async function main() {
  const { values } = parseArgs({
    options: {
      docs: { type: 'string', default: '2000' },
      seed: { type: 'string', default: '42' },
      threshold: { type: 'string' },
      'chain-threshold': { type: 'string' },
      bands: { type: 'string' },
      rows: { type: 'string' },
      'max-candidates': { type: 'string' },
      'max-bucket': { type: 'string' },
      redis: { type: 'string' },
      namespace: { type: 'string', default: 'synth-eval' },
      json: { type: 'boolean', default: false },
    },
  });
  const params: Partial<SimilarityParams> = {};
  if (values.threshold) params.threshold = Number(values.threshold);
  if (values['chain-threshold']) params.chainThreshold = Number(values['chain-threshold']);
  if (values.bands) params.bands = Number(values.bands);
  if (values.rows) params.rows = Number(values.rows);
  if (values['max-candidates']) params.maxCandidates = Number(values['max-candidates']);
  if (values['max-bucket']) params.maxBucket = Number(values['max-bucket']);
  const t0 = performance.now();
  const corpus = generateCorpus({ docs: Number(values.docs), seed: Number(values.seed) });
  const genMs = performance.now() - t0;
  let index: DedupIndex;
  let close = async () => {};
  if (values.redis) {
    const { Redis } = await import('ioredis');
    const { createRedisIndex } = await import('../workers/dedup/index-redis.js');
    const redis = new Redis(values.redis);
    index = createRedisIndex(redis, values.namespace!, { params });
    await index.reset();
    close = async () => {
      await index.reset();
      redis.disconnect();
    };
  } else index = createMemoryIndex('synth-eval', { params });
  const { score, msPerMessage, messages } = await evaluateIndex(corpus, index);
  const stats = await index.stats();
  await close();
  if (values.json) {
    console.log(JSON.stringify({ docs: corpus.docs.length, messages, msPerMessage, stats, score }));
    return;
  }
  console.log(`corpus: ${corpus.docs.length} documents, ${messages} messages, ${corpus.pairs.length} planted pairs (generated in ${Math.round(genMs)} ms)`);
  console.log(`dedup: ${(msPerMessage * 1000).toFixed(1)} µs per message (${values.redis ? 'Redis' : 'memory'} index); index ${JSON.stringify(stats)}`);
  console.log(`candidates per message: ${(engineCounters.candidates / Math.max(1, engineCounters.messages)).toFixed(1)}, commit conflicts: ${engineCounters.conflicts}`);
  console.log(formatScore(score));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
