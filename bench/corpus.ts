// Benchmark corpus: the synthetic generator's documents (fixed seed, planted near-duplicate
// messages, ~1-10 KB each) written as text files into a drop folder. A thin adapter over
// src/synth/generate.ts: paragraphs are separated by a blank line as in a real press release,
// and a small share of files are byte-for-byte copies of an earlier file (the producer's
// `duplicate` path), so the drop holds both kinds of planted duplicates.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { cleanDocFromLines, generateCorpus, prng } from '../src/synth/generate.js';
import type { CleanDoc } from '../src/shared/schemas.js';

export interface BenchCorpus {
  dir: string;
  docs: number;
  files: number;
  bytes: number;
  /** exact copies among the files */
  copies: number;
  /** planted near-duplicate segments (the generator's reused messages) */
  plantedSegments: number;
  /** the texts, in file order (for the bare wink-nlp pass) */
  texts: string[];
  genMs: number;
}

export const SEED = 20240607;
const COPY_RATE = 0.01;

export function writeCorpus(root: string, docs: number, seed = SEED): BenchCorpus {
  const t0 = performance.now();
  const dir = path.join(root, `drop-${docs}`);
  mkdirSync(dir, { recursive: true });
  const corpus = generateCorpus({ docs, seed, minBytes: 1024, maxBytes: 10240 });
  const r = prng(seed ^ 0x5bd1e995);
  const texts: string[] = [];
  let bytes = 0;
  let copies = 0;
  let planted = 0;
  for (let d = 0; d < corpus.docs.length; d++) {
    const doc = corpus.docs[d]!;
    planted += corpus.truth[d]!.filter((t) => !t.source).length;
    const text = doc.segments.map((s) => s.text).join('\n\n') + '\n';
    // 100 files per folder, like a drop of several days
    const sub = path.join(dir, String(Math.floor(d / 100)).padStart(4, '0'));
    if (d % 100 === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, `${String(d).padStart(6, '0')}.txt`), text);
    texts.push(text);
    bytes += Buffer.byteLength(text);
    if (d > 0 && r() < COPY_RATE) {
      const j = Math.floor(r() * d);
      const copy = texts[j]!;
      writeFileSync(path.join(sub, `${String(d).padStart(6, '0')}-copy.txt`), copy);
      texts.push(copy);
      bytes += Buffer.byteLength(copy);
      copies++;
    }
  }
  return { dir, docs, files: texts.length, bytes, copies, plantedSegments: planted, texts, genMs: performance.now() - t0 };
}

/**
 * The benchmark's documents (same seed and sizes), kept as UTF-8 in one Buffer outside the
 * JavaScript heap, with the generator's garbage collected before it returns: a heap of a
 * gigabyte of texts (1 to 2.5 GiB between runs, with the collector's timing) made the dedup
 * benchmarks' first windows slower than dedup alone is. `doc(d)` rebuilds document d's clean
 * output, one paragraph per generated message.
 */
export function offHeapCorpus(docs: number, seed = SEED): { docs: number; doc(d: number): CleanDoc } {
  const parts = generateCorpus({ docs, seed, minBytes: 1024, maxBytes: 10240 }).docs.map((d) => Buffer.from(d.segments.map((s) => s.text).join('\n')));
  const offsets = new Float64Array(parts.length + 1);
  parts.forEach((b, i) => (offsets[i + 1] = offsets[i]! + b.length));
  const bytes = Buffer.concat(parts);
  parts.length = 0;
  v8.setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return {
    docs: offsets.length - 1,
    doc: (d) =>
      cleanDocFromLines(
        bytes.toString('utf8', offsets[d], offsets[d + 1]).split('\n').map((text) => ({ kind: 'paragraph' as const, text })),
        `${d}.txt`,
      ),
  };
}
