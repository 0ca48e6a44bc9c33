// One measured scenario in its own process (forked by bench/run.ts), so that its peak RSS is
// its own. Reports progress and its result over IPC.
//   inline    (a) runDrop without Redis
//   local     (b) runDrop with Redis and in-process workers (one worker process: this one)
//   produce   (c) runDrop with Redis and no local workers; `textmill worker` processes work
//   readdoc   (d) nlp.readDoc over every text of the drop, nothing else
//   noop      (e) producer of the no-op five-stage chain (bench/noop-worker.ts does the work)
import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { createLogger } from '../src/shared/logger.js';
import { DEFAULTS, resolveSettings } from '../src/shared/config.js';
import { connect } from '../src/shared/redis.js';
import { batchKey, defaultJobOptions, jobId, key, queuePrefix } from '../src/shared/queues.js';
import type { Manifest } from '../src/shared/schemas.js';
import type { IndexStats } from '../src/workers/dedup/index-types.js';
import { listFiles, type ScenarioArgs, type ScenarioResult } from './common.js';

const args = JSON.parse(process.argv[2]!) as ScenarioArgs;
const send = (m: unknown) => process.send?.(m);
const progress = (done: number, total: number | null) => send({ type: 'progress', done, total });

async function pipeline(): Promise<Omit<ScenarioResult, 'maxRssBytes' | 'cpuMs'>> {
  const { runDrop } = await import('../src/pipeline/run.js');
  const settings = resolveSettings({ namespace: args.namespace, ...(args.concurrency ? { concurrency: args.concurrency } : {}) }, process.env);
  const logger = createLogger({ level: 'warn' });
  const latencies: number[] = [];
  let indexStats: (() => Promise<IndexStats>) | undefined;
  if (args.mode === 'inline') {
    // Per-document latency, inline: from the producer's hand-off (its ledger lookup of the new
    // id, right after reading and decoding the file) to the line appended to documents.jsonl.
    const { MemoryLedger } = await import('../src/workers/write/ledger.js');
    const { OutputSink } = await import('../src/workers/write/sink.js');
    const { dedupStage } = await import('../src/workers/dedup/worker.js');
    const start = new Map<string, number>();
    const lookup = MemoryLedger.prototype.documentPath;
    MemoryLedger.prototype.documentPath = function (id: string) {
      start.set(id, performance.now());
      return lookup.call(this, id);
    };
    const write = OutputSink.prototype.writeDocument;
    OutputSink.prototype.writeDocument = async function (doc) {
      const out = await write.call(this, doc);
      const t = start.get(doc.id);
      if (t !== undefined) latencies.push(performance.now() - t);
      start.delete(doc.id);
      return out;
    };
    // The in-memory index lives inside runDrop: take it from the dedup stage's resources.
    const run = dedupStage.run;
    dedupStage.run = (input, res) => {
      indexStats ??= () => res.index.stats();
      return run(input, res);
    };
  }
  const t0 = performance.now();
  const { manifest } = await runDrop({
    dropDir: args.dropDir,
    outDir: args.outDir,
    settings,
    logger,
    ...(args.mode === 'inline' ? {} : { redisUrl: args.redisUrl! }),
    localWorkers: args.mode !== 'produce',
    onProgress: (c) => progress(c.accounted, c.total),
  });
  const elapsedMs = performance.now() - t0;
  return {
    elapsedMs,
    files: manifest.counts.files,
    manifest: manifest as Manifest,
    ...(latencies.length ? { latenciesMs: latencies } : {}),
    ...(indexStats ? { index: await indexStats() } : {}),
  };
}

async function readdoc(): Promise<Omit<ScenarioResult, 'maxRssBytes' | 'cpuMs'>> {
  const { readDoc } = await import('../src/shared/nlp.js');
  const texts = listFiles(args.dropDir).map((f) => readFileSync(f, 'utf8'));
  readDoc('Warm up the model once.');
  const latencies: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < texts.length; i++) {
    const s = performance.now();
    readDoc(texts[i]!);
    latencies.push(performance.now() - s);
    if (i % 50 === 0) progress(i, texts.length);
  }
  const elapsedMs = performance.now() - t0;
  progress(texts.length, texts.length);
  return { elapsedMs, files: texts.length, latenciesMs: latencies };
}

async function noop(): Promise<Omit<ScenarioResult, 'maxRssBytes' | 'cpuMs'>> {
  // The same hand-off as runDrop's: batches of DEFAULTS.batchSize files per job, at most 64
  // files in flight (as many batches as the default run keeps), deterministic ids.
  const redis = connect(args.redisUrl!, 'worker');
  const queue = new Queue('clean', { connection: redis, prefix: queuePrefix(args.namespace), defaultJobOptions: defaultJobOptions(3, 1000) });
  const files = listFiles(args.dropDir);
  const doneKey = key(args.namespace, 'bench', 'done');
  const run = `bench-noop-${Date.now()}`;
  const batchSize = DEFAULTS.batchSize;
  const { maxInFlight: inFlight } = await import('../src/pipeline/run.js');
  const maxInFlight = inFlight(DEFAULTS.concurrency, batchSize);
  const t0 = performance.now();
  let done = 0;
  for (let i = 0; i < files.length; i += batchSize) {
    while (i - done >= maxInFlight) {
      await new Promise((r) => setTimeout(r, 100));
      done = Number(await redis.get(doneKey));
      progress(done, files.length);
    }
    const docs = files.slice(i, i + batchSize).map((f, j) => {
      const text = readFileSync(f, 'utf8');
      return { id: `sha256:${(i + j).toString(16).padStart(64, '0')}`, bytes: Buffer.byteLength(text), text };
    });
    const batch = batchKey(docs.map((d) => d.id.slice(7)));
    await queue.add('clean', { ctx: { run }, key: batch, docs }, { jobId: jobId(run, batch, 'clean') });
  }
  while (done < files.length) {
    await new Promise((r) => setTimeout(r, 100));
    done = Number(await redis.get(doneKey));
    progress(done, files.length);
  }
  const elapsedMs = performance.now() - t0;
  await queue.close();
  redis.disconnect();
  return { elapsedMs, files: files.length };
}

try {
  const r = args.mode === 'readdoc' ? await readdoc() : args.mode === 'noop' ? await noop() : await pipeline();
  // maxRSS is in KiB on Linux
  const cpu = process.cpuUsage();
  send({ type: 'result', result: { ...r, maxRssBytes: process.resourceUsage().maxRSS * 1024, cpuMs: (cpu.user + cpu.system) / 1000 } satisfies ScenarioResult });
} catch (err) {
  send({ type: 'error', message: (err as Error).stack ?? String(err) });
  process.exitCode = 1;
}
