// The BullMQ transport: one queue per stage, a generic processor that validates the job,
// calls the stage's pure function through runStage, and hands the result to the next queue
// under a deterministic job id. Nothing in a stage imports bullmq; only this file does.
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { OutputError, RejectError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { defaultJobOptions, jobId, nextStage, queuePrefix, STAGES, type StageName } from '../shared/queues.js';
import { CleanInput, ThemedDoc } from '../shared/schemas.js';
import { stageDef } from '../workers/registry.js';
import { runStage, type StageResources } from '../workers/stage.js';
import { RedisLedger } from '../workers/write/ledger.js';
import { OutputSink, STALE_CLAIM_MS, WriterBusyError } from '../workers/write/sink.js';
import { RunCtx } from './context.js';
import { RedisRunState, StageTally } from './run-state.js';
import { RedisRunStop } from './run-stop.js';
import { VERSION } from '../shared/version.js';
import { packPayload, unpackPayload, WIRE_FORMAT } from './wire.js';
import { writeFailure, writeRecord, type WriteRecord } from './write-record.js';

const JobData = z.object({ ctx: RunCtx, payload: z.unknown() });

const WriteRecordSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('document'), doc: ThemedDoc }),
  z.object({
    type: z.literal('rejected'),
    rejection: z.object({ path: z.string(), code: z.string(), message: z.string(), id: z.string().optional() }),
  }),
]);

export type Queues = Record<StageName, Queue>;

export function openQueues(connection: Redis, namespace: string, attempts: number, backoffMs: number): Queues {
  const prefix = queuePrefix(namespace);
  const entries = STAGES.map((s) => [s, new Queue(s, { connection, prefix, defaultJobOptions: defaultJobOptions(attempts, backoffMs) })]);
  return Object.fromEntries(entries) as Queues;
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}

function docHex(payload: unknown): string {
  const p = payload as { id?: string; doc?: { id?: string }; rejection?: { id?: string; path?: string } } | null;
  const id = p?.id ?? p?.doc?.id ?? p?.rejection?.id ?? '';
  return id.startsWith('sha256:') ? id.slice(7) : 'unknown';
}

export async function enqueueClean(queues: Queues, ctx: RunCtx, input: CleanInput): Promise<void> {
  await queues.clean.add('clean', { ctx, payload: input }, { jobId: jobId(ctx.run, input.id.slice(7), 'clean') });
}

/**
 * A job's lock, renewed while it runs: when a worker dies, its active jobs go back to the
 * queue once the lock expires (checked every stalledInterval). 60 s by default, since a
 * document of several MB can take a while in the NLP stages; TEXTMILL_LOCK_MS shortens it
 * (the fault-injection tests do, so that a killed worker's jobs come back quickly).
 */
export function lockOptions(env: NodeJS.ProcessEnv): { lockDuration: number; stalledInterval: number } {
  const n = Number(env.TEXTMILL_LOCK_MS);
  const lockDuration = Number.isInteger(n) && n >= 1000 ? n : 60_000;
  return { lockDuration, stalledInterval: Math.min(30_000, Math.max(500, Math.floor(lockDuration / 2))) };
}

const WRITER_BUSY_DELAY_MS = 1000;

/** A job abandoned by its worker more often than this fails for good (BullMQ's default). */
export const MAX_STALLS = 1;

export interface WorkerSet {
  workers: Worker[];
  /** sends the stage counters this process still holds (see StageTally) */
  flushCounters(): Promise<void>;
  close(): Promise<void>;
}

export interface StartWorkersOptions {
  connection: Redis;
  namespace: string;
  stages: readonly StageName[];
  concurrency: number;
  resources: StageResources;
  queues: Queues;
  logger: Logger;
}

export function startWorkers(o: StartWorkersOptions): WorkerSet {
  const prefix = queuePrefix(o.namespace);
  const sinks = new Map<string, OutputSink>();
  // A claim cannot be live for longer than its job's lock: by then the job has been handed
  // to another worker, so the claim is a dead writer's (see WriterBusyError below).
  const staleClaimMs = Math.min(STALE_CLAIM_MS, lockOptions(globalThis.process.env).lockDuration);
  const sinkFor = (outDir: string) => {
    let sink = sinks.get(outDir);
    if (!sink) sinks.set(outDir, (sink = new OutputSink(outDir, new RedisLedger(o.connection, o.namespace, outDir), staleClaimMs)));
    return sink;
  };
  const tally = new StageTally(o.connection, o.namespace);
  const stateFor = (run: string) => new RedisRunState(o.connection, o.namespace, run, tally);

  const stopFor = (run: string) => new RedisRunStop(o.connection, o.namespace, run);

  const process = (stage: StageName) => async (job: Job, token?: string) => {
    const data = JobData.safeParse(job.data);
    if (!data.success) throw new UnrecoverableError(`${stage} job ${job.id} is malformed: ${z.prettifyError(data.error)}`);
    const { ctx } = data.data;
    const payload = unpackPayload(data.data.payload);
    const state = stateFor(ctx.run);
    const log = o.logger.child({ run: ctx.run, doc: `sha256:${docHex(payload)}`, stage });

    /** The job fails for good: the file gets its rejected.jsonl line before the job is failed. */
    const giveUp = async (err: unknown) => {
      const p = payload as { source?: { path?: string }; id?: string; type?: string; doc?: { id?: string; source?: { path?: string } }; rejection?: { path?: string; id?: string } } | null;
      const path = p?.source?.path ?? p?.doc?.source?.path ?? p?.rejection?.path ?? job.id ?? 'unknown';
      const id = p?.id ?? p?.doc?.id ?? p?.rejection?.id;
      try {
        await writeFailure({ stage, err, path, id, document: stage === 'write' && p?.type === 'document' }, ctx, sinkFor(ctx.outDir), state);
      } catch (e) {
        if (e instanceof OutputError) {
          // Nobody can account for this file: tell the process that waits for the run to stop.
          log.error({ err: e.message }, 'run stopped: the output folder is not writable');
          await stopFor(ctx.run).set(e.message).catch(() => {});
        }
        throw e;
      }
    };

    // A job of a newer payload format than this worker reads (a namespace whose workers run
    // different textmill versions): the file gets a line that says so, not a schema error or,
    // worse, a document read wrongly.
    if ((ctx.wire ?? 1) > WIRE_FORMAT) {
      const err = new RejectError(
        `failed:${stage}`,
        `Its ${stage} job was written by a newer textmill (textmill ${ctx.version}, payload format ${ctx.wire}) than this worker (textmill ${VERSION}, ` +
          `payload format ${WIRE_FORMAT}): run one textmill version on all the workers of namespace ${o.namespace}, then process the file again.`,
      );
      log.warn({ wire: ctx.wire, mine: WIRE_FORMAT }, 'job of a newer payload format');
      await giveUp(err);
      throw new UnrecoverableError(err.message);
    }

    // A job whose worker died or hung on it more than once (BullMQ's "stalled more than
    // allowable limit"; we count stalls ourselves so that the file gets its line first).
    if (job.stalledCounter > MAX_STALLS) {
      const err = new Error(
        `its job was abandoned ${job.stalledCounter} times by a worker that stopped or hung for longer than the job lock (killed, or out of memory on this file)`,
      );
      log.warn({ stalls: job.stalledCounter }, 'job stalled too often');
      await giveUp(err);
      throw new UnrecoverableError(`job stalled more than allowable limit (${job.stalledCounter} times)`);
    }

    const t0 = performance.now();
    try {
      if (stage === 'write') {
        const rec = WriteRecordSchema.safeParse(payload);
        if (!rec.success) throw new UnrecoverableError(`write job ${job.id} is malformed: ${z.prettifyError(rec.error)}`);
        try {
          await writeRecord(rec.data as WriteRecord, ctx, sinkFor(ctx.outDir), state);
        } catch (err) {
          // Another writer's claim on this document, or a killed writer's that is not stale
          // yet: wait for it without spending an attempt. Spending attempts failed the job for
          // good while the claim was still fresh, and the file was never accounted for.
          if (err instanceof WriterBusyError && token) {
            await job.moveToDelayed(Date.now() + WRITER_BUSY_DELAY_MS, token);
            throw new DelayedError();
          }
          throw err;
        }
        await state.stage('write', performance.now() - t0);
        return;
      }
      // The job's payload is checked; the result is checked by the next stage when it takes
      // the job (the write stage: against the output contract).
      const out = await runStage(stageDef(stage), payload, o.resources, { input: true, output: false });
      const next = nextStage(stage)!;
      const hex = docHex(out);
      const nextPayload = next === 'write' ? { type: 'document', doc: out } : out;
      await o.queues[next].add(next, { ctx, payload: packPayload(nextPayload) }, { jobId: jobId(ctx.run, hex, next) });
      await state.stage(stage, performance.now() - t0);
      log.debug({ ms: Math.round(performance.now() - t0) }, 'stage done');
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      // A file the stage rejects on purpose (RejectError) will not do better on a retry.
      const rejected = err instanceof RejectError;
      const final = rejected || err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      log.warn({ err: (err as Error).message, attempt: job.attemptsMade + 1, final }, 'stage failed');
      // Nothing is ever silently lost: whatever failed (the stage, the hand-off to the next
      // queue, the write itself), the file gets its rejected.jsonl line now.
      if (final) await giveUp(err);
      throw rejected ? new UnrecoverableError((err as Error).message) : err;
    }
  };

  const workers = o.stages.map((stage) => {
    const w = new Worker(stage, process(stage), {
      connection: o.connection,
      prefix,
      concurrency: o.concurrency,
      ...lockOptions(globalThis.process.env),
      // BullMQ would fail a job that stalled too often without calling the processor, so
      // without a rejected.jsonl line; the processor counts the stalls instead (MAX_STALLS).
      maxStalledCount: Number.MAX_SAFE_INTEGER,
    });
    w.on('error', (err) => o.logger.error({ stage, err: err.message }, 'worker error'));
    return w;
  });

  return {
    workers,
    flushCounters: () => tally.flush(),
    close: async () => {
      // Stop taking jobs and let in-flight ones finish before the connections go.
      await Promise.all(workers.map((w) => w.close()));
      await tally.flush().catch((err: Error) => o.logger.warn({ err: err.message }, 'stage counters not sent'));
    },
  };
}
