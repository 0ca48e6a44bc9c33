// The operations dashboard: bull-board over the five queues of one namespace, plus /healthz
// and /metrics (Prometheus). Loopback-only unless basic-auth credentials are configured;
// read-only unless actions are explicitly allowed. bull-board itself has no authentication,
// so every route, bull-board's API included, sits behind our own basic-auth middleware.
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue, QueueEvents } from 'bullmq';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SetupError } from '../shared/errors.js';
import { redactUrl, type Logger } from '../shared/logger.js';
import { STAGES, queuePrefix, type StageName } from '../shared/queues.js';
import { connect } from '../shared/redis.js';

export interface DashboardAuth {
  user: string;
  password: string;
}

export interface DashboardOptions {
  redisUrl: string;
  namespace: string;
  host: string;
  port: number;
  /** bull-board's readOnlyMode: no retry, remove, pause, clean or add buttons. */
  readOnly: boolean;
  auth?: DashboardAuth;
  logger: Logger;
}

export interface Dashboard {
  url: string;
  close(): Promise<void>;
}

/** Where bull-board is mounted; `/` redirects here. */
export const BOARD_PATH = '/queues';

/** The job states reported per queue, on /metrics and by `textmill status`. */
export const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

const HEALTH_TIMEOUT_MS = 2000;
const CLOSE_TIMEOUT_MS = 3000;

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/** 127.0.0.0/8, ::1 and localhost: the only hosts the dashboard binds to without credentials. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/**
 * Credentials from TEXTMILL_DASHBOARD_USER / TEXTMILL_DASHBOARD_PASSWORD. Both or neither: a
 * half-configured pair is a set-up error rather than a silently open dashboard.
 */
export function dashboardAuthFromEnv(env: NodeJS.ProcessEnv): DashboardAuth | undefined {
  const user = env.TEXTMILL_DASHBOARD_USER ?? '';
  const password = env.TEXTMILL_DASHBOARD_PASSWORD ?? '';
  if (!user && !password) return undefined;
  if (!user || !password) {
    throw new SetupError(
      'dashboard-auth',
      'Set both TEXTMILL_DASHBOARD_USER and TEXTMILL_DASHBOARD_PASSWORD (or neither) for the dashboard.',
    );
  }
  return { user, password };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time in the length and content of both strings (equal-length digests are compared). */
function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export function basicAuth(auth: DashboardAuth) {
  const wantUser = auth.user;
  const wantPassword = auth.password;
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    let ok = false;
    if (m) {
      const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        // Both comparisons always run: no early exit that tells a right user from a wrong one.
        const userOk = safeEqual(decoded.slice(0, colon), wantUser);
        const passwordOk = safeEqual(decoded.slice(colon + 1), wantPassword);
        ok = userOk && passwordOk;
      }
    }
    if (ok) return next();
    res.setHeader('WWW-Authenticate', 'Basic realm="textmill dashboard", charset="UTF-8"');
    res.status(401).type('text/plain').send('Authentication required.\n');
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function urlHost(host: string): string {
  const h = host.replace(/^\[(.*)\]$/, '$1');
  return h.includes(':') ? `[${h}]` : h;
}

interface Metrics {
  registry: Registry;
  observeCompleted(stage: StageName, seconds: number | null): void;
  observeFailed(stage: StageName): void;
}

function createMetrics(namespace: string, queues: Record<StageName, Queue>, ping: () => Promise<boolean>): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ namespace });
  // prom-client collects all metrics of a scrape in parallel: the three scrape-time gauges share
  // one in-flight refresh, so a scrape reads Redis once and every gauge sees the same reading.
  let inflight: Promise<void> | null = null;
  const collect = () =>
    (inflight ??= refresh().finally(() => {
      inflight = null;
    }));
  const jobs: Gauge<'queue' | 'state'> = new Gauge({
    name: 'textmill_queue_jobs',
    help: 'Jobs in each queue by state, read from Redis at scrape time.',
    labelNames: ['queue', 'state'],
    registers: [registry],
    collect,
  });
  const workers: Gauge<'queue'> = new Gauge({
    name: 'textmill_queue_workers',
    help: 'Workers connected to each queue, read from Redis (CLIENT LIST) at scrape time.',
    labelNames: ['queue'],
    registers: [registry],
    collect,
  });
  const up: Gauge = new Gauge({
    name: 'textmill_redis_up',
    help: 'Whether Redis answered a PING at scrape time (1) or not (0).',
    registers: [registry],
    collect,
  });
  async function refresh(): Promise<void> {
    jobs.reset();
    workers.reset();
    const alive = await ping();
    up.set(alive ? 1 : 0);
    if (!alive) return;
    try {
      await Promise.all(
        STAGES.map(async (stage) => {
          const counts = await queues[stage].getJobCounts(...JOB_STATES);
          for (const state of JOB_STATES) jobs.set({ queue: stage, state }, counts[state] ?? 0);
          const n = await queues[stage].getWorkersCount().catch(() => null);
          if (n !== null) workers.set({ queue: stage }, n);
        }),
      );
    } catch {
      jobs.reset();
      up.set(0);
    }
  }
  const completed = new Counter({
    name: 'textmill_jobs_completed_total',
    help: 'Jobs completed per queue since this dashboard started (from BullMQ queue events).',
    labelNames: ['queue'],
    registers: [registry],
  });
  const failed = new Counter({
    name: 'textmill_jobs_failed_total',
    help: 'Failed jobs per queue since this dashboard started (from BullMQ queue events).',
    labelNames: ['queue'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'textmill_job_processing_seconds',
    help: 'Processing time of completed jobs (finishedOn - processedOn) per queue, since this dashboard started.',
    labelNames: ['queue'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  for (const stage of STAGES) {
    // Present from the first scrape, not only after the first event.
    completed.inc({ queue: stage }, 0);
    failed.inc({ queue: stage }, 0);
  }

  return {
    registry,
    observeCompleted(stage, seconds) {
      completed.inc({ queue: stage });
      if (seconds !== null && Number.isFinite(seconds) && seconds >= 0) duration.observe({ queue: stage }, seconds);
    },
    observeFailed(stage) {
      failed.inc({ queue: stage });
    },
  };
}

/** bull-board has no authentication of its own: only loopback is served without credentials. */
export function assertBindAllowed(host: string, auth: DashboardAuth | undefined): void {
  if (auth && (!auth.user || !auth.password)) {
    throw new SetupError('dashboard-auth', 'Dashboard credentials need both a user and a password.');
  }
  if (!isLoopbackHost(host) && !auth) {
    throw new SetupError(
      'dashboard-open',
      `Refusing to serve the dashboard on ${host} without credentials: set TEXTMILL_DASHBOARD_USER and TEXTMILL_DASHBOARD_PASSWORD, or bind to 127.0.0.1.`,
    );
  }
}

export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const log = o.logger;
  assertBindAllowed(o.host, o.auth);

  const prefix = queuePrefix(o.namespace);
  const redis: Redis = connect(o.redisUrl, 'client');
  const queues = Object.fromEntries(STAGES.map((s) => [s, new Queue(s, { connection: redis, prefix })])) as Record<StageName, Queue>;
  for (const q of Object.values(queues)) q.on('error', (err) => log.debug({ err: err.message }, 'dashboard queue error'));

  const ping = async () => {
    try {
      return (await withTimeout(redis.ping(), HEALTH_TIMEOUT_MS, 'PING')) === 'PONG';
    } catch {
      return false;
    }
  };
  const metrics = createMetrics(o.namespace, queues, ping);

  // Queue events feed the counters and the processing-time histogram. Each QueueEvents blocks
  // on its own stream (XREAD BLOCK), so each gets a connection of its own.
  // Counting starts now, by Redis's clock (stream ids are Redis time): events written before
  // the first XREAD blocks are still seen. Without an answer, BullMQ's default ('$') applies.
  const now = await withTimeout(redis.time(), HEALTH_TIMEOUT_MS, 'TIME').catch(() => null);
  const lastEventId = now ? `${Number(now[0]) * 1000 + Math.floor(Number(now[1]) / 1000)}-0` : undefined;
  const eventConnections: Redis[] = [];
  const events: QueueEvents[] = [];
  for (const stage of STAGES) {
    const conn = connect(o.redisUrl, 'worker');
    eventConnections.push(conn);
    const ev = new QueueEvents(stage, { connection: conn, prefix, ...(lastEventId ? { lastEventId } : {}) });
    ev.on('error', (err) => log.debug({ err: err.message, stage }, 'dashboard queue-events error'));
    ev.on('completed', ({ jobId }) => {
      redis
        .hmget(queues[stage].toKey(jobId), 'processedOn', 'finishedOn')
        .then(([started, finished]) => {
          const seconds = started && finished ? (Number(finished) - Number(started)) / 1000 : null;
          metrics.observeCompleted(stage, seconds);
        })
        .catch(() => metrics.observeCompleted(stage, null));
    });
    ev.on('failed', () => metrics.observeFailed(stage));
    events.push(ev);
  }

  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: STAGES.map(
      (s) =>
        new BullMQAdapter(queues[s], {
          readOnlyMode: o.readOnly,
          allowRetries: !o.readOnly,
          displayName: s,
          description: `textmill ${s} stage (namespace ${o.namespace})`,
        }),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: `textmill · ${o.namespace}`, hideDocsLink: true } as never },
  });

  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    // Same-origin only: bull-board's page asks for web fonts from a third-party CDN, which an
    // operations page (often on a machine without internet) has no business loading.
    res.setHeader('Content-Security-Policy', CSP);
    next();
  });
  if (o.auth) app.use(basicAuth(o.auth));

  app.get('/healthz', async (_req, res) => {
    const alive = await ping();
    const byQueue: Record<string, number | null> = {};
    if (alive) {
      await Promise.all(
        STAGES.map(async (s) => {
          byQueue[s] = await withTimeout(queues[s].getWorkersCount(), HEALTH_TIMEOUT_MS, 'CLIENT LIST').catch(() => null);
        }),
      );
    }
    const counts = Object.values(byQueue).filter((n): n is number => typeof n === 'number');
    res
      .status(alive ? 200 : 503)
      .type('application/json')
      .send(
        JSON.stringify({
          redis: alive ? 'ok' : 'error',
          namespace: o.namespace,
          workers: counts.reduce((a, b) => a + b, 0),
          workersByQueue: byQueue,
        }),
      );
  });

  app.get('/metrics', async (_req, res) => {
    try {
      const body = await metrics.registry.metrics();
      res.status(200).type(metrics.registry.contentType).send(body);
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'metrics scrape failed');
      res.status(503).type('text/plain').send('metrics unavailable\n');
    }
  });

  app.get('/', (_req, res) => res.redirect(BOARD_PATH));
  app.use(BOARD_PATH, serverAdapter.getRouter());

  const server = http.createServer(app);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await closeAll();
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new SetupError('dashboard-port', `Port ${o.port} on ${o.host} is already in use; pick another with --port.`);
    if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') throw new SetupError('dashboard-host', `Cannot bind the dashboard to ${o.host}: no such local address.`);
    throw err;
  }
  server.on('error', (err) => log.error({ err: err.message }, 'dashboard server error'));

  const { port } = server.address() as AddressInfo;
  const url = `http://${urlHost(o.host)}:${port}${BOARD_PATH}`;
  log.info(
    { namespace: o.namespace, readOnly: o.readOnly, auth: Boolean(o.auth) },
    `dashboard on ${url} for ${redactUrl(o.redisUrl)} (namespace ${o.namespace}${o.readOnly ? ', read-only' : ', actions allowed'})`,
  );

  async function closeAll() {
    // Graceful when Redis answers; bounded when it does not (BullMQ's close waits for a
    // connection that may never come), then the connections are dropped either way.
    const graceful = Promise.allSettled([...events.map((e) => e.close()), ...Object.values(queues).map((q) => q.close())]);
    await withTimeout(graceful, CLOSE_TIMEOUT_MS, 'closing queues').catch(() => {});
    for (const c of eventConnections) c.disconnect();
    redis.disconnect();
  }

  let closing: Promise<void> | null = null;
  return {
    url,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await closeAll();
      })();
      return closing;
    },
  };
}
