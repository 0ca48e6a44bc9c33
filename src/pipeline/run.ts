// `textmill run`: one drop through the five stages into an output folder, over BullMQ or
// inline, until every file is accounted for.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Settings } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { checkEvictionPolicy, connect } from '../shared/redis.js';
import { produceDrop } from '../producers/produce.js';
import { VERSION } from '../shared/version.js';
import { createMemoryIndex } from '../workers/dedup/index-memory.js';
import { createRedisIndex } from '../workers/dedup/index-redis.js';
import type { DedupIndex } from '../workers/dedup/index-types.js';
import { MemoryLedger, RedisLedger, type Ledger } from '../workers/write/ledger.js';
import { OutputSink, scanOutput, type RejectionRecord } from '../workers/write/sink.js';
import { writeRecord } from './write-record.js';
import { closeQueues, enqueueClean, openQueues, startWorkers, type Queues, type WorkerSet } from './bullmq.js';
import { newRunId, type RunCtx } from './context.js';
import { writeManifest, writeMessages } from './finish.js';
import { limiter, processInline } from './inline.js';
import { loadResources } from './resources.js';
import { MemoryRunState, RedisRunState, type RunCounts, type RunState } from './run-state.js';
import type { Manifest } from '../shared/schemas.js';
import { STAGES } from '../shared/queues.js';

export interface RunOptions {
  dropDir: string;
  outDir: string;
  settings: Settings;
  logger: Logger;
  /** absent for --inline */
  redisUrl?: string;
  /** start in-process workers (false when separate `textmill worker` processes do the work) */
  localWorkers?: boolean;
  onProgress?(c: RunCounts): void;
  signal?: AbortSignal;
}

export interface RunResult {
  manifest: Manifest;
  counts: RunCounts;
}

const POLL_MS = 100;

export async function runDrop(o: RunOptions): Promise<RunResult> {
  const startedAt = new Date();
  const outDir = path.resolve(o.outDir);
  mkdirSync(outDir, { recursive: true });
  const ctx: RunCtx = { run: newRunId(startedAt), outDir, version: VERSION };
  const log = o.logger.child({ run: ctx.run });
  const inline = o.redisUrl === undefined;

  let redis: Redis | undefined;
  let queues: Queues | undefined;
  let workers: WorkerSet | undefined;
  let index: DedupIndex;
  let ledger: Ledger;
  let state: RunState;
  if (inline) {
    index = createMemoryIndex(o.settings.namespace);
    ledger = new MemoryLedger();
    state = new MemoryRunState();
  } else {
    redis = connect(o.redisUrl!, 'worker');
    await checkEvictionPolicy(redis);
    index = createRedisIndex(redis, o.settings.namespace);
    ledger = new RedisLedger(redis, o.settings.namespace, outDir);
    state = new RedisRunState(redis, o.settings.namespace, ctx.run);
  }

  try {
    // The files are the truth about what the output folder holds; the ledger is rebuilt from them.
    const existing = await scanOutput(outDir);
    if (ledger instanceof RedisLedger) await ledger.reset();
    await ledger.load(existing.docs, existing.rejected);
    const sink = new OutputSink(outDir, ledger);
    const resources = loadResources(o.settings, index);
    const reject = (rejection: RejectionRecord) => writeRecord({ type: 'rejected', rejection }, ctx, sink, state);

    const ticker = setInterval(() => {
      if (o.onProgress) void state.counts().then(o.onProgress, () => {});
    }, 250);
    try {
      if (inline) {
        const limit = limiter(o.settings.concurrency);
        const inflight: Promise<void>[] = [];
        await produceDrop(o.dropDir, {
          maxFileBytes: o.settings.maxFileBytes,
          ledger,
          state,
          reject,
          signal: o.signal,
          ready: async () => {
            while (limit.pending() >= o.settings.concurrency * 2) await new Promise((r) => setTimeout(r, 1));
          },
          submit: async (input) => {
            inflight.push(limit.run(() => processInline(input, ctx, resources, sink, state)));
          },
        });
        await Promise.all(inflight);
      } else {
        queues = openQueues(redis!, o.settings.namespace, o.settings.attempts, o.settings.backoffMs);
        if (o.localWorkers !== false) {
          workers = startWorkers({
            connection: redis!,
            namespace: o.settings.namespace,
            stages: STAGES,
            concurrency: o.settings.concurrency,
            resources,
            queues,
            logger: log,
          });
        }
        let submitted = 0;
        const maxInFlight = Math.max(64, o.settings.concurrency * 16);
        await produceDrop(o.dropDir, {
          maxFileBytes: o.settings.maxFileBytes,
          ledger,
          state,
          reject,
          signal: o.signal,
          // Bounded hand-off: a 100k-file drop must not sit in Redis all at once.
          ready: async () => {
            while (submitted - (await state.counts()).accounted > maxInFlight) await new Promise((r) => setTimeout(r, POLL_MS));
          },
          submit: async (input) => {
            await enqueueClean(queues!, ctx, input);
            submitted++;
          },
        });
        while (!(await state.finished())) {
          if (o.signal?.aborted) throw new Error('run interrupted before every file was accounted for');
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
      }
    } finally {
      clearInterval(ticker);
    }

    const counts = await state.counts();
    o.onProgress?.(counts);
    const clusters = await writeMessages(outDir, await state.repeatedClusters(), index);
    const manifest = writeManifest(outDir, {
      run: ctx.run,
      namespace: o.settings.namespace,
      startedAt,
      endedAt: new Date(),
      version: VERSION,
      transport: inline ? 'inline' : 'bullmq',
      counts,
      clusters,
    });
    return { manifest, counts };
  } finally {
    await workers?.close();
    if (queues) await closeQueues(queues);
    redis?.disconnect();
  }
}
