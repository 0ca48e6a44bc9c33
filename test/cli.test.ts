// The command as a user runs it: a real process, real exit codes.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { freePort } from './helpers/redis-server.js';
import { CORPUS, readOut, ROOT, tmpDir } from './helpers/pipeline.js';

const BIN = path.join(ROOT, 'bin/textmill.js');

function textmill(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TEXTMILL_LOG_LEVEL: 'warn', ...env },
    timeout: 90_000,
  });
}

describe('textmill CLI', () => {
  it('runs the sample drop and prints a summary', () => {
    const out = tmpDir();
    const r = textmill(['run', CORPUS, '--out', out, '--redis', inject('redisUrl'), '--namespace', `cli${Date.now()}`]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/documents\s+4/);
    expect(existsSync(path.join(out, 'manifest.json'))).toBe(true);
    expect(readOut(out).documents).toHaveLength(4);
  });

  it('exits 2 with a one-line message when the given Redis does not answer', async () => {
    const port = await freePort();
    const r = textmill(['run', CORPUS, '--out', tmpDir(), '--redis', `redis://user:hunter2@127.0.0.1:${port}`]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/does not answer/);
    // the password never reaches the screen
    expect(r.stderr + r.stdout).not.toContain('hunter2');
  });

  it('rejects a bad option value with exit 2 and names it', () => {
    const r = textmill(['run', CORPUS, '--out', tmpDir(), '--inline', '--concurrency', 'zero']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/concurrency/);
  });
});
