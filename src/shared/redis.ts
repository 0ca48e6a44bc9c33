// Redis connections and how a command finds its Redis (output contract, "Redis"):
//   1. --redis or REDIS_URL,
//   2. 127.0.0.1:6379 when it answers,
//   3. a private redis-server from PATH on a free port, stopped when the command exits,
//   4. otherwise a SetupError (exit 2) that says how to get Redis.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { SetupError } from './errors.js';
import { redactUrl } from './logger.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export type RedisRole = 'worker' | 'client';

/**
 * BullMQ workers need `maxRetriesPerRequest: null` (they block and must never give up);
 * producers and CLI clients fail fast instead.
 */
export function connectionOptions(role: RedisRole): RedisOptions {
  return role === 'worker'
    ? { maxRetriesPerRequest: null, enableReadyCheck: true }
    : { maxRetriesPerRequest: 3, enableOfflineQueue: true, connectTimeout: 5000 };
}

/** Accepts redis://, rediss:// (TLS), user:password@ (ACL) and /db in the URL. */
export function connect(url: string, role: RedisRole): Redis {
  const redis = new Redis(url, { ...connectionOptions(role), lazyConnect: false });
  // An unhandled 'error' event would crash the process; ioredis reconnects by itself.
  redis.on('error', () => {});
  return redis;
}

/** Connects and pings once: 'ok', 'auth' (the server refused the credentials) or 'down'. */
async function probe(url: string, timeoutMs: number): Promise<{ state: 'ok' | 'down' } | { state: 'auth'; reason: string }> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null });
  // A refused AUTH arrives as an 'error' event; connect() then only says the connection closed.
  let lastError = '';
  redis.on('error', (err: Error) => {
    lastError = err.message;
  });
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG' ? { state: 'ok' } : { state: 'down' };
  } catch (err) {
    // Redis's own replies (WRONGPASS, NOAUTH, NOPERM) never echo the password.
    const m = /\b(WRONGPASS|NOAUTH|NOPERM)\b[^\n]*/.exec(`${lastError}\n${err instanceof Error ? err.message : String(err)}`);
    return m ? { state: 'auth', reason: m[0].trim() } : { state: 'down' };
  } finally {
    redis.disconnect();
  }
}

async function answers(url: string, timeoutMs: number): Promise<boolean> {
  return (await probe(url, timeoutMs)).state === 'ok';
}

/** Pings with retries and exponential backoff; throws a one-line SetupError at the end. */
export async function waitForRedis(url: string, tries = 4, firstDelayMs = 250): Promise<void> {
  let delay = firstDelayMs;
  for (let i = 0; i < tries; i++) {
    const p = await probe(url, 2000);
    if (p.state === 'ok') return;
    // Wrong credentials do not get better by waiting, and "does not answer" would mislead.
    if (p.state === 'auth') {
      throw new SetupError('redis-auth', `Redis at ${redactUrl(url)} refused the credentials (${p.reason}); check the user and password in --redis or REDIS_URL.`);
    }
    if (i < tries - 1) {
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
  }
  throw new SetupError('redis-unreachable', `Redis at ${redactUrl(url)} does not answer; start it or pass another with --redis or REDIS_URL.`);
}

export interface ResolvedRedis {
  url: string;
  source: 'flag' | 'env' | 'local' | 'embedded';
  stop(): Promise<void>;
}

export async function resolveRedis(flag: string | undefined, env: NodeJS.ProcessEnv): Promise<ResolvedRedis> {
  const given = flag ?? env.REDIS_URL;
  if (given) {
    await waitForRedis(given);
    return { url: given, source: flag ? 'flag' : 'env', stop: async () => {} };
  }
  if (await answers(DEFAULT_REDIS_URL, 500)) return { url: DEFAULT_REDIS_URL, source: 'local', stop: async () => {} };
  const embedded = await startEmbeddedRedis().catch(() => null);
  if (embedded) return { url: embedded.url, source: 'embedded', stop: embedded.stop };
  throw new SetupError(
    'no-redis',
    'No Redis found: pass --redis URL or set REDIS_URL, install redis-server (e.g. `apt-get install redis-server`, `brew install redis`), or run `docker compose up -d redis`.',
  );
}

const running = new Set<ChildProcess>();
// A private Redis must not outlive the command, also on Ctrl-C or an uncaught error.
process.once('exit', () => {
  for (const p of running) p.kill('SIGTERM');
});

/**
 * Starts a private redis-server in a temporary directory, listening on a Unix socket there
 * (mode 700, no TCP port). Its URL is the socket's path, which ioredis, BullMQ and --redis take
 * as they take a redis:// URL. Why a socket: the server has no password, and a port on
 * 127.0.0.1 let any local user read the documents in its queues; the socket is its owner's
 * alone. (Speed: no difference beyond this machine's noise, 3 alternated runs each of 2,028
 * documents: 18.4-20.5 s over TCP, 19.6-22.2 s over the socket.)
 */
export async function startEmbeddedRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'textmill-redis-'));
  const socket = path.join(dir, 'redis.sock');
  const proc = spawn(
    'redis-server',
    ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  running.add(proc);
  const cleanup = () => {
    running.delete(proc);
    rmSync(dir, { recursive: true, force: true });
  };
  const url = socket;
  try {
    await new Promise<void>((resolve, reject) => {
      proc.once('error', reject);
      proc.once('exit', () => reject(new Error('redis-server exited')));
      const deadline = Date.now() + 10_000;
      const probe = async () => {
        if (await answers(url, 300)) resolve();
        else if (Date.now() > deadline) reject(new Error('redis-server did not start'));
        else setTimeout(probe, 50);
      };
      void probe();
    });
  } catch (err) {
    proc.kill('SIGTERM');
    cleanup();
    throw err;
  }
  return {
    url,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      cleanup();
    },
  };
}

/**
 * BullMQ loses jobs when Redis evicts keys, so any policy but noeviction is refused. Managed
 * Redis services sometimes forbid CONFIG; then we cannot tell and carry on.
 */
export async function checkEvictionPolicy(redis: Redis): Promise<void> {
  let policy: string | undefined;
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    policy = reply[1];
  } catch {
    return;
  }
  if (policy && policy !== 'noeviction') {
    throw new SetupError(
      'redis-eviction',
      `Redis maxmemory-policy is "${policy}"; set it to "noeviction" (BullMQ loses jobs when Redis evicts keys).`,
    );
  }
}
