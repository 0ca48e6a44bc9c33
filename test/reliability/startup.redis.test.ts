// Start-up checks as a user meets them: Redis unreachable (REDIS_URL pointing at a closed
// port, no --redis flag) ends `run`, `produce` and `worker` with exit 2 and the documented
// one-line message, after retrying with backoff; a Redis whose maxmemory-policy is not
// noeviction is refused the same way.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, spawnRedisServer } from '../helpers/redis-server.js';
import { CORPUS, tmpDir } from '../helpers/pipeline.js';
import { BIN } from './helpers.js';

function textmill(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, TEXTMILL_LOG_LEVEL: 'warn', CI: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`textmill ${args[0]} did not exit within 60 s`));
    }, 60_000);
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

describe('Redis unreachable before the command starts', () => {
  let port: number;
  beforeAll(async () => {
    port = await freePort();
  });

  it.each([
    ['run', () => ['run', CORPUS, '--out', tmpDir()]],
    ['produce', () => ['produce', CORPUS, '--out', tmpDir()]],
    ['worker', () => ['worker']],
  ])('`%s` with REDIS_URL on a closed port: exit 2, one documented line, password hidden', async (_name, args) => {
    const env = { REDIS_URL: `redis://textmill:pa55word-xyz@127.0.0.1:${port}` };
    const r = await textmill(args(), env);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `textmill: Redis at redis://***@127.0.0.1:${port} does not answer; start it or pass another with --redis or REDIS_URL.`,
    );
    expect(r.stdout + r.stderr).not.toContain('pa55word-xyz');
    // It retried with backoff (0.25 + 0.5 + 1 s) before giving up, and not for long.
    expect(r.ms).toBeGreaterThan(1500);
    expect(r.ms).toBeLessThan(30_000);
  }, 70_000);
});

describe('a Redis that may evict keys', () => {
  let redis: Awaited<ReturnType<typeof spawnRedisServer>>;
  beforeAll(async () => {
    redis = await spawnRedisServer(['--maxmemory', '100mb', '--maxmemory-policy', 'allkeys-lru']);
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it.each([
    ['run', () => ['run', CORPUS, '--out', tmpDir(), '--redis', redis.url]],
    ['worker', () => ['worker', '--redis', redis.url]],
  ])('`%s` refuses it: exit 2, one line naming noeviction', async (_name, args) => {
    const r = await textmill(args());
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'textmill: Redis maxmemory-policy is "allkeys-lru"; set it to "noeviction" (BullMQ loses jobs when Redis evicts keys).',
    ]);
  }, 70_000);
});
