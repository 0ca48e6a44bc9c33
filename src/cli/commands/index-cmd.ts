import type { Command } from 'commander';
import { resolveSettings } from '../../shared/config.js';
import { connect, resolveRedis } from '../../shared/redis.js';
import { createRedisIndex } from '../../workers/dedup/index-redis.js';

export function registerIndex(program: Command) {
  const index = program.command('index').description("the namespace's persistent near-duplicate index");
  const withIndex = async (opts: { redis?: string; namespace: string }, fn: (ix: ReturnType<typeof createRedisIndex>) => Promise<void>) => {
    const settings = resolveSettings({ namespace: opts.namespace }, process.env);
    const r = await resolveRedis(opts.redis, process.env);
    const redis = connect(r.url, 'client');
    try {
      await fn(createRedisIndex(redis, settings.namespace));
    } finally {
      redis.disconnect();
      await r.stop();
    }
  };
  index
    .command('stats')
    .option('--redis <url>')
    .option('--namespace <name>', 'namespace', 'default')
    .action((opts) => withIndex(opts, async (ix) => console.log(JSON.stringify(await ix.stats(), null, 2))));
  index
    .command('reset')
    .description('forget every message of the namespace')
    .option('--redis <url>')
    .option('--namespace <name>', 'namespace', 'default')
    .action((opts) =>
      withIndex(opts, async (ix) => {
        await ix.reset();
        console.log(`index of namespace ${opts.namespace} reset`);
      }),
    );
}
