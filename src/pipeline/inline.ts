// The in-process transport: the very same stage functions, called one after another in this
// process, with an in-memory index and no Redis. Used by `--inline`, tests and the benchmark.
import type { StageName } from '../shared/queues.js';
import type { CleanInput } from '../shared/schemas.js';
import { PURE_STAGES } from '../workers/registry.js';
import { runStage, type StageResources } from '../workers/stage.js';
import type { OutputSink } from '../workers/write/sink.js';
import type { RunCtx } from './context.js';
import type { RunState } from './run-state.js';
import { failureMessage, stageRejection, writeFailure, writeRecord } from './write-record.js';

/**
 * Runs one document through every stage, then writes it, or its failure: inline runs do not
 * retry, so a stage that throws (the write stage included: a full disk, documents.jsonl not
 * writable) gives the file its rejected.jsonl line at once. Throws an OutputError only when
 * that line cannot be written either.
 */
export async function processInline(input: CleanInput, ctx: RunCtx, res: StageResources, sink: OutputSink, state: RunState): Promise<void> {
  let payload: unknown = input;
  let stage: StageName = 'clean';
  try {
    for (const def of PURE_STAGES) {
      stage = def.name;
      const t0 = performance.now();
      // Each stage's output is validated; the next stage's input is that very object.
      payload = await runStage(def, payload, res, { input: def === PURE_STAGES[0], output: true });
      await state.stage(def.name, performance.now() - t0);
    }
    stage = 'write';
    const t0 = performance.now();
    await writeRecord({ type: 'document', doc: payload as never }, ctx, sink, state);
    await state.stage('write', performance.now() - t0);
  } catch (err) {
    await writeFailure({ stage, err, path: input.source.path, id: input.id, document: stage === 'write' }, ctx, sink, state);
  }
}

export { failureMessage, stageRejection };

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
