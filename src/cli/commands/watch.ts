import os from 'node:os';
import type { Command } from 'commander';
import { PipelineSession } from '../../pipeline/run.js';
import { watchFolder } from '../../producers/watch.js';
import { resolveSettings } from '../../shared/config.js';
import { redactUrl } from '../../shared/logger.js';
import { resolveRedis } from '../../shared/redis.js';
import { scanOutput } from '../../workers/write/sink.js';
import { cliLogger } from '../util.js';

export function registerWatch(program: Command) {
  program
    .command('watch')
    .description('process files as they arrive in a folder, until Ctrl-C / SIGTERM')
    .argument('<dir>', 'folder to watch (recursively)')
    .requiredOption('-o, --out <outDir>', 'output folder')
    .option('--redis <url>', 'Redis URL (default: REDIS_URL, then 127.0.0.1:6379, then a private redis-server)')
    .option('--namespace <name>', 'namespace', 'default')
    .option('--concurrency <n>', 'jobs processed at once per stage (default: 2 per core)')
    .option('--inline', 'process in this process without Redis')
    .option('--stable-ms <ms>', 'a file counts once its size has not changed for this long', '2000')
    .option('--interval-ms <ms>', 'how often the folder is scanned', '1000')
    .option('--max-file-bytes <n>', 'reject files larger than this (default 10 MB)')
    .option('--batch <n>', 'documents per job (default 8; 1 = one job per document)')
    .option('--themes <file>', 'theme taxonomy (YAML)')
    .option('--entities <file>', 'entity knowledge base (YAML)')
    .option('--dedup-threshold <x>', 'similarity (0-1] at which messages are near-duplicates (default 0.45; the same on every worker)')
    .action(async (dir: string, opts) => {
      const settings = resolveSettings(
        { namespace: opts.namespace, concurrency: opts.concurrency, maxFileBytes: opts.maxFileBytes, batch: opts.batch, themes: opts.themes, entities: opts.entities, dedupThreshold: opts.dedupThreshold },
        process.env,
      );
      const logger = cliLogger();
      const redis = opts.inline ? undefined : await resolveRedis(opts.redis, process.env);
      if (redis) logger.info(`Redis: ${redactUrl(redis.url)} (${redis.source})`);
      const session = await PipelineSession.open({
        outDir: opts.out,
        settings,
        logger,
        redisUrl: redis?.url,
        workerProcesses: redis ? Math.max(0, os.availableParallelism() - 1) : 0,
      });
      // What the output folder already holds is not looked at again, also after a restart;
      // a copied-in file with the same bytes as a document becomes a `duplicate` line.
      const existing = await scanOutput(session.ctx.outDir);
      const known = new Set([...existing.docs.map(([, p]) => p), ...existing.rejected]);
      const ctl = new AbortController();
      const stop = (sig: string) => {
        if (ctl.signal.aborted) process.exit(130);
        logger.info(`${sig}: finishing the files in flight, then stopping`);
        ctl.abort();
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
      let handed = 0;
      const settleAndFinish = async () => {
        await session.settle(handed);
        const m = await session.finish();
        logger.info({ documents: m.counts.documents, rejected: m.counts.rejected }, `${handed} files accounted for`);
      };
      logger.info(`watching ${dir} (stable after ${opts.stableMs} ms); output in ${session.ctx.outDir}`);
      try {
        await watchFolder({
          dir,
          stableMs: Number(opts.stableMs),
          intervalMs: Number(opts.intervalMs),
          known,
          signal: ctl.signal,
          onFile: async (entry) => {
            handed++;
            await session.handle(entry);
          },
          onBatch: settleAndFinish,
        });
        await settleAndFinish();
      } finally {
        await session.close();
        await redis?.stop();
      }
    });
}
