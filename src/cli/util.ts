import { createLogger, type Logger } from '../shared/logger.js';

let logger: Logger | undefined;

export function cliLogger(): Logger {
  return (logger ??= createLogger());
}

/**
 * First Ctrl-C / SIGTERM: stop taking work and finish what is in flight. Second: exit now
 * (the 'exit' handler still stops a private redis-server).
 */
export function interruptSignal(log: Logger): AbortSignal {
  const ctl = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (ctl.signal.aborted) process.exit(130);
    log.warn(`${sig}: finishing the work in flight; press Ctrl-C again to stop at once`);
    ctl.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return ctl.signal;
}
