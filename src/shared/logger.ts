// pino JSON logs on stderr (stdout stays free for summaries and `--json` output); pretty when
// stderr is a terminal. Child loggers carry run, document id and stage on every line.
import pino, { type Logger } from 'pino';

export type { Logger };

const REDACT = ['redis', 'url', 'password', '*.password', '*.redis', '*.url', 'headers.authorization'];

export function createLogger(options: { level?: string; pretty?: boolean } = {}): Logger {
  const level = options.level ?? process.env.TEXTMILL_LOG_LEVEL ?? 'info';
  const pretty = options.pretty ?? (process.stderr.isTTY === true && !process.env.CI);
  if (pretty) {
    return pino({
      level,
      redact: REDACT,
      transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, ignore: 'pid,hostname' } },
    });
  }
  return pino({ level, redact: REDACT }, pino.destination(2));
}

/** Removes credentials from a Redis URL before it is shown to anyone. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
