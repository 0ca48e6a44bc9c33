// Live progress per stage: bars on a terminal, a plain log line every few seconds otherwise.
import cliProgress from 'cli-progress';
import type { RunCounts } from '../pipeline/run-state.js';
import type { Logger } from '../shared/logger.js';
import { STAGES } from '../shared/queues.js';

export interface Progress {
  update(c: RunCounts): void;
  stop(): void;
}

export function createProgress(opts: { tty: boolean; logger: Logger }): Progress {
  if (!opts.tty) {
    let last = 0;
    return {
      update(c) {
        if (Date.now() - last < 5000) return;
        last = Date.now();
        const stages = STAGES.map((s) => `${s}=${c.stageDone[s] ?? 0}`).join(' ');
        opts.logger.info({ accounted: c.accounted, total: c.total }, `progress ${c.accounted}/${c.total ?? '?'} files; ${stages}`);
      },
      stop() {},
    };
  }
  const multi = new cliProgress.MultiBar(
    { format: ' {stage} |{bar}| {value}/{total}', hideCursor: true, clearOnComplete: false, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map(STAGES.map((s) => [s, multi.create(1, 0, { stage: s.padEnd(8) })]));
  const files = multi.create(1, 0, { stage: 'files   ' });
  return {
    update(c) {
      const total = Math.max(1, c.total ?? c.accounted + 1);
      for (const [s, bar] of bars) {
        bar.setTotal(total);
        bar.update(c.stageDone[s] ?? 0);
      }
      files.setTotal(total);
      files.update(c.accounted);
    },
    stop() {
      multi.stop();
    },
  };
}
