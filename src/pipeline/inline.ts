// The in-process transport: the very same stage functions, called one after another in this
// process, with an in-memory index and no Redis. Used by `--inline`, tests and the benchmark.
import { RejectError } from '../shared/errors.js';
import type { CleanInput } from '../shared/schemas.js';
import { PURE_STAGES } from '../workers/registry.js';
import { runStage, type StageResources } from '../workers/stage.js';
import type { OutputSink } from '../workers/write/sink.js';
import type { RunCtx } from './context.js';
import type { RunState } from './run-state.js';
import { writeRecord } from './write-record.js';

/** Runs one document through every stage, then writes it (or its failure). */
export async function processInline(input: CleanInput, ctx: RunCtx, res: StageResources, sink: OutputSink, state: RunState): Promise<void> {
  let payload: unknown = input;
  for (const def of PURE_STAGES) {
    const t0 = performance.now();
    try {
      payload = await runStage(def, payload, res);
    } catch (err) {
      // Inline runs do not retry: the failure becomes the file's rejected.jsonl line at once.
      await writeRecord(
        { type: 'rejected', rejection: { path: input.source.path, ...stageRejection(def.name, err), id: input.id } },
        ctx,
        sink,
        state,
      );
      return;
    }
    await state.stage(def.name, performance.now() - t0);
  }
  const t0 = performance.now();
  await writeRecord({ type: 'document', doc: payload as never }, ctx, sink, state);
  await state.stage('write', performance.now() - t0);
}

/**
 * The rejected.jsonl code and message of a file a stage gave up on: the stage's own code when
 * it rejected the file on purpose (RejectError, e.g. too-many-segments), else failed:<stage>.
 */
export function stageRejection(stage: string, err: unknown): { code: string; message: string } {
  if (err instanceof RejectError) return { code: err.code, message: err.message };
  return { code: `failed:${stage}`, message: failureMessage(stage, err) };
}

export function failureMessage(stage: string, err: unknown): string {
  const detail = err instanceof Error ? err.message : String(err);
  const oneLine = detail.replace(/\s+/g, ' ').slice(0, 300);
  return `The ${stage} stage failed on this file: ${oneLine}`;
}

/** Limits how many promises run at once. */
export function limiter(max: number) {
  let active = 0;
  const queue: Array<() => void> = [];
  const next = () => {
    if (active >= max) return;
    const start = queue.shift();
    if (start) {
      active++;
      start();
    }
  };
  const run = <T>(fn: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        fn()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
  return { run, idle: () => active === 0 && queue.length === 0, pending: () => active + queue.length };
}
