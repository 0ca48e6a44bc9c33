// Security: a Redis with a password and an ACL user works end to end (also for the worker
// child process of `run`), over TLS (rediss://) too, and no password ever reaches the logs,
// the error output or the output folder; wrong credentials end with exit 2 and a clear line.
// No file outside the drop is ever read: symlinked files and directories, symlink loops and
// names with dots are rejected or read as plain files inside the drop.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, spawnRedisServer } from '../helpers/redis-server.js';
import { CORPUS, readOut, run, settings, tmpDir } from '../helpers/pipeline.js';
import { accountingProblems, dropNamespace, ensureDead, exitWithin, startRedisProcess, startTextmill, stopProcess } from './helpers.js';

const ADMIN_PW = 'adm1n-Secret-4471';
const USER_PW = 'us3r-Secret-9182';

/** Runs `textmill run` on the sample corpus; returns status and everything it printed. */
async function runCorpus(args: string[], env: Record<string, string>) {
  const out = tmpDir();
  const p = startTextmill(['run', CORPUS, '--out', out, ...args], { TEXTMILL_LOG_LEVEL: 'debug', ...env });
  try {
    const { code } = await exitWithin(p, 90_000);
    const files = readdirSync(out).map((f) => readFileSync(path.join(out, f), 'utf8')).join('\n');
    return { code, printed: p.stdout() + p.stderr(), out, files };
  } finally {
    ensureDead(p);
  }
}

describe('Redis with a password and an ACL user', () => {
  let redis: Awaited<ReturnType<typeof spawnRedisServer>>;
  beforeAll(async () => {
    redis = await spawnRedisServer(['--requirepass', ADMIN_PW]);
    const admin = new Redis(`redis://:${ADMIN_PW}@127.0.0.1:${redis.port}`);
    await admin.call('ACL', 'SETUSER', 'textmill', 'on', `>${USER_PW}`, '~*', '&*', '+@all');
    admin.disconnect();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('an ACL user in --redis works end to end (run + a worker process); the password is never printed', async () => {
    const r = await runCorpus(['--redis', `redis://textmill:${USER_PW}@127.0.0.1:${redis.port}`, '--workers', '2'], {});
    expect(r.code, r.printed.slice(-2000)).toBe(0);
    expect(readOut(r.out).documents).toHaveLength(4);
    expect(r.printed).toContain('redis://***@127.0.0.1');
    expect(r.printed + r.files).not.toContain(USER_PW);
  });

  it('a password of the default user in REDIS_URL works; the password is never printed', async () => {
    const r = await runCorpus(['--workers', '1'], { REDIS_URL: `redis://:${ADMIN_PW}@127.0.0.1:${redis.port}` });
    expect(r.code, r.printed.slice(-2000)).toBe(0);
    expect(readOut(r.out).documents).toHaveLength(4);
    expect(r.printed + r.files).not.toContain(ADMIN_PW);
  });

  it('wrong credentials: exit 2, one line that says so, no password', async () => {
    for (const url of [`redis://textmill:${USER_PW}x@127.0.0.1:${redis.port}`, `redis://127.0.0.1:${redis.port}`]) {
      const r = await runCorpus([], { REDIS_URL: url, TEXTMILL_LOG_LEVEL: 'warn' });
      expect(r.code).toBe(2);
      expect(r.printed.trim().split('\n')).toHaveLength(1);
      expect(r.printed).toMatch(/^textmill: Redis at redis:\/\/(\*\*\*@)?127\.0\.0\.1:\d+ refused the credentials \((WRONGPASS|NOAUTH)/);
      expect(r.printed).not.toContain(USER_PW);
    }
  });
});

describe('Redis over TLS (rediss://)', () => {
  const dir = tmpDir('textmill-tls-');
  let proc: Awaited<ReturnType<typeof startRedisProcess>> | undefined;
  let port = 0;
  let why = '';
  beforeAll(async () => {
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
      ], { stdio: 'ignore' });
      port = await freePort();
      proc = await startRedisProcess(port, [
        '--port', '0', '--tls-port', String(port), '--tls-cert-file', path.join(dir, 'cert.pem'), '--tls-key-file', path.join(dir, 'key.pem'),
        '--tls-ca-cert-file', path.join(dir, 'cert.pem'), '--tls-auth-clients', 'no', '--requirepass', ADMIN_PW, '--save', '', '--dir', dir,
      ]);
    } catch (err) {
      // redis-server built without TLS, or no openssl: TLS is then only supported through ioredis, not tested.
      why = (err as Error).message;
    }
  }, 60_000);
  afterAll(async () => {
    if (proc) await stopProcess(proc, 'SIGTERM');
  });

  it('a self-signed certificate trusted through NODE_EXTRA_CA_CERTS: the run completes, no password printed', async (ctx) => {
    if (!proc) ctx.skip(`no TLS redis-server here: ${why}`);
    // startRedisProcess passes --port first; the later --port 0 turns the plain port off.
    const r = await runCorpus(['--workers', '1'], {
      REDIS_URL: `rediss://:${ADMIN_PW}@127.0.0.1:${port}`,
      NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem'),
    });
    expect(r.code, r.printed.slice(-2000)).toBe(0);
    expect(readOut(r.out).documents).toHaveLength(4);
    expect(r.printed).toContain('rediss://***@127.0.0.1');
    expect(r.printed + r.files).not.toContain(ADMIN_PW);
  });

  it('plain redis:// against the TLS port is not accepted: exit 2', async (ctx) => {
    if (!proc) ctx.skip(`no TLS redis-server here: ${why}`);
    const r = await runCorpus([], { REDIS_URL: `redis://:${ADMIN_PW}@127.0.0.1:${port}`, TEXTMILL_LOG_LEVEL: 'warn' });
    expect(r.code).toBe(2);
    expect(r.printed).not.toContain(ADMIN_PW);
  });
});

describe('nothing outside the drop is read', () => {
  const url = inject('redisUrl');
  const s = settings();
  afterAll(() => dropNamespace(url, s.namespace));

  it('symlinked directory, symlink loops, links with .. and dotted names', async () => {
    const outside = tmpDir('textmill-outside-');
    writeFileSync(path.join(outside, 'secret.txt'), 'TOP SECRET: this file lies outside the drop.\n');
    mkdirSync(path.join(outside, 'nested'));
    writeFileSync(path.join(outside, 'nested', 'deep.txt'), 'TOP SECRET: nested outside the drop.\n');
    const drop = tmpDir('textmill-links-');
    mkdirSync(path.join(drop, 'sub'));
    writeFileSync(path.join(drop, 'real.txt'), 'A plain statement inside the drop.\n');
    writeFileSync(path.join(drop, '..hidden.txt'), 'A file whose name starts with two dots.\n');
    writeFileSync(path.join(drop, 'sub', '...'), 'A file named three dots.\n');
    symlinkSync(outside, path.join(drop, 'linked-dir')); // a directory outside the drop
    symlinkSync('../..', path.join(drop, 'sub', 'up')); // a directory above the drop, through ..
    symlinkSync('self-loop', path.join(drop, 'self-loop')); // a link to itself
    symlinkSync('loop-b', path.join(drop, 'loop-a')); // two links to each other
    symlinkSync('loop-a', path.join(drop, 'loop-b'));
    symlinkSync('.', path.join(drop, 'sub', 'here')); // a directory loop
    symlinkSync(path.join('..', '..', path.basename(outside), 'secret.txt'), path.join(drop, 'sub', 'dotdot.txt'));
    symlinkSync('/etc/passwd', path.join(drop, 'passwd'));
    const out = tmpDir();
    await run(drop, out, s, url);
    const result = readOut(out);
    expect(await accountingProblems(drop, out)).toEqual([]);
    const code = (p: string) => result.rejected.find((r) => r.path === p)?.code;
    for (const link of ['linked-dir', 'sub/up', 'self-loop', 'loop-a', 'loop-b', 'sub/here', 'sub/dotdot.txt', 'passwd']) {
      expect(code(link), link).toBe('symlink');
    }
    expect(result.documents.map((d) => d.source.path).sort()).toEqual(['..hidden.txt', 'real.txt', 'sub/...']);
    const all = JSON.stringify(result);
    expect(all).not.toContain('TOP SECRET');
    expect(all).not.toContain('root:');
  }, 60_000);
});
