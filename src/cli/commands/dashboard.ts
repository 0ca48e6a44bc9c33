import type { Command } from 'commander';
import { assertBindAllowed, dashboardAuthFromEnv, startDashboard } from '../../dashboard/server.js';
import { resolveSettings } from '../../shared/config.js';
import { SetupError } from '../../shared/errors.js';
import { DEFAULT_REDIS_URL, resolveRedis } from '../../shared/redis.js';
import { cliLogger } from '../util.js';
import { registerStatus } from './status.js';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SetupError('bad-flag', `--port takes a TCP port number (0-65535), got "${value}".`);
  return port;
}

/** The operations commands: `dashboard`, plus `status` and `retry` from ./status.ts. */
export function registerDashboard(program: Command) {
  registerStatus(program);
  program
    .command('dashboard')
    .description('bull-board over the five queues, with /healthz and /metrics (loopback only unless credentials are set)')
    .option('--host <host>', 'address to bind; anything but loopback needs TEXTMILL_DASHBOARD_USER/PASSWORD', '127.0.0.1')
    .option('--port <port>', 'TCP port', '3000')
    .option('--redis <url>', 'Redis URL (default: REDIS_URL, then 127.0.0.1:6379)')
    .option('--namespace <name>', 'namespace (default: TEXTMILL_NAMESPACE, then "default")')
    .option('--allow-actions', 'allow retry, remove, pause and clean from the dashboard (read-only otherwise)')
    .action(async (opts) => {
      const namespace = resolveSettings({ namespace: opts.namespace }, process.env).namespace;
      const port = parsePort(opts.port);
      // Checked before Redis is touched: a refused bind should say so first.
      const auth = dashboardAuthFromEnv(process.env);
      assertBindAllowed(opts.host, auth);
      const logger = cliLogger();
      // The dashboard watches an existing Redis: a private empty one would show nothing.
      const env = { ...process.env };
      if (!opts.redis && !env.REDIS_URL) env.REDIS_URL = DEFAULT_REDIS_URL;
      const r = await resolveRedis(opts.redis, env);
      const dash = await startDashboard({
        redisUrl: r.url,
        namespace,
        host: opts.host,
        port,
        readOnly: !opts.allowActions,
        ...(auth ? { auth } : {}),
        logger,
      });
      process.stdout.write(`textmill dashboard: ${dash.url}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      logger.info('stopping the dashboard');
      await dash.close();
    });
}
