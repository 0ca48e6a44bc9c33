// A `textmill worker` killed with SIGKILL in the middle of a ~2k-document drop: its active jobs
// come back when their locks expire, a new worker finishes the drop, and every file is in the
// output exactly once (no line lost, no line written twice by the retried write jobs).
import { afterAll, describe, expect, inject, it } from 'vitest';
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
// Short locks so that the killed worker's jobs come back within seconds, not a minute.
const env = { TEXTMILL_LOCK_MS: '3000', TEXTMILL_BACKOFF_MS: '200' };

afterAll(() => dropNamespace(url, ns));

describe('kill -9 of a worker in the middle of a drop', () => {
  it('a new worker completes the drop: every file exactly once, no duplicate lines', async () => {
    const drop = tmpDir('textmill-kill-drop-');
    const out = tmpDir('textmill-kill-out-');
    const files = writeDrop(drop, 2000, { seed: 11, dups: 12 });
    const workerArgs = ['worker', '--redis', url, '--namespace', ns, '--concurrency', '4'];
    let first: Proc | undefined;
    let second: Proc | undefined;
    let producer: Proc | undefined;
    try {
      first = startTextmill(workerArgs, env);
      await waitUntil(() => first!.stderr().includes('worker ready'), 30_000, 'the first worker');
      producer = startTextmill(['produce', drop, '--out', out, '--redis', url, '--namespace', ns], env);
      // Somewhere in the middle: a few hundred files written, most of the drop still to do.
      await waitUntil(() => outputLineCount(out) >= 400, 90_000, '400 output lines');
      first.child.kill('SIGKILL');
      const killed = await exitWithin(first, 10_000, 'the killed worker');
      expect(killed.signal).toBe('SIGKILL');
      const atKill = outputLineCount(out);
      expect(atKill).toBeLessThan(files.length);

      second = startTextmill(workerArgs, env);
      const done = await exitWithin(producer, 150_000, 'the producer');
      expect(done.code, producer.stderr().slice(-2000)).toBe(0);

      expect(await accountingProblems(drop, out)).toEqual([]);
      const { documents, rejected } = readAccounting(out);
      expect(documents.length + rejected.length).toBe(files.length);
      // Only the planted copies are rejected; no stage gave up on a file.
      expect(rejected.filter((r) => r.code !== 'duplicate')).toEqual([]);
      expect(rejected.length).toBe(12);
      expect(producer.stdout()).toMatch(/files\s+2000/);
    } finally {
      for (const p of [first, second, producer]) ensureDead(p);
      if (second) {
        second.child.kill('SIGTERM');
        await exitWithin(second, 30_000, 'the second worker').catch(() => {});
      }
    }
  }, 240_000);
});
