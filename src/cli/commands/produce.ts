import type { Command } from 'commander';
import { runDrop } from '../../pipeline/run.js';
import { resolveSettings } from '../../shared/config.js';
import { resolveRedis } from '../../shared/redis.js';
import { createProgress } from '../progress.js';
import { formatSummary } from '../summary.js';
import { cliLogger, interruptSignal } from '../util.js';

export function registerProduce(program: Command) {
  program
    .command('produce')
    .description('enqueue a drop for `textmill worker` processes, wait until every file is accounted for, write messages and manifest')
    .argument('<dropDir>')
    .requiredOption('-o, --out <outDir>', 'output folder (workers on other machines must see the same path)')
    .option('--redis <url>', 'Redis URL (default: REDIS_URL, then 127.0.0.1:6379)')
    .option('--namespace <name>', 'namespace', 'default')
    .option('--max-file-bytes <n>', 'reject files larger than this (default 10 MB)')
    .option('--batch <n>', 'documents per job (default 8; 1 = one job per document)')
    .action(async (dropDir: string, opts) => {
      const settings = resolveSettings({ namespace: opts.namespace, maxFileBytes: opts.maxFileBytes, batch: opts.batch }, process.env);
      const logger = cliLogger();
      if (!opts.redis && !process.env.REDIS_URL) process.env.REDIS_URL = 'redis://127.0.0.1:6379';
      const r = await resolveRedis(opts.redis, process.env);
      const progress = createProgress({ tty: process.stderr.isTTY === true && !process.env.CI, logger });
      try {
        const { manifest } = await runDrop({
          dropDir,
          outDir: opts.out,
          settings,
          logger,
          redisUrl: r.url,
          localWorkers: false,
          onProgress: (c) => progress.update(c),
          signal: interruptSignal(logger),
        });
        progress.stop();
        console.log(formatSummary(manifest, opts.out));
      } finally {
        progress.stop();
      }
    });
}
