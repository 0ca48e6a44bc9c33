// The BullMQ transport: one queue per stage, a generic processor that validates the job,
// calls the stage's pure function through runStage, and hands the result to the next queue
// under a deterministic job id. Nothing in a stage imports bullmq; only this file does.
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { OutputError, RejectError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { batchKey, defaultJobOptions, jobId, keepCompleted, nextStage, queuePrefix, STAGES, type StageName } from '../shared/queues.js';
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

/**
 * A job carries a batch of documents (`docs`, under `key`: see batchKey); jobs of payload
 * format 2 and older carry one (`payload`) and are read as a batch of one.
 */
const JobData = z.object({ ctx: RunCtx, key: z.string().optional(), docs: z.array(z.unknown()).min(1).optional(), payload: z.unknown().optional() });

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

interface PayloadShape {
  id?: string;
  type?: string;
  source?: { path?: string };
  doc?: { id?: string; source?: { path?: string } };
  rejection?: { id?: string; path?: string };
}

/** What a payload (a stage's document, or a write record) says of its file, when it says it. */
function fileOf(payload: unknown): { id: string | undefined; path: string | undefined } {
  const p = payload as PayloadShape | null;
  return { id: p?.id ?? p?.doc?.id ?? p?.rejection?.id, path: p?.source?.path ?? p?.doc?.source?.path ?? p?.rejection?.path };
}

function docHex(payload: unknown): string {
  const id = fileOf(payload).id ?? '';
  return id.startsWith('sha256:') ? id.slice(7) : 'unknown';
}

/** The file a payload stands for, for messages. */
function docPath(payload: unknown): string {
  return fileOf(payload).path ?? `sha256:${docHex(payload)}`;
}

/** A document that failed, with why. */
type Failed = { payload: unknown; err: unknown };

/** A failure a retry will not mend: a file the stage rejects on purpose, or bad data. */
const isLasting = (err: unknown) => err instanceof RejectError || err instanceof UnrecoverableError;

/** One clean job for a batch of documents (one or more), under a key made from their ids. */
export async function enqueueClean(queues: Queues, ctx: RunCtx, inputs: readonly CleanInput[]): Promise<void> {
  const key = batchKey(inputs.map((i) => i.id.slice(7)));
  await queues.clean.add('clean', { ctx, key, docs: inputs }, { jobId: jobId(ctx.run, key, 'clean'), removeOnComplete: keepCompleted(inputs.length) });
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
    // What this worker writes (hand-offs, a failed job's documents) is in its own payload
    // format, also when it read an older one: a worker of that older version must not take it.
    const ctx = { ...data.data.ctx, wire: WIRE_FORMAT };
    const docs = (data.data.docs ?? [data.data.payload]).map(unpackPayload);
    const key = data.data.key ?? docHex(docs[0]);
    const state = stateFor(ctx.run);
    const jobLog = o.logger.child({ run: ctx.run, job: job.id, stage });
    const docLog = (payload: unknown) => o.logger.child({ run: ctx.run, doc: `sha256:${docHex(payload)}`, stage });
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

    /** A document fails for good: it gets its rejected.jsonl line. */
    const giveUp = async (payload: unknown, err: unknown) => {
      const { id, path = job.id ?? 'unknown' } = fileOf(payload);
      const document = stage === 'write' && (payload as PayloadShape | null)?.type === 'document';
      try {
        await writeFailure({ stage, err, path, id, document }, ctx, sinkFor(ctx.outDir), state);
      } catch (e) {
        if (e instanceof OutputError) {
          // Nobody can account for this file: tell the process that waits for the run to stop.
          jobLog.error({ err: e.message }, 'run stopped: the output folder is not writable');
          await stopFor(ctx.run).set(e.message).catch(() => {});
        }
        throw e;
      }
    };
    /** Every document of the job fails for good, then the job (with `jobMessage`, else the documents' message). */
    const giveUpAll = async (err: Error, jobMessage = err.message): Promise<never> => {
      for (const d of docs) await giveUp(d, err);
      throw new UnrecoverableError(jobMessage);
    };

    // A job of a newer payload format than this worker reads (a namespace whose workers run
    // different textmill versions): the files get a line that says so, not a schema error or,
    // worse, a document read wrongly.
    const jobWire = data.data.ctx.wire ?? 1;
    if (jobWire > WIRE_FORMAT) {
      jobLog.warn({ wire: jobWire, mine: WIRE_FORMAT }, 'job of a newer payload format');
      return giveUpAll(
        new RejectError(
          `failed:${stage}`,
          `Its ${stage} job was written by a newer textmill (textmill ${ctx.version}, payload format ${jobWire}) than this worker (textmill ${VERSION}, ` +
            `payload format ${WIRE_FORMAT}): run one textmill version on all the workers of namespace ${o.namespace}, then process the file again.`,
        ),
      );
    }

    // A job whose worker died or hung on it more than once (BullMQ's "stalled more than
    // allowable limit"; we count stalls ourselves so that the files get their lines first).
    if (job.stalledCounter > MAX_STALLS) {
      if (docs.length > 1) {
        // One document of the batch may be what kills or hangs the worker: each goes on in a
        // job of its own (its stalls counted afresh), so that only that one ends rejected.
        jobLog.warn({ stalls: job.stalledCounter, docs: docs.length }, 'batch stalled too often: its documents go on one per job');
        for (const d of docs) {
          const hex = docHex(d);
          await o.queues[stage].add(stage, { ctx, key: hex, docs: [packPayload(d)] }, { jobId: jobId(ctx.run, hex, stage), removeOnComplete: keepCompleted(1) });
        }
        return;
      }
      jobLog.warn({ stalls: job.stalledCounter }, 'job stalled too often');
      return giveUpAll(
        new Error(
          `its job was abandoned ${job.stalledCounter} times by a worker that stopped or hung for longer than the job lock (killed, or out of memory on this file)`,
        ),
        `job stalled more than allowable limit (${job.stalledCounter} times)`,
      );
    }

    const t0 = performance.now();
    if (stage === 'write') {
      const done = { written: 0, gaveUp: [] as Failed[] };
      try {
        await writeBatch(job, token, docs, { ctx, key, state, final, giveUp, log: jobLog }, done);
      } finally {
        // also when the job waits or retries: the records written so far are not written again
        if (done.written) await state.stage('write', performance.now() - t0, done.written);
      }
      if (done.gaveUp.length) await failWith(job, ctx, `${key}r`, done.gaveUp, docs.length);
      return;
    }

    // Each document on its own: one that fails does not hold back the others of its batch.
    const outs: unknown[] = [];
    const failed: Failed[] = [];
    for (const payload of docs) {
      try {
        // The job's payload is checked; the result is checked by the next stage when it takes
        // the job (the write stage: against the output contract).
        outs.push(await runStage(stageDef(stage), payload, o.resources, { input: true, output: false }));
      } catch (err) {
        failed.push({ payload, err });
        docLog(payload).warn({ err: (err as Error).message, attempt: job.attemptsMade + 1, final: final || isLasting(err) }, 'stage failed');
      }
    }
    // A passing failure (Redis away, say) while attempts remain: the whole batch again later.
    // Nothing was handed on yet, and the stages are pure (dedup's index keeps what it recorded).
    const passing = failed.find((f) => !isLasting(f.err));
    if (passing && !final) throw passing.err;

    const next = nextStage(stage)!;
    if (outs.length) {
      const nextDocs = outs.map((out) => packPayload(next === 'write' ? { type: 'document', doc: out } : out));
      try {
        await o.queues[next].add(next, { ctx, key, docs: nextDocs }, { jobId: jobId(ctx.run, key, next), removeOnComplete: keepCompleted(nextDocs.length) });
      } catch (err) {
        jobLog.warn({ err: (err as Error).message, attempt: job.attemptsMade + 1, final }, 'hand-off failed');
        // Nothing is ever silently lost: a hand-off that fails for good gives every file its line.
        if (final) return giveUpAll(err as Error);
        throw err;
      }
    }
    for (const f of failed) await giveUp(f.payload, f.err);
    // counted once every document is handed on or has its line (a throw above retries the job)
    await state.stage(stage, performance.now() - t0, outs.length);
    if (failed.length) await failWith(job, ctx, `${key}r`, failed, docs.length);
  };

  /**
   * The write stage's batch, record by record. When a record cannot be written yet, the job
   * keeps only the records from it on (so none is written twice) and waits or retries. `done`
   * counts the records written and holds those given up on (each has its rejected.jsonl line).
   */
  const writeBatch = async (
    job: Job,
    token: string | undefined,
    docs: unknown[],
    c: { ctx: RunCtx; key: string; state: RedisRunState; final: boolean; giveUp: (payload: unknown, err: unknown) => Promise<void>; log: Logger },
    done: { written: number; gaveUp: Failed[] },
  ): Promise<void> => {
    const keepFrom = (i: number) => job.updateData({ ctx: c.ctx, key: c.key, docs: docs.slice(i).map(packPayload) });
    const gaveUp = done.gaveUp;
    for (let i = 0; i < docs.length; i++) {
      const rec = WriteRecordSchema.safeParse(docs[i]);
      if (!rec.success) {
        const err = new UnrecoverableError(`write job ${job.id} is malformed: ${z.prettifyError(rec.error)}`);
        await c.giveUp(docs[i], err);
        gaveUp.push({ payload: docs[i], err });
        continue;
      }
      try {
        await writeRecord(rec.data as WriteRecord, c.ctx, sinkFor(c.ctx.outDir), c.state);
        done.written++;
      } catch (err) {
        // Another writer's claim on this document, or a killed writer's that is not stale
        // yet: wait for it without spending an attempt. Spending attempts failed the job for
        // good while the claim was still fresh, and the file was never accounted for.
        if (err instanceof WriterBusyError && token) {
          await keepFrom(i);
          await job.moveToDelayed(Date.now() + WRITER_BUSY_DELAY_MS, token);
          throw new DelayedError();
        }
        c.log.warn({ err: (err as Error).message, attempt: job.attemptsMade + 1, final: c.final || isLasting(err) }, 'write failed');
        if (!c.final && !isLasting(err)) {
          await keepFrom(i);
          throw err;
        }
        // whatever failed (the write itself, marking it written), the file gets its line now
        await c.giveUp(docs[i], err);
        gaveUp.push({ payload: docs[i], err });
      }
    }
  };

  /**
   * The job fails, holding only the documents that failed (each has its rejected.jsonl line),
   * under a key of their own: so `textmill retry` hands on those, and not again the ones
   * already handed on.
   */
  const failWith = async (job: Job, ctx: RunCtx, key: string, failed: Failed[], of: number): Promise<never> => {
    await job.updateData({ ctx, key, docs: failed.map((f) => packPayload(f.payload)) });
    const what = failed.map((f) => `${docPath(f.payload)}: ${(f.err as Error).message}`).join('; ');
    throw new UnrecoverableError(failed.length === 1 ? what : `${failed.length} of ${of} documents failed: ${what}`);
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
