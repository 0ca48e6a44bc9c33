// Jobs that fail for good, through BullMQ with real `textmill produce` and `textmill worker`
// processes against a real Redis: every such file ends as exactly one `failed:<stage>` line in
// rejected.jsonl and the producer ends, or, when not even that line can be written, the
// producer stops at once with a clear error and exit code 3 (it used to wait forever).
//
// - a write that fails on every attempt: documents.jsonl replaced by a folder (EISDIR) after
//   the producer has opened the output folder (chmod would not stop root, who runs the tests);
// - rejected.jsonl a folder as well: no line can be written at all;
// - a job whose worker died or hung on it twice ("stalled more than allowable limit"): the
//   dying workers are played by a BullMQ worker in this test that takes the jobs and lets their
//   locks expire; the second stall is found by the `textmill worker` process. BullMQ itself
//   fails such a job without calling the processor, so it had no rejected line.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { retryFailed } from '../../src/cli/commands/status.js';
import { queuePrefix } from '../../src/shared/queues.js';
import { readLines, tmpDir, uniqueNamespace } from '../helpers/pipeline.js';
import { dropNamespace, ensureDead, exitWithin, startTextmill, waitUntil, writeDrop, type Proc } from './helpers.js';

const url = inject('redisUrl');
const namespaces: string[] = [];
const redis = new Redis(url, { maxRetriesPerRequest: null });
afterAll(async () => {
  for (const ns of namespaces) await dropNamespace(url, ns);
  redis.disconnect();
});

// Short locks (a stale write claim is retried after 1 s), two attempts, short back-off.
const env = { TEXTMILL_LOCK_MS: '1000', TEXTMILL_ATTEMPTS: '2', TEXTMILL_BACKOFF_MS: '200' };

function breakFile(outDir: string, f: string) {
  rmSync(path.join(outDir, f), { force: true });
  mkdirSync(path.join(outDir, f));
}

/** A drop of `n` documents plus one empty file (rejected by the producer itself). */
function drop(n: number): { dir: string; files: string[] } {
  const dir = tmpDir('textmill-fail-drop-');
  const files = writeDrop(dir, n, { seed: 7 });
  writeFileSync(path.join(dir, 'empty.txt'), '');
  return { dir, files };
}

/** Waits until the clean jobs waiting hold `n` files (a job holds a batch of them); returns how many jobs. */
async function waitingCleanJobs(ns: string, n: number): Promise<number> {
  const q = new Queue('clean', { connection: redis, prefix: queuePrefix(ns) });
  try {
    let jobs = 0;
    await waitUntil(
      async () => {
        const waiting = await q.getWaiting();
        jobs = waiting.length;
        return waiting.reduce((sum, j) => sum + ((j.data as { docs?: unknown[] }).docs?.length ?? 1), 0) >= n;
      },
      60_000,
      `${n} files in clean jobs waiting`,
    );
    return jobs;
  } finally {
    await q.close();
  }
}

async function stopWorker(p: Proc | undefined) {
  if (!p || p.child.exitCode !== null) return;
  p.child.kill('SIGTERM');
  await exitWithin(p, 30_000, 'the worker').catch(() => ensureDead(p));
}

/**
 * A producer with the drop waiting in the clean queue, then `broken` output files replaced by
 * folders, then one worker: the setup of the write-failure tests.
 */
async function runWithBrokenOutput(n: number, broken: string[]) {
  const ns = uniqueNamespace();
  namespaces.push(ns);
  const { dir, files } = drop(n);
  const out = tmpDir('textmill-fail-out-');
  const producer = startTextmill(['produce', dir, '--out', out, '--redis', url, '--namespace', ns], env);
  try {
    await waitingCleanJobs(ns, files.length);
    for (const f of broken) breakFile(out, f);
  } catch (err) {
    ensureDead(producer);
    throw err;
  }
  const worker = startTextmill(['worker', '--redis', url, '--namespace', ns, '--concurrency', '4'], env);
  return { files, out, producer, worker };
}

describe('jobs that fail for good (BullMQ, worker processes)', () => {
  it('a write that fails on every attempt gives the file one failed:write line, and the producer ends', async () => {
    const { files, out, producer, worker } = await runWithBrokenOutput(6, ['documents.jsonl']);
    try {
      const { code } = await exitWithin(producer, 90_000, 'the producer');
      expect(code, producer.stderr().slice(-2000)).toBe(0);
      const rejected = readLines<{ path: string; code: string; message: string }>(path.join(out, 'rejected.jsonl'));
      expect(rejected.map((r) => r.path).sort()).toEqual([...files, 'empty.txt'].sort());
      expect(rejected.find((r) => r.path === 'empty.txt')!.code).toBe('empty');
      for (const r of rejected.filter((x) => x.path !== 'empty.txt')) {
        expect(r.code).toBe('failed:write');
        expect(r.message).toMatch(/^The write stage could not write this file's line to the output folder: EISDIR: illegal operation on a directory, [^\n]*\.$/);
      }
      expect(producer.stdout()).toMatch(/files\s+7/);
    } finally {
      ensureDead(producer);
      await stopWorker(worker);
    }
  }, 150_000);

  it('when not even the rejected line can be written, the producer stops with a clear error and exit 3', async () => {
    const { producer, worker } = await runWithBrokenOutput(4, ['documents.jsonl', 'rejected.jsonl']);
    try {
      const { code } = await exitWithin(producer, 90_000, 'the producer');
      expect(code, producer.stderr().slice(-2000)).toBe(3);
      const last = producer.stderr().trim().split('\n').at(-1)!;
      expect(last).toMatch(
        /^textmill: The write stage gave up on "part00\/doc-\d{5}\.txt" and its rejected\.jsonl line could not be written either \(EISDIR[^)]*\); the output folder \S+ is not writable, so the run stops before every file is accounted for\.$/,
      );
    } finally {
      ensureDead(producer);
      await stopWorker(worker);
    }
  }, 150_000);

  it.each([
    { batch: 1, what: 'gives each file one failed:<stage> line' },
    { batch: 8, what: 'of a batch goes on one document per job, and the files are written' },
  ])('a job abandoned twice by its worker (stalled more than allowable limit) $what (--batch $batch)', async ({ batch }) => {
    const runEnv = { ...env, TEXTMILL_BATCH: String(batch) };
    const ns = uniqueNamespace();
    namespaces.push(ns);
    const { dir, files } = drop(3);
    const out = tmpDir('textmill-fail-out-');
    let producer: Proc | undefined;
    let worker: Proc | undefined;
    // Plays the workers that die: takes the clean jobs, never finishes them, never renews
    // their locks; its stalled-job check puts them back in the queue once the locks expire.
    const dying = new Worker('clean', undefined, {
      connection: new Redis(url, { maxRetriesPerRequest: null }),
      prefix: queuePrefix(ns),
      lockDuration: 1000,
      stalledInterval: 300,
      maxStalledCount: 1000,
      autorun: false,
    });
    const clean = new Queue('clean', { connection: redis, prefix: queuePrefix(ns) });
    try {
      producer = startTextmill(['produce', dir, '--out', out, '--redis', url, '--namespace', ns], runEnv);
      // one job per file, or one job for all three (src/pipeline/batcher.ts)
      const jobs = await waitingCleanJobs(ns, files.length);
      expect(jobs).toBe(batch === 1 ? files.length : 1);
      const takeAll = async (round: number) => {
        for (let i = 0; i < jobs; i++) expect(await dying.getNextJob(`dying-${round}-${i}`)).toBeDefined();
        expect(await clean.getActiveCount()).toBe(jobs);
      };
      // First death: found by this worker's own stalled-job check, the jobs go back (stalled once).
      void dying.startStalledCheckTimer();
      await takeAll(1);
      await waitUntil(async () => (await clean.getWaitingCount()) === jobs, 30_000, 'the jobs back in the queue');
      // Second death: found by the textmill worker's check, which is what this test is about.
      await takeAll(2);
      await dying.close(true);

      worker = startTextmill(['worker', '--redis', url, '--namespace', ns, '--concurrency', '4'], runEnv);
      const { code } = await exitWithin(producer, 90_000, 'the producer');
      expect(code, producer.stderr().slice(-2000)).toBe(0);
      if (batch > 1) {
        // Any one of the batch's documents may have killed the workers: they go on one per
        // job, their stalls counted afresh, and here (no worker dies any more) are written.
        expect(readLines<{ path: string }>(path.join(out, 'documents.jsonl')).map((d) => d.path ?? (d as any).source.path).sort()).toEqual([...files].sort());
        expect(readLines<{ path: string }>(path.join(out, 'rejected.jsonl')).map((r) => r.path)).toEqual(['empty.txt']);
        expect(await clean.getFailedCount()).toBe(0);
        return;
      }
      const rejected = readLines<{ path: string; code: string; message: string }>(path.join(out, 'rejected.jsonl'));
      expect(rejected.map((r) => r.path).sort()).toEqual([...files, 'empty.txt'].sort());
      for (const r of rejected.filter((x) => x.path !== 'empty.txt')) {
        expect(r.code).toBe('failed:clean');
        expect(r.message).toBe(
          'The clean stage failed on this file: its job was abandoned 2 times by a worker that stopped or hung for longer than the job lock (killed, or out of memory on this file).',
        );
      }
      const failed = await clean.getFailed();
      expect(failed.map((j) => j.failedReason)).toEqual(Array.from({ length: jobs }, () => 'job stalled more than allowable limit (2 times)'));

      // `textmill retry clean` gives them a fresh start (stall count included): they now go
      // through every stage, and the files keep their one line (no document line is added).
      expect(await retryFailed(redis, ns, 'clean')).toBe(jobs);
      const write = new Queue('write', { connection: redis, prefix: queuePrefix(ns) });
      try {
        await waitUntil(async () => (await write.getCompletedCount()) === jobs, 60_000, 'the retried files through the write stage');
      } finally {
        await write.close();
      }
      expect(await clean.getFailedCount()).toBe(0);
      expect(readLines(path.join(out, 'rejected.jsonl'))).toHaveLength(files.length + 1);
      expect(readLines(path.join(out, 'documents.jsonl'))).toEqual([]);
    } finally {
      await dying.close(true).catch(() => {});
      await clean.close();
      ensureDead(producer);
      await stopWorker(worker);
    }
  }, 150_000);
});
