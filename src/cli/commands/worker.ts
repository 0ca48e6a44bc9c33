import type { Command } from 'commander';
import { openQueues, closeQueues, startWorkers } from '../../pipeline/bullmq.js';
import { indexOptions, loadResources } from '../../pipeline/resources.js';
import { resolveSettings } from '../../shared/config.js';
import { SetupError } from '../../shared/errors.js';
import { redactUrl } from '../../shared/logger.js';
import { STAGES, type StageName } from '../../shared/queues.js';
import { checkEvictionPolicy, connect, resolveRedis } from '../../shared/redis.js';
import { createRedisIndex } from '../../workers/dedup/index-redis.js';
import { cliLogger } from '../util.js';

export function parseStages(list: string | undefined): StageName[] {
  if (!list) return [...STAGES];
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!(STAGES as readonly string[]).includes(n)) throw new SetupError('bad-stage', `Unknown stage "${n}"; the stages are ${STAGES.join(', ')}.`);
  }
  return names as StageName[];
}

export function registerWorker(program: Command) {
  program
    .command('worker')
    .description('process jobs of the given stages until stopped (start as many as you like, on any machine)')
    .option('--redis <url>', 'Redis URL (default: REDIS_URL, then 127.0.0.1:6379)')
    .option('--namespace <name>', 'namespace', 'default')
    .option('--stages <list>', `comma-separated stages (default: all of ${STAGES.join(',')})`)
    .option('--concurrency <n>', 'jobs processed at once per stage (default: 2 per core)')
    .option('--themes <file>', 'theme taxonomy (YAML)')
    .option('--entities <file>', 'entity knowledge base (YAML)')
    .option('--dedup-threshold <x>', 'similarity (0-1] at which messages are near-duplicates (default 0.45; the same on every worker)')
    .option('--parent-pid <pid>', 'exit when this process is gone (used by `textmill run`)')
    .action(async (opts) => {
      const settings = resolveSettings(
        { namespace: opts.namespace, concurrency: opts.concurrency, themes: opts.themes, entities: opts.entities, dedupThreshold: opts.dedupThreshold },
        process.env,
      );
      const stages = parseStages(opts.stages);
      const logger = cliLogger();
      if (!opts.redis && !process.env.REDIS_URL) process.env.REDIS_URL = 'redis://127.0.0.1:6379';
      const r = await resolveRedis(opts.redis, process.env);
      const connection = connect(r.url, 'worker');
      await checkEvictionPolicy(connection);
      const resources = loadResources(settings, createRedisIndex(connection, settings.namespace, indexOptions(settings)));
      const queues = openQueues(connection, settings.namespace, settings.attempts, settings.backoffMs);
      const set = startWorkers({ connection, namespace: settings.namespace, stages, concurrency: settings.concurrency, resources, queues, logger });
      logger.info(
        { stages, concurrency: settings.concurrency, namespace: settings.namespace },
        `worker ready on ${redactUrl(r.url)}: ${stages.join(', ')}`,
      );
      // SIGTERM / Ctrl-C: stop taking jobs, let in-flight ones finish, close connections, exit 0.
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
        if (opts.parentPid) {
          const parent = Number(opts.parentPid);
          const timer = setInterval(() => {
            try {
              process.kill(parent, 0);
            } catch {
              clearInterval(timer);
              resolve();
            }
          }, 1000);
          timer.unref();
        }
      });
      logger.info('stopping: finishing jobs in flight');
      await set.close();
      await closeQueues(queues);
      connection.disconnect();
    });
}
