// The private redis-server textmill starts when no Redis is given or found: it listens on a
// Unix socket in its temporary directory (no TCP port), its URL is the socket's path, and the
// whole pipeline (BullMQ queues, the dedup index's Lua script, the ledger) runs through it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect, startEmbeddedRedis, waitForRedis } from '../src/shared/redis.js';
import { CORPUS, readOut, run, settings, tmpDir } from './helpers/pipeline.js';

const hasRedisServer = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasRedisServer)('the private redis-server (needs redis-server on PATH)', () => {
  it('listens on a Unix socket only, runs a drop through BullMQ, and leaves nothing behind', async () => {
    const embedded = await startEmbeddedRedis();
    const dir = path.dirname(embedded.url);
    try {
      expect(embedded.url).toMatch(/textmill-redis-[^/]+\/redis\.sock$/);
      // its owner's alone: the server has no password
      expect(statSync(embedded.url).mode & 0o777).toBe(0o700);
      await waitForRedis(embedded.url, 1);
      const r = connect(embedded.url, 'client');
      try {
        expect(await r.config('GET', 'port')).toEqual(['port', '0']);
      } finally {
        r.disconnect();
      }
      const out = tmpDir();
      const result = await run(CORPUS, out, settings(), embedded.url);
      const files = readdirSync(CORPUS).filter((f) => f.endsWith('.txt'));
      expect(result.manifest.transport).toBe('bullmq');
      expect(readOut(out).documents.length + readOut(out).rejected.length).toBe(files.length);
    } finally {
      await embedded.stop();
    }
    expect(existsSync(dir)).toBe(false);
  }, 120_000);
});
