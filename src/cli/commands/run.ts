import os from 'node:os';
import type { Command } from 'commander';
import { SetupError } from '../../shared/errors.js';
import { runDrop } from '../../pipeline/run.js';
import { resolveSettings } from '../../shared/config.js';
import { redactUrl } from '../../shared/logger.js';
import { resolveRedis } from '../../shared/redis.js';
import { createProgress } from '../progress.js';
import { formatSummary } from '../summary.js';
import { cliLogger, interruptSignal } from '../util.js';

export function registerRun(program: Command) {
  program
    .command('run')
    .description('process every file of a drop through the five stages into JSONL')
    .argument('<dropDir>', 'folder of documents (read recursively; symlinks are never followed)')
    .requiredOption('-o, --out <outDir>', 'output folder')
    .option('--redis <url>', 'Redis URL (default: REDIS_URL, then 127.0.0.1:6379, then a private redis-server)')
    .option('--namespace <name>', 'scope of the persistent near-duplicate index', 'default')
    .option('--concurrency <n>', 'jobs processed at once per stage (default: 2 per core)')
    .option('--inline', 'run the stages in this process without Redis (in-memory index)')
    .option('--workers <n>', 'worker processes, this one included (default: one per core)')
    .option('--max-file-bytes <n>', 'reject files larger than this (default 10 MB)')
    .option('--batch <n>', 'documents per job (default 8; 1 = one job per document)')
    .option('--themes <file>', 'theme taxonomy (YAML) instead of config/themes.yaml')
    .option('--entities <file>', 'entity knowledge base (YAML) instead of config/entities.yaml')
    .option('--dedup-threshold <x>', 'similarity (0-1] at which messages are near-duplicates (default 0.45; the same on every worker)')
    .option('--json', 'print the manifest as JSON instead of the summary')
    .action(async (dropDir: string, opts) => {
      const settings = resolveSettings(
        { namespace: opts.namespace, concurrency: opts.concurrency, maxFileBytes: opts.maxFileBytes, batch: opts.batch, themes: opts.themes, entities: opts.entities, dedupThreshold: opts.dedupThreshold },
        process.env,
      );
      const logger = cliLogger();
      const signal = interruptSignal(logger);
      const redis = opts.inline ? undefined : await resolveRedis(opts.redis, process.env);
      if (redis) logger.info({ source: redis.source }, `Redis: ${redactUrl(redis.url)} (${redis.source})`);
      const workers = opts.inline ? 1 : parseWorkers(opts.workers);
      logger.info(
        { workers, concurrency: settings.concurrency },
        opts.inline
          ? `inline: one process, ${settings.concurrency} documents at a time`
          : `using ${workers} worker process${workers > 1 ? 'es' : ''} (${os.availableParallelism()} cores), concurrency ${settings.concurrency} per stage`,
      );
      const tty = process.stderr.isTTY === true && !process.env.CI;
      const progress = createProgress({ tty, logger });
      try {
        const { manifest } = await runDrop({
          dropDir,
          outDir: opts.out,
          settings,
          logger,
          ...(redis ? { redisUrl: redis.url } : {}),
          workerProcesses: workers - 1,
          onProgress: (c) => progress.update(c),
          signal,
        });
        progress.stop();
        console.log(opts.json ? JSON.stringify(manifest) : formatSummary(manifest, opts.out));
      } finally {
        progress.stop();
        await redis?.stop();
      }
    });
}

function parseWorkers(v: string | undefined): number {
  if (v === undefined) return Math.max(1, os.availableParallelism());
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new SetupError('bad-config', `Bad setting: --workers must be a whole number from 1 to 64, not "${v}".`);
  return n;
}
