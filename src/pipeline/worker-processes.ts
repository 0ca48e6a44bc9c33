// `textmill run` on all cores: besides its in-process workers, the run starts `textmill worker`
// child processes against the same Redis and namespace. Separate processes (not worker
// threads) because each needs its own wink-nlp model and event loop, and because that is the
// same layout users scale out with on other machines.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Settings } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';

const BIN = fileURLToPath(new URL('../../bin/textmill.js', import.meta.url));

export interface WorkerProcesses {
  pids: number[];
  stop(): Promise<void>;
}

export function spawnWorkerProcesses(n: number, o: { redisUrl: string; settings: Settings; logger: Logger }): WorkerProcesses {
  const args = ['worker', '--namespace', o.settings.namespace, '--concurrency', String(o.settings.concurrency), '--parent-pid', String(process.pid)];
  if (o.settings.themesFile) args.push('--themes', o.settings.themesFile);
  if (o.settings.entitiesFile) args.push('--entities', o.settings.entitiesFile);
  if (o.settings.dedupThreshold !== undefined) args.push('--dedup-threshold', String(o.settings.dedupThreshold));
  const children: ChildProcess[] = [];
  for (let i = 0; i < n; i++) {
    // The URL goes through the environment, not argv, so no password shows in `ps`.
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, REDIS_URL: o.redisUrl, TEXTMILL_LOG_LEVEL: process.env.TEXTMILL_LOG_LEVEL ?? 'warn' },
    });
    child.on('error', (err) => o.logger.error({ err: err.message }, 'worker process failed to start'));
    children.push(child);
  }
  return {
    pids: children.map((c) => c.pid ?? -1),
    stop: async () => {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once('exit', () => resolve());
              // SIGTERM: the worker finishes its in-flight jobs and exits.
              c.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
