// The dashboard against a real Redis: bull-board in a real headless Chromium, basic auth and the
// loopback rule, /healthz and /metrics; and the functions behind `textmill status` and `retry`.
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { collectStatus, formatStatus, retryFailed } from '../src/cli/commands/status.js';
import { isLoopbackHost, startDashboard, type Dashboard } from '../src/dashboard/server.js';
import { SetupError } from '../src/shared/errors.js';
import { createLogger } from '../src/shared/logger.js';
import { STAGES, queuePrefix, type StageName } from '../src/shared/queues.js';
import { ROOT } from './helpers/pipeline.js';
import { tmpDir, uniqueNamespace } from './helpers/tmp.js';

const url = inject('redisUrl');
const logger = createLogger({ level: 'silent', pretty: false });
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const ARTIFACTS = path.join(ROOT, 'test', 'artifacts');

/** Waiting jobs per stage: all different, so a count cannot be matched to the wrong queue. */
const WAITING: Record<StageName, number> = { clean: 3, dedup: 1, entities: 4, themes: 2, write: 5 };

/** Deletes this namespace's keys only (queues and our own), never anything else. */
async function dropNamespace(redis: Redis, ns: string): Promise<void> {
  for (const pattern of [`${queuePrefix(ns)}:*`, `tm:{${ns}}:*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  }
}

function openQueues(redis: Redis, ns: string): Record<StageName, Queue> {
  return Object.fromEntries(STAGES.map((s) => [s, new Queue(s, { connection: redis, prefix: queuePrefix(ns) })])) as Record<StageName, Queue>;
}

/** Runs one job through a throwaway worker whose processor throws, leaving it failed. */
async function failOneJob(redis: Redis, ns: string, stage: StageName, reason: string): Promise<string> {
  const q = new Queue(stage, { connection: redis, prefix: queuePrefix(ns) });
  const job = await q.add('doc', { n: 0 }, { attempts: 1, jobId: `fail-${stage}` });
  const conn = redis.duplicate({ maxRetriesPerRequest: null });
  const w = new Worker(
    stage,
    async () => {
      throw new Error(reason);
    },
    { connection: conn, prefix: queuePrefix(ns) },
  );
  await new Promise<void>((resolve) => w.once('failed', () => resolve()));
  await w.close();
  conn.disconnect();
  await q.close();
  return job.id!;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The value of one sample of a Prometheus text exposition, whatever the order of its labels. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    const keys = Object.keys(labels);
    if (keys.length === Object.keys(got).length && keys.every((k) => got[k] === labels[k])) return Number(m[3]);
  }
  return undefined;
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe('loopback rule', () => {
  it('knows loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.org', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('refuses a non-loopback bind without credentials, before touching Redis', async () => {
    const attempt = startDashboard({ redisUrl: 'redis://127.0.0.1:1', namespace: 'x', host: '0.0.0.0', port: 0, readOnly: true, logger });
    await expect(attempt).rejects.toBeInstanceOf(SetupError);
    await expect(attempt).rejects.toThrow(/Refusing to serve the dashboard on 0\.0\.0\.0 without credentials.*TEXTMILL_DASHBOARD_USER/);
  });
});

describe('dashboard on a namespace with jobs', () => {
  const ns = uniqueNamespace();
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  let queues: Record<StageName, Queue>;
  let dash: Dashboard;

  beforeAll(async () => {
    queues = openQueues(redis, ns);
    await failOneJob(redis, ns, 'write', 'disk full (test)');
    for (const s of STAGES) {
      for (let i = 0; i < WAITING[s]; i++) await queues[s].add('doc', { i }, { jobId: `${s}-${i}` });
    }
    dash = await startDashboard({ redisUrl: url, namespace: ns, host: '127.0.0.1', port: await freePort(), readOnly: true, logger });
  });

  afterAll(async () => {
    await dash?.close();
    await Promise.all(Object.values(queues ?? {}).map((q) => q.close()));
    await dropNamespace(redis, ns);
    redis.disconnect();
  });

  it('is on loopback, under /queues, and / redirects there', async () => {
    expect(dash.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/queues$/);
    const res = await fetch(new URL('/', dash.url), { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/queues');
  });

  it('/healthz answers 200 with Redis ok and a worker count', async () => {
    const res = await fetch(new URL('/healthz', dash.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as { redis: string; workers: number; workersByQueue: Record<string, number> };
    expect(body.redis).toBe('ok');
    expect(typeof body.workers).toBe('number');
    expect(Object.keys(body.workersByQueue).sort()).toEqual([...STAGES].sort());
  });

  it('/metrics has per-queue job gauges read at scrape time', async () => {
    const res = await fetch(new URL('/metrics', dash.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toContain('# TYPE textmill_queue_jobs gauge');
    for (const s of STAGES) {
      expect(sample(text, 'textmill_queue_jobs', { queue: s, state: 'waiting', namespace: ns }), s).toBe(WAITING[s]);
      expect(sample(text, 'textmill_queue_jobs', { queue: s, state: 'active', namespace: ns }), s).toBe(0);
      expect(sample(text, 'textmill_jobs_completed_total', { queue: s, namespace: ns }), s).toBe(0);
      expect(sample(text, 'textmill_jobs_failed_total', { queue: s, namespace: ns }), s).toBe(0);
    }
    expect(sample(text, 'textmill_queue_jobs', { queue: 'write', state: 'failed', namespace: ns })).toBe(1);
    expect(sample(text, 'textmill_redis_up', { namespace: ns })).toBe(1);
    expect(text).toContain('# TYPE textmill_job_processing_seconds histogram');
    // Added later, seen by the next scrape.
    await queues.clean.add('doc', { late: true }, { jobId: 'clean-late' });
    const again = await (await fetch(new URL('/metrics', dash.url))).text();
    expect(sample(again, 'textmill_queue_jobs', { queue: 'clean', state: 'waiting', namespace: ns })).toBe(WAITING.clean + 1);
    await queues.clean.remove('clean-late');
  });

  it('is read-only unless actions are allowed, and never shows the Redis URL', async () => {
    const res = await fetch(new URL('/queues/api/queues', dash.url));
    expect(res.status).toBe(200);
    const raw = await res.text();
    const body = JSON.parse(raw) as { queues: { name: string; readOnlyMode: boolean; counts: Record<string, number> }[] };
    expect(body.queues.map((q) => q.name)).toEqual([...STAGES]);
    for (const q of body.queues) {
      expect(q.readOnlyMode).toBe(true);
      expect(q.counts.waiting).toBe(WAITING[q.name as StageName]);
    }
    expect(raw).not.toContain(url);
    const page = await (await fetch(dash.url)).text();
    expect(page).not.toContain(url);
    expect(page).not.toContain('redis://');
  });

  describe.skipIf(!hasChromium)(`in a real browser (${hasChromium ? CHROMIUM : 'skipped: /usr/bin/chromium is not installed; apt-get install -y chromium'})`, () => {
    it('shows the five queues with their job counts; screenshot in test/artifacts/dashboard.png', async () => {
      const { chromium } = await import('playwright-core');
      const profile = tmpDir('textmill-chromium-');
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'],
        viewport: { width: 1400, height: 900 },
      });
      const offsite: string[] = [];
      try {
        // Nothing but the dashboard on loopback is ever fetched.
        await context.route(
          (u) => u.hostname !== '127.0.0.1',
          (route) => {
            offsite.push(route.request().url());
            return route.abort();
          },
        );
        const page = context.pages()[0] ?? (await context.newPage());
        await page.goto(dash.url);
        for (const s of STAGES) await page.getByRole('link', { name: s, exact: true }).first().waitFor({ timeout: 20_000 });
        // Each queue's card: its name, then (a line or two later) its job count. The write queue
        // also holds the failed job.
        const expected: Record<StageName, number> = { ...WAITING, write: WAITING.write + 1 };
        await page.waitForFunction(
          (exp) => Object.entries(exp).every(([s, n]) => new RegExp(`(^|\\n)${s}\\n(?:[^\\n]*\\n){0,3}?${n} Jobs?(\\n|$)`).test(document.body.innerText)),
          expected,
          { timeout: 20_000 },
        );
        const text = await page.locator('body').innerText();
        for (const s of STAGES) expect(text).toMatch(new RegExp(`(^|\\n)${s}\\n(?:[^\\n]*\\n){0,3}?${expected[s]} Jobs?(\\n|$)`));
        expect(text).toContain(`textmill · ${ns}`);
        expect(text).not.toContain('redis://');
        mkdirSync(ARTIFACTS, { recursive: true });
        const shot = path.join(ARTIFACTS, 'dashboard.png');
        await page.screenshot({ path: shot, fullPage: true });
        expect(statSync(shot).size).toBeGreaterThan(10_000);
        expect(offsite).toEqual([]);
      } finally {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      }
    });
  });
});

describe('basic auth', () => {
  const ns = uniqueNamespace();
  const auth = { user: 'ops', password: 'correct horse battery staple' };
  const dashboards: Dashboard[] = [];

  afterAll(async () => {
    await Promise.all(dashboards.map((d) => d.close()));
  });

  it('protects every route, on loopback too', async () => {
    const d = await startDashboard({ redisUrl: url, namespace: ns, host: '127.0.0.1', port: 0, readOnly: true, auth, logger });
    dashboards.push(d);
    for (const route of ['/healthz', '/metrics', '/queues', '/queues/api/queues']) {
      const none = await fetch(new URL(route, d.url));
      expect(none.status, route).toBe(401);
      expect(none.headers.get('www-authenticate'), route).toMatch(/^Basic realm=/);
      const wrong = await fetch(new URL(route, d.url), { headers: { authorization: basic('ops', 'wrong') } });
      expect(wrong.status, route).toBe(401);
      const wrongUser = await fetch(new URL(route, d.url), { headers: { authorization: basic('root', auth.password) } });
      expect(wrongUser.status, route).toBe(401);
      const ok = await fetch(new URL(route, d.url), { headers: { authorization: basic(auth.user, auth.password) } });
      expect(ok.status, route).toBe(200);
      await ok.arrayBuffer();
    }
  });

  it('allows a non-loopback bind once credentials are set (and actions when asked)', async () => {
    const d = await startDashboard({ redisUrl: url, namespace: ns, host: '0.0.0.0', port: 0, readOnly: false, auth, logger });
    dashboards.push(d);
    const port = new URL(d.url).port;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(401);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { authorization: basic(auth.user, auth.password) } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { redis: string }).redis).toBe('ok');
    const api = await fetch(`http://127.0.0.1:${port}/queues/api/queues`, { headers: { authorization: basic(auth.user, auth.password) } });
    const body = (await api.json()) as { queues: { readOnlyMode: boolean; allowRetries: boolean }[] };
    expect(body.queues).toHaveLength(5);
    for (const q of body.queues) expect(q).toMatchObject({ readOnlyMode: false, allowRetries: true });
  });
});

describe('metrics from finished jobs', () => {
  const ns = uniqueNamespace();
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  let dash: Dashboard;
  let worker: Worker | undefined;
  const workerConn = redis.duplicate({ maxRetriesPerRequest: null });

  afterAll(async () => {
    await worker?.close();
    workerConn.disconnect();
    await dash?.close();
    await dropNamespace(redis, ns);
    redis.disconnect();
  });

  it('counts completed jobs and observes their processing time', async () => {
    dash = await startDashboard({ redisUrl: url, namespace: ns, host: '127.0.0.1', port: 0, readOnly: true, logger });
    const q = new Queue('entities', { connection: redis, prefix: queuePrefix(ns) });
    const done = new Promise<void>((resolve) => {
      let n = 0;
      worker = new Worker(
        'entities',
        async (job: Job) => {
          await new Promise((r) => setTimeout(r, 30));
          return job.id;
        },
        { connection: workerConn, prefix: queuePrefix(ns) },
      );
      worker.on('completed', () => {
        if (++n === 2) resolve();
      });
    });
    await q.add('doc', { a: 1 });
    await q.add('doc', { a: 2 });
    await done;
    // /healthz sees the running worker.
    const health = (await (await fetch(new URL('/healthz', dash.url))).json()) as { workers: number; workersByQueue: Record<string, number> };
    expect(health.workersByQueue.entities).toBeGreaterThanOrEqual(1);
    expect(health.workers).toBeGreaterThanOrEqual(1);
    // The queue events arrive asynchronously.
    let text = '';
    const labels = { queue: 'entities', namespace: ns };
    for (let i = 0; i < 50; i++) {
      text = await (await fetch(new URL('/metrics', dash.url))).text();
      if (sample(text, 'textmill_job_processing_seconds_count', labels) === 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(sample(text, 'textmill_jobs_completed_total', labels)).toBe(2);
    expect(sample(text, 'textmill_job_processing_seconds_count', labels)).toBe(2);
    const sum = sample(text, 'textmill_job_processing_seconds_sum', labels)!;
    expect(sum).toBeGreaterThanOrEqual(0.05);
    expect(sum).toBeLessThan(10);
    expect(sample(text, 'textmill_job_processing_seconds_bucket', { ...labels, le: '+Inf' })).toBe(2);
    expect(sample(text, 'textmill_queue_jobs', { ...labels, state: 'completed' })).toBe(2);
    await q.close();
  });
});

describe('healthz without Redis', () => {
  it('answers 503 with redis: error', async () => {
    const port = await freePort(); // nothing listens there
    const d = await startDashboard({ redisUrl: `redis://:hunter2@127.0.0.1:${port}`, namespace: uniqueNamespace(), host: '127.0.0.1', port: 0, readOnly: true, logger });
    try {
      const res = await fetch(new URL('/healthz', d.url));
      expect(res.status).toBe(503);
      const body = await res.text();
      expect(JSON.parse(body)).toMatchObject({ redis: 'error' });
      expect(body).not.toContain('hunter2');
    } finally {
      await d.close();
    }
  });
});

describe('status and retry', () => {
  const ns = uniqueNamespace();
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  let failedId: string;

  beforeAll(async () => {
    failedId = await failOneJob(redis, ns, 'dedup', 'index unavailable (test)');
    const q = new Queue('clean', { connection: redis, prefix: queuePrefix(ns) });
    await q.add('doc', { i: 1 });
    await q.add('doc', { i: 2 });
    await q.close();
  });

  afterAll(async () => {
    await dropNamespace(redis, ns);
    redis.disconnect();
  });

  it('reports counts per stage, failed jobs with their reasons, and the index size', async () => {
    const report = await collectStatus(redis, ns);
    expect(report.namespace).toBe(ns);
    expect(report.queues.clean.waiting).toBe(2);
    expect(report.queues.dedup.failed).toBe(1);
    expect(report.queues.write.waiting).toBe(0);
    expect(report.failedTotal).toBe(1);
    expect(report.failed).toEqual([
      expect.objectContaining({ stage: 'dedup', id: failedId, reason: 'index unavailable (test)', attemptsMade: 1 }),
    ]);
    expect(report.index).toMatchObject({ documents: 0, messages: 0, clusters: 0 });
    const text = formatStatus(report);
    expect(text).toMatch(/^stage\s+waiting\s+active/m);
    expect(text).toMatch(/^clean\s+2\s+0/m);
    expect(text).toContain('failed jobs: 1');
    expect(text).toContain('index unavailable (test)');
    expect(text).toMatch(/dedup index: 0 documents, 0 messages, 0 clusters/);
    // --json output is the report itself.
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('retry re-queues the failed jobs of a stage as waiting', async () => {
    expect(await retryFailed(redis, ns, 'clean')).toBe(0);
    expect(await retryFailed(redis, ns, 'dedup')).toBe(1);
    const q = new Queue('dedup', { connection: redis, prefix: queuePrefix(ns) });
    try {
      const job = await q.getJob(failedId);
      expect(await job!.getState()).toBe('waiting');
      expect(job!.attemptsMade).toBe(0);
      expect(await q.getFailedCount()).toBe(0);
    } finally {
      await q.close();
    }
    expect(await retryFailed(redis, ns, 'dedup')).toBe(0);
  });
});

describe.skipIf(!hasChromium)('in a real browser while a run is in progress', () => {
  it('shows the drop waiting in the clean queue, then the run completes once a worker starts', async () => {
    const { spawn } = await import('node:child_process');
    const { CORPUS } = await import('./helpers/pipeline.js');
    const ns = uniqueNamespace();
    const redis = new Redis(url, { maxRetriesPerRequest: null });
    const bin = path.join(ROOT, 'bin/textmill.js');
    const env = { ...process.env, TEXTMILL_LOG_LEVEL: 'warn' };
    const out = tmpDir();
    // The producer enqueues the sample drop and waits: no worker runs yet. One job per file
    // (--batch 1), so the dashboard shows the four documents as four jobs.
    const producer = spawn(process.execPath, [bin, 'produce', CORPUS, '--out', out, '--redis', url, '--namespace', ns, '--batch', '1'], { stdio: 'ignore', env });
    const producerExit = new Promise<number | null>((r) => producer.once('exit', (c) => r(c)));
    const dash = await startDashboard({ redisUrl: url, namespace: ns, host: '127.0.0.1', port: await freePort(), readOnly: true, logger });
    const { chromium } = await import('playwright-core');
    const profile = tmpDir('textmill-chromium-');
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'],
    });
    let worker: ReturnType<typeof spawn> | undefined;
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(dash.url);
      const files = 4;
      await page.waitForFunction((n) => new RegExp(`(^|\\n)clean\\n(?:[^\\n]*\\n){0,3}?${n} Jobs?(\\n|$)`).test(document.body.innerText), files, {
        timeout: 30_000,
        polling: 500,
      });
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-run-in-progress.png'), fullPage: true });
      worker = spawn(process.execPath, [bin, 'worker', '--redis', url, '--namespace', ns], { stdio: 'ignore', env });
      expect(await producerExit).toBe(0);
      // every stage's queue has now seen the four documents
      await page.reload();
      await page.waitForFunction((n) => new RegExp(`(^|\\n)write\\n(?:[^\\n]*\\n){0,3}?${n} Jobs?(\\n|$)`).test(document.body.innerText), files, {
        timeout: 30_000,
        polling: 500,
      });
    } finally {
      worker?.kill('SIGTERM');
      if (producer.exitCode === null) producer.kill('SIGKILL');
      await context.close();
      rmSync(profile, { recursive: true, force: true });
      await dash.close();
      await dropNamespace(redis, ns);
      redis.disconnect();
    }
  }, 120_000);
});
