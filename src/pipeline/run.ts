// A pipeline session: everything one run needs (run id, index, ledger, counters, sink,
// transport), opened once. `runDrop` (textmill run / produce) hands it a whole drop and waits;
// `textmill watch` hands it files as they arrive.
import { mkdirSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { handleEntry, produceDrop, READ_AHEAD, type HandOff } from '../producers/produce.js';
import type { DropEntry } from '../producers/scan.js';
import type { Settings } from '../shared/config.js';
import { OutputError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { STAGES } from '../shared/queues.js';
import { checkEvictionPolicy, connect } from '../shared/redis.js';
import type { CleanInput, Manifest } from '../shared/schemas.js';
import { VERSION } from '../shared/version.js';
import { createMemoryIndex } from '../workers/dedup/index-memory.js';
import { createRedisIndex } from '../workers/dedup/index-redis.js';
import type { DedupIndex } from '../workers/dedup/index-types.js';
import { MemoryLedger, RedisLedger, type Ledger } from '../workers/write/ledger.js';
import { FILES, OutputSink, scanOutput, type RejectionRecord } from '../workers/write/sink.js';
import { Batcher } from './batcher.js';
import { closeQueues, enqueueClean, openQueues, startWorkers, type Queues, type WorkerSet } from './bullmq.js';
import { newRunId, type RunCtx } from './context.js';
import { WIRE_FORMAT } from './wire.js';
import { writeManifest, writeMessages } from './finish.js';
import { limiter, processInline } from './inline.js';
import { indexOptions, loadResources } from './resources.js';
import { MemoryRunState, RedisRunState, STAGE_FLUSH_MS, type RunCounts, type RunState } from './run-state.js';
import { MemoryRunStop, RedisRunStop, type RunStop } from './run-stop.js';
import { spawnWorkerProcesses, type WorkerProcesses } from './worker-processes.js';
import { oneLine, writeRecord } from './write-record.js';

export interface SessionOptions {
  outDir: string;
  settings: Settings;
  logger: Logger;
  /** absent for --inline */
  redisUrl?: string | undefined;
  /** start in-process workers (false when separate `textmill worker` processes do the work) */
  localWorkers?: boolean;
  /** extra `textmill worker` child processes besides the in-process workers */
  workerProcesses?: number;
}

const POLL_MS = 100;
/** A batch goes when it holds this much text (characters), even with fewer than batchSize documents. */
const BATCH_BYTES = 256 * 1024;
/** ... or when its first document has waited this long: a watched folder's lone new file does not wait for more. */
const BATCH_WAIT_MS = 250;

/** Documents a BullMQ run keeps in flight: enough batches for every stage of every worker process to have one at hand. */
export function maxInFlight(concurrency: number, batchSize: number): number {
  return Math.max(64, concurrency * 16, batchSize * concurrency * 4);
}

export class PipelineSession {
  private firstPathOfId = new Map<string, string>();
  private submitted = 0;
  private inflight = new Set<Promise<void>>();
  private limit;
  /** the clean stage's jobs, a batch of documents each (BullMQ runs) */
  private batcher: Batcher<CleanInput> | undefined;

  private constructor(
    readonly ctx: RunCtx,
    readonly startedAt: Date,
    private o: SessionOptions,
    readonly state: RunState,
    private stop: RunStop,
    readonly ledger: Ledger,
    readonly index: DedupIndex,
    private sink: OutputSink,
    private resources: ReturnType<typeof loadResources>,
    private redis?: Redis,
    private queues?: Queues,
    private workers?: WorkerSet,
    private children?: WorkerProcesses,
  ) {
    this.limit = limiter(o.settings.concurrency);
    if (queues) {
      this.batcher = new Batcher<CleanInput>({
        maxItems: o.settings.batchSize,
        maxBytes: BATCH_BYTES,
        maxWaitMs: BATCH_WAIT_MS,
        bytes: (input) => input.rawText.length,
        send: (inputs) => enqueueClean(queues, this.ctx, inputs),
      });
    }
  }

  get inline(): boolean {
    return this.redis === undefined;
  }

  static async open(o: SessionOptions): Promise<PipelineSession> {
    const outDir = path.resolve(o.outDir);
    mkdirSync(outDir, { recursive: true });
    const startedAt = new Date();
    const ctx: RunCtx = { run: newRunId(startedAt), outDir, version: VERSION, wire: WIRE_FORMAT };
    let redis: Redis | undefined;
    let index: DedupIndex;
    let ledger: Ledger;
    let state: RunState;
    let stop: RunStop;
    if (o.redisUrl === undefined) {
      index = createMemoryIndex(o.settings.namespace, indexOptions(o.settings));
      ledger = new MemoryLedger();
      state = new MemoryRunState();
      stop = new MemoryRunStop();
    } else {
      redis = connect(o.redisUrl, 'worker');
      try {
        await checkEvictionPolicy(redis);
      } catch (err) {
        redis.disconnect();
        throw err;
      }
      index = createRedisIndex(redis, o.settings.namespace, indexOptions(o.settings));
      ledger = new RedisLedger(redis, o.settings.namespace, outDir);
      state = new RedisRunState(redis, o.settings.namespace, ctx.run);
      stop = new RedisRunStop(redis, o.settings.namespace, ctx.run);
    }
    // The files are the truth about what the output folder holds; the ledger is rebuilt from them.
    let existing: Awaited<ReturnType<typeof scanOutput>>;
    try {
      await checkWritable(outDir);
      existing = await scanOutput(outDir);
    } catch (err) {
      redis?.disconnect();
      throw err instanceof OutputError ? err : new OutputError(`The output folder ${outDir} cannot be read (${oneLine(err)}).`);
    }
    if (ledger instanceof RedisLedger) await ledger.reset();
    await ledger.load(existing.docs, existing.rejected);
    const sink = new OutputSink(outDir, ledger);
    const resources = loadResources(o.settings, index);

    let queues: Queues | undefined;
    let workers: WorkerSet | undefined;
    let children: WorkerProcesses | undefined;
    if (redis) {
      queues = openQueues(redis, o.settings.namespace, o.settings.attempts, o.settings.backoffMs);
      if (o.localWorkers !== false) {
        workers = startWorkers({
          connection: redis,
          namespace: o.settings.namespace,
          stages: STAGES,
          concurrency: o.settings.concurrency,
          resources,
          queues,
          logger: o.logger,
        });
      }
      if ((o.workerProcesses ?? 0) > 0) {
        children = spawnWorkerProcesses(o.workerProcesses!, { redisUrl: o.redisUrl!, settings: o.settings, logger: o.logger });
      }
    }
    return new PipelineSession(ctx, startedAt, o, state, stop, ledger, index, sink, resources, redis, queues, workers, children);
  }

  private handOff(): HandOff {
    return {
      maxFileBytes: this.o.settings.maxFileBytes,
      ledger: this.ledger,
      state: this.state,
      reject: async (rejection: RejectionRecord) => {
        try {
          await writeRecord({ type: 'rejected', rejection }, this.ctx, this.sink, this.state);
        } catch (err) {
          throw new OutputError(
            `The rejected.jsonl line of ${JSON.stringify(rejection.path)} (${rejection.code}) could not be written (${oneLine(err)}); ` +
              `the output folder ${this.ctx.outDir} is not writable, so the run stops before every file is accounted for.`,
          );
        }
      },
      submit: (input: CleanInput) => this.submit(input),
    };
  }

  private async submit(input: CleanInput): Promise<void> {
    this.submitted++;
    if (this.batcher) return this.batcher.add(input);
    // processInline throws only when not even the file's rejected line can be written.
    const p = this.limit
      .run(() => processInline(input, this.ctx, this.resources, this.sink, this.state))
      .catch((err) => this.stop.set(err instanceof Error ? err.message : String(err)));
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /** Waits while too much work is in flight: a 100k-file drop must not sit in memory or Redis at once. */
  private async ready(): Promise<void> {
    await this.checkStop();
    if (this.inline) {
      while (this.limit.pending() >= this.o.settings.concurrency * 2) await Promise.race(this.inflight);
      return this.checkStop();
    }
    const limit = maxInFlight(this.o.settings.concurrency, this.o.settings.batchSize);
    // The count only grows, so while the last one read leaves room there is no need to ask
    // Redis again: asking for every file was several round trips per document.
    while (this.submitted - this.knownAccounted > limit) {
      this.knownAccounted = await this.state.accounted();
      if (this.submitted - this.knownAccounted <= limit) break;
      await this.checkStop();
      await sleep(POLL_MS);
    }
  }

  private stopCheckedAt = 0;
  /** files accounted for when last asked (a lower bound of the current count) */
  private knownAccounted = 0;

  /**
   * Throws when some process found that the run cannot account for every file (see
   * run-stop.ts). Looked at most every POLL_MS, so a large drop does not pay a Redis round
   * trip per file.
   */
  private async checkStop(): Promise<void> {
    const now = Date.now();
    if (now - this.stopCheckedAt < POLL_MS) return;
    this.stopCheckedAt = now;
    const reason = await this.stop.get();
    if (reason) throw new OutputError(reason);
  }

  /** hand-offs of handle() not known to be done (watch mode; settle() waits for them) */
  private handOffs = new Set<Promise<void>>();

  /**
   * One file (watch mode). Returns once the file is decided, without waiting for its batch to
   * go: a folder of new files would otherwise hand them on one per BATCH_WAIT_MS, each alone.
   */
  async handle(entry: DropEntry): Promise<void> {
    await this.ready();
    const { submitted } = await handleEntry(entry, this.handOff(), this.firstPathOfId);
    if (!submitted) return;
    this.handOffs.add(submitted);
    // a failure is thrown by settle(); until then it is no unhandled rejection
    submitted.then(() => this.handOffs.delete(submitted), () => {});
  }

  /** A whole drop; sets the run's total when the walk is done. */
  async produce(dropDir: string, signal?: AbortSignal): Promise<void> {
    await produceDrop(dropDir, {
      ...this.handOff(),
      ready: () => this.ready(),
      signal,
      readAhead: this.inline ? 1 : READ_AHEAD,
      // the last batch goes now rather than after BATCH_WAIT_MS
      walked: () => void this.batcher?.flush(),
    });
  }

  /** Resolves when every file handed in so far is accounted for. */
  async settle(expected: number | null, signal?: AbortSignal): Promise<void> {
    await this.batcher?.flush();
    await Promise.all(this.handOffs);
    await Promise.all(this.inflight);
    for (;;) {
      const c = await this.state.counts();
      const target = expected ?? c.total;
      if (target !== null && c.accounted >= target) return;
      await this.checkStop();
      if (signal?.aborted) throw new Error('run interrupted before every file was accounted for');
      await sleep(POLL_MS);
    }
  }

  counts(): Promise<RunCounts> {
    return this.state.counts();
  }

  /** The counts once every file handed in is accounted for, with every stage counter in. */
  async finalCounts(): Promise<RunCounts> {
    if (!this.inline) {
      // Worker processes send their stage counters every STAGE_FLUSH_MS (StageTally): this
      // process's now, the others' within that time, so the manifest's time per stage is whole.
      await this.workers?.flushCounters();
      await sleep(STAGE_FLUSH_MS + 50);
    }
    return this.state.counts();
  }

  /** messages.jsonl and manifest.json for everything this session has written. */
  async finish(final?: RunCounts): Promise<Manifest> {
    const counts = final ?? (await this.finalCounts());
    const clusters = await writeMessages(this.ctx.outDir, await this.state.repeatedClusters(), this.index);
    return writeManifest(this.ctx.outDir, {
      run: this.ctx.run,
      namespace: this.o.settings.namespace,
      startedAt: this.startedAt,
      endedAt: new Date(),
      version: VERSION,
      transport: this.inline ? 'inline' : 'bullmq',
      counts,
      clusters,
    });
  }

  /** Stops taking work, lets in-flight jobs finish, closes connections. */
  async close(): Promise<void> {
    // A batch still waiting here belongs to a run that stopped on an error (a run that ends
    // well has sent everything): sent later, its files would be processed after the run gave up.
    this.batcher?.cancel(new Error('the run stopped before this batch of files was handed on'));
    await Promise.allSettled(this.inflight);
    await this.children?.stop();
    await this.workers?.close();
    if (this.queues) await closeQueues(this.queues);
    this.redis?.disconnect();
  }
}

/** Fails early, with the file and the reason, when the output files cannot be appended to. */
async function checkWritable(outDir: string): Promise<void> {
  for (const f of [FILES.documents, FILES.rejected]) {
    const file = path.join(outDir, f);
    try {
      await (await openFile(file, 'a')).close();
    } catch (err) {
      throw new OutputError(`The output file ${file} cannot be written (${oneLine(err)}).`);
    }
  }
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

export interface RunOptions extends SessionOptions {
  dropDir: string;
  onProgress?(c: RunCounts): void;
  signal?: AbortSignal;
}

export interface RunResult {
  manifest: Manifest;
  counts: RunCounts;
}

export async function runDrop(o: RunOptions): Promise<RunResult> {
  const session = await PipelineSession.open(o);
  const ticker = setInterval(() => {
    if (o.onProgress) void session.counts().then(o.onProgress, () => {});
  }, 250);
  try {
    await session.produce(o.dropDir, o.signal);
    await session.settle(null, o.signal);
    clearInterval(ticker);
    const counts = await session.finalCounts();
    o.onProgress?.(counts);
    const manifest = await session.finish(counts);
    return { manifest, counts };
  } finally {
    clearInterval(ticker);
    await session.close();
  }
}
