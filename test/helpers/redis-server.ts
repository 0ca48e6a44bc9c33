// Gives the test run a Redis it may freely write to, in this order:
//   1. REDIS_URL when set (the tests then only touch keys under their own unique prefixes),
//   2. a Redis container through testcontainers when a Docker engine answers,
//   3. a private redis-server from PATH on a free port with a temporary directory.
// Only a Redis this module started is ever stopped; none is ever flushed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TestRedis {
  url: string;
  how: 'env' | 'container' | 'spawned';
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function tryContainer(): Promise<TestRedis | null> {
  try {
    const { GenericContainer, getContainerRuntimeClient } = await import('testcontainers');
    // Fails fast when no engine runs, as on the development machines here.
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('docker timeout')), 3000)),
    ]);
    const container = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
    return {
      url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
      how: 'container',
      stop: async () => {
        await container.stop();
      },
    };
  } catch {
    return null;
  }
}

export async function spawnRedisServer(extraArgs: string[] = []): Promise<TestRedis & { port: number; dir: string; proc: ChildProcess }> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'textmill-test-redis-'));
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs],
    { stdio: 'ignore' },
  );
  await new Promise<void>((resolve, reject) => {
    proc.once('error', (err) => reject(new Error(`cannot start redis-server (${err.message}); install it or set REDIS_URL`)));
    const deadline = Date.now() + 10_000;
    const probe = () => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error('redis-server did not start within 10 s'));
        else setTimeout(probe, 50);
      });
    };
    probe();
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    how: 'spawned',
    port,
    dir,
    proc,
    stop: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startTestRedis(): Promise<TestRedis> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, how: 'env', stop: async () => {} };
  return (await tryContainer()) ?? (await spawnRedisServer());
}
