// Redis (AOF on, fsync always) killed and started again on the same port and directory in the
// middle of a `textmill run` with a worker child process: the run's connections and the
// workers reconnect, and the run completes with every file exactly once.
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/redis-server.js';
import { tmpDir, uniqueNamespace } from '../helpers/pipeline.js';
import {
  accountingProblems,
  ensureDead,
  exitWithin,
  outputLineCount,
  readAccounting,
  startRedisProcess,
  startTextmill,
  stopProcess,
  waitUntil,
  writeDrop,
  type Proc,
} from './helpers.js';

const dir = tmpDir('textmill-aof-');
let redis: ChildProcess | undefined;
afterAll(async () => {
  if (redis) await stopProcess(redis, 'SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis restarted in the middle of a run', () => {
  it('workers reconnect and the run completes with nothing lost', async () => {
    const port = await freePort();
    const args = ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];
    redis = await startRedisProcess(port, args);
    const url = `redis://127.0.0.1:${port}`;
    const drop = tmpDir('textmill-restart-drop-');
    const out = tmpDir('textmill-restart-out-');
    const files = writeDrop(drop, 800, { seed: 23, dups: 5 });
    let runProc: Proc | undefined;
    try {
      runProc = startTextmill(
        ['run', drop, '--out', out, '--redis', url, '--namespace', uniqueNamespace(), '--workers', '2', '--concurrency', '4'],
        { TEXTMILL_LOCK_MS: '5000', TEXTMILL_BACKOFF_MS: '200' },
      );
      await waitUntil(() => outputLineCount(out) >= 150, 90_000, '150 output lines');
      await stopProcess(redis, 'SIGKILL');
      const atStop = outputLineCount(out);
      await new Promise((r) => setTimeout(r, 1500));
      redis = await startRedisProcess(port, args);
      const done = await exitWithin(runProc, 150_000, 'textmill run');
      expect(done.code, runProc.stderr().slice(-3000)).toBe(0);
      expect(atStop).toBeLessThan(files.length);

      expect(await accountingProblems(drop, out)).toEqual([]);
      const { documents, rejected } = readAccounting(out);
      expect(documents.length + rejected.length).toBe(files.length);
      expect(rejected.filter((r) => r.code !== 'duplicate')).toEqual([]);
      expect(runProc.stdout()).toMatch(/files\s+800/);
    } finally {
      ensureDead(runProc);
    }
  }, 240_000);
});
