// The heap of a process whose wink-nlp keeps meeting words it has not seen (names, numbers,
// typos in a worker that runs for weeks), with and without replacing the instance
// (src/shared/nlp.ts). Usage: node --expose-gc --import tsx bench/nlp-memory.ts [off] [millions of words]
import { nlpStats, readDoc, recycleNlpAfter } from '../src/shared/nlp.js';

const off = process.argv[2] === 'off';
const words = Number(process.argv[3] ?? 1) * 1_000_000;
if (off) recycleNlpAfter(Number.POSITIVE_INFINITY, 1000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
const base = heapMb();
const t0 = performance.now();
const reads = words / 100;
for (let i = 0; i < reads; i++) {
  // 100 words never seen before, in an ordinary sentence
  readDoc(Array.from({ length: 100 }, (_, j) => `vq${i.toString(36)}x${j}zk`).join(' ') + ' and the usual words of a sentence.');
  if ((i + 1) % (reads / 4) === 0) {
    console.log(`${off ? 'one instance' : 'replaced'}: ${((i + 1) * 100) / 1000}k new words, heap +${(heapMb() - base).toFixed(0)} MB, instances ${nlpStats().instances}`);
  }
}
console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);
