// SIGTERM to a `textmill worker` while jobs are in flight: it stops taking jobs, finishes the
// ones it holds (none is left locked in an active list for stalled-job detection to find a
// minute later), closes its connections and exits 0; another worker then completes the drop
// with every file exactly once.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { STAGES, queuePrefix } from '../../src/shared/queues.js';
import { tmpDir, uniqueNamespace } from '../helpers/pipeline.js';
import {
  accountingProblems,
  dropNamespace,
  ensureDead,
  exitWithin,
  outputLineCount,
  readAccounting,
  startTextmill,
  waitUntil,
  writeDrop,
  type Proc,
} from './helpers.js';

const url = inject('redisUrl');
const ns = uniqueNamespace();
const redis = new Redis(url);
afterAll(async () => {
  redis.disconnect();
  await dropNamespace(url, ns);
});

async function activeJobs(): Promise<number> {
  const counts = await Promise.all(STAGES.map((s) => redis.llen(`${queuePrefix(ns)}:${s}:active`)));
  return counts.reduce((a, b) => a + b, 0);
}

describe('SIGTERM to a worker with jobs in flight', () => {
  it('exits 0 with nothing left locked; another worker completes the drop', async () => {
    const drop = tmpDir('textmill-term-drop-');
    const out = tmpDir('textmill-term-out-');
    const files = writeDrop(drop, 600, { seed: 31, dups: 4 });
    const workerArgs = ['worker', '--redis', url, '--namespace', ns, '--concurrency', '4'];
    let first: Proc | undefined;
    let second: Proc | undefined;
    let producer: Proc | undefined;
    try {
      first = startTextmill(workerArgs);
      await waitUntil(() => first!.stderr().includes('worker ready'), 30_000, 'the first worker');
      producer = startTextmill(['produce', drop, '--out', out, '--redis', url, '--namespace', ns]);
      await waitUntil(() => outputLineCount(out) >= 100, 90_000, '100 output lines');
      await waitUntil(async () => (await activeJobs()) > 0, 10_000, 'jobs in flight');
      first.child.kill('SIGTERM');
      const stopped = await exitWithin(first, 60_000, 'the worker after SIGTERM');
      expect(stopped, first.stderr().slice(-2000)).toEqual({ code: 0, signal: null });
      expect(first.stderr()).toContain('stopping: finishing jobs in flight');
      // Finished or handed back: no job of the stopped worker waits for its lock to expire.
      expect(await activeJobs()).toBe(0);
      expect(outputLineCount(out)).toBeLessThan(files.length);

      second = startTextmill(workerArgs);
      const done = await exitWithin(producer, 150_000, 'the producer');
      expect(done.code, producer.stderr().slice(-2000)).toBe(0);
      expect(await accountingProblems(drop, out)).toEqual([]);
      const { rejected } = readAccounting(out);
      expect(rejected.filter((r) => r.code !== 'duplicate')).toEqual([]);

      second.child.kill('SIGTERM');
      expect((await exitWithin(second, 60_000, 'the second worker')).code).toBe(0);
    } finally {
      for (const p of [first, second, producer]) ensureDead(p);
    }
  }, 240_000);
});
