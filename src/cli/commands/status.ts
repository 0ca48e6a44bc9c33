// `textmill status` (queue counts, failed jobs with reasons, the dedup index size) and
// `textmill retry <stage>` (re-queue the failed jobs of a stage).
import type { Command } from 'commander';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_STATES } from '../../dashboard/server.js';
import { resolveSettings } from '../../shared/config.js';
import { SetupError } from '../../shared/errors.js';
import { STAGES, queuePrefix, type StageName } from '../../shared/queues.js';
import { DEFAULT_REDIS_URL, connect, resolveRedis } from '../../shared/redis.js';
import { createRedisIndex } from '../../workers/dedup/index-redis.js';

export type JobStateName = (typeof JOB_STATES)[number];

export interface FailedJob {
  stage: StageName;
  id: string;
  name: string;
  reason: string;
  attemptsMade: number;
  failedAt: string | null;
}

export interface StatusReport {
  namespace: string;
  queues: Record<StageName, Record<JobStateName, number>>;
  /** Failed jobs per stage in total (the list below is only the most recent ones). */
  failedTotal: number;
  failed: FailedJob[];
  index: { messages: number; clusters: number; documents: number; bytes?: number } | null;
  indexError?: string;
}

function openQueues(redis: Redis, namespace: string): Record<StageName, Queue> {
  const prefix = queuePrefix(namespace);
  return Object.fromEntries(STAGES.map((s) => [s, new Queue(s, { connection: redis, prefix })])) as Record<StageName, Queue>;
}

async function closeQueues(queues: Record<StageName, Queue>): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}

/** One line: the first line of a failure reason, shortened. */
function oneLine(reason: string | undefined, max = 200): string {
  const first = (reason ?? '').split('\n')[0]!.trim() || '(no reason recorded)';
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}

export async function collectStatus(redis: Redis, namespace: string, opts: { failedLimit?: number } = {}): Promise<StatusReport> {
  const failedLimit = opts.failedLimit ?? 10;
  const queues = openQueues(redis, namespace);
  try {
    const counts = await Promise.all(STAGES.map((s) => queues[s].getJobCounts(...JOB_STATES)));
    const byStage = Object.fromEntries(
      STAGES.map((s, i) => [s, Object.fromEntries(JOB_STATES.map((st) => [st, counts[i]![st] ?? 0]))]),
    ) as StatusReport['queues'];
    const failedTotal = STAGES.reduce((sum, s) => sum + byStage[s].failed, 0);

    // The most recent failures across stages: the newest failedLimit of each, merged by time.
    const failed: FailedJob[] = [];
    if (failedLimit > 0) {
      for (const s of STAGES) {
        if (byStage[s].failed === 0) continue;
        const jobs = await queues[s].getFailed(0, failedLimit - 1);
        for (const j of jobs) {
          if (!j) continue;
          failed.push({
            stage: s,
            id: String(j.id),
            name: j.name,
            reason: oneLine(j.failedReason),
            attemptsMade: j.attemptsMade,
            failedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
          });
        }
      }
      failed.sort((a, b) => (b.failedAt ?? '').localeCompare(a.failedAt ?? ''));
      failed.splice(failedLimit);
    }

    let index: StatusReport['index'] = null;
    let indexError: string | undefined;
    try {
      const st = await createRedisIndex(redis, namespace).stats();
      index = { messages: st.messages, clusters: st.clusters, documents: st.documents, ...(st.bytes !== undefined ? { bytes: st.bytes } : {}) };
    } catch (err) {
      indexError = err instanceof Error ? err.message : String(err);
    }
    return { namespace, queues: byStage, failedTotal, failed, index, ...(indexError ? { indexError } : {}) };
  } finally {
    await closeQueues(queues);
  }
}

function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export function formatStatus(r: StatusReport): string {
  const cols: JobStateName[] = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'];
  const head = ['stage', ...cols];
  const rows = STAGES.map((s) => [s, ...cols.map((c) => String(r.queues[s][c]))]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  const out: string[] = [`namespace ${r.namespace}`, '', fmt(head), ...rows.map(fmt), ''];
  if (r.failedTotal === 0) {
    out.push('failed jobs: none');
  } else {
    out.push(`failed jobs: ${r.failedTotal} (most recent ${r.failed.length}; re-queue with \`textmill retry <stage>\`)`);
    for (const f of r.failed) out.push(`  ${f.stage.padEnd(8)} ${f.id}  ${f.failedAt ?? '-'}  attempts ${f.attemptsMade}  ${f.reason}`);
  }
  out.push('');
  if (r.index) {
    const bytes = r.index.bytes !== undefined ? `, ~${humanBytes(r.index.bytes)}` : '';
    out.push(`dedup index: ${r.index.documents} documents, ${r.index.messages} messages, ${r.index.clusters} clusters${bytes}`);
  } else {
    out.push(`dedup index: unavailable (${r.indexError ?? 'unknown error'})`);
  }
  return out.join('\n');
}

export function parseStage(name: string): StageName {
  if (!(STAGES as readonly string[]).includes(name)) {
    throw new SetupError('bad-stage', `Unknown stage "${name}"; the stages are ${STAGES.join(', ')}.`);
  }
  return name as StageName;
}

/**
 * Moves every failed job of a stage back to waiting, with its attempt and stall counters reset
 * so it gets the full number of attempts again. Returns how many were re-queued. A job that changes state
 * meanwhile (retried or removed by someone else) is skipped, not counted.
 */
export async function retryFailed(redis: Redis, namespace: string, stage: StageName, pageSize = 500): Promise<number> {
  const queue = new Queue(stage, { connection: redis, prefix: queuePrefix(namespace) });
  let retried = 0;
  try {
    // Bounded by the count at the start: a job that fails again while we work is not retried twice.
    const total = await queue.getFailedCount();
    while (retried < total) {
      const jobs = await queue.getFailed(0, Math.min(pageSize, total - retried) - 1);
      if (jobs.length === 0) break;
      let progress = 0;
      for (const job of jobs) {
        if (!job) continue;
        try {
          // The stall count too: a job failed for stalling too often (MAX_STALLS in
          // pipeline/bullmq.ts) would otherwise give up again at once.
          await redis.hdel(queue.toKey(job.id!), 'stc');
          await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
          progress++;
        } catch {
          // No longer failed (or gone): someone else got there first.
        }
      }
      retried += progress;
      if (progress === 0) break;
    }
  } finally {
    await queue.close();
  }
  return retried;
}

/** status/retry read an existing namespace: a private empty Redis would be no use. */
async function clientRedis(flag: string | undefined) {
  const env = { ...process.env };
  if (!flag && !env.REDIS_URL) env.REDIS_URL = DEFAULT_REDIS_URL;
  const r = await resolveRedis(flag, env);
  return connect(r.url, 'client');
}

function namespaceOf(flag: string | undefined): string {
  return resolveSettings({ namespace: flag }, process.env).namespace;
}

export function registerStatus(program: Command) {
  program
    .command('status')
    .description('queue counts per stage, recent failed jobs with their reasons, and the dedup index size')
    .option('--redis <url>', 'Redis URL (default: REDIS_URL, then 127.0.0.1:6379)')
    .option('--namespace <name>', 'namespace (default: TEXTMILL_NAMESPACE, then "default")')
    .option('--failed <n>', 'how many recent failed jobs to list', '10')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts) => {
      const namespace = namespaceOf(opts.namespace);
      const failedLimit = Number(opts.failed);
      if (!Number.isInteger(failedLimit) || failedLimit < 0) throw new SetupError('bad-flag', '--failed takes a whole number of jobs, e.g. --failed 20.');
      const redis = await clientRedis(opts.redis);
      try {
        const report = await collectStatus(redis, namespace, { failedLimit });
        process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatStatus(report)}\n`);
      } finally {
        redis.disconnect();
      }
    });

  program
    .command('retry')
    .description('re-queue the failed jobs of a stage')
    .argument('<stage>', `one of ${STAGES.join(', ')}`)
    .option('--redis <url>', 'Redis URL (default: REDIS_URL, then 127.0.0.1:6379)')
    .option('--namespace <name>', 'namespace (default: TEXTMILL_NAMESPACE, then "default")')
    .action(async (stageName: string, opts) => {
      const stage = parseStage(stageName);
      const namespace = namespaceOf(opts.namespace);
      const redis = await clientRedis(opts.redis);
      try {
        const n = await retryFailed(redis, namespace, stage);
        process.stdout.write(`re-queued ${n} failed ${stage} job${n === 1 ? '' : 's'} (namespace ${namespace})\n`);
      } finally {
        redis.disconnect();
      }
    });
}
