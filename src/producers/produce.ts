// Turns a drop into work: reads and decodes each file and hands each one on exactly once:
// to `submit` (the clean stage), to `reject` (rejected.jsonl), or straight to "accounted"
// when the output folder already holds it from an earlier run.
import type { RunState } from '../pipeline/run-state.js';
import type { CleanInput } from '../shared/schemas.js';
import type { Ledger } from '../workers/write/ledger.js';
import { readDropFile, type Rejection } from './read.js';
import { walkDrop, type DropEntry } from './scan.js';

export interface HandOff {
  maxFileBytes: number;
  ledger: Ledger;
  state: RunState;
  submit(input: CleanInput): Promise<void>;
  reject(rejection: Rejection): Promise<void>;
}

export type EntryOutcome = 'submitted' | 'rejected' | 'unchanged';

/**
 * Hands on one file. `firstPathOfId` remembers the documents of this run, so that a second
 * path with the same bytes becomes a `duplicate` even before the first is written.
 */
export async function handleEntry(entry: DropEntry, o: HandOff, firstPathOfId: Map<string, string>): Promise<EntryOutcome> {
  const res = await readDropFile(entry, o.maxFileBytes);
  if (!res.ok) {
    await o.reject(res.rejection);
    return 'rejected';
  }
  const { id, source } = res.input;
  const earlier = firstPathOfId.get(id) ?? (await o.ledger.documentPath(id));
  if (earlier === source.path || (await o.ledger.hasRejected(source.path))) {
    // Already in this output folder from an earlier run.
    await o.state.unchanged();
    await o.state.account(source.path);
    return 'unchanged';
  }
  if (earlier) {
    await o.reject({
      path: source.path,
      code: 'duplicate',
      message: `The file has the same bytes as ${earlier}, which is processed as the document.`,
      id,
    });
    return 'rejected';
  }
  firstPathOfId.set(id, source.path);
  await o.submit(res.input);
  return 'submitted';
}

export interface ProduceOptions extends HandOff {
  /** resolves when the pipeline may take more work (bounds memory on large drops) */
  ready?(): Promise<void>;
  signal?: AbortSignal | undefined;
}

export async function produceDrop(dropDir: string, o: ProduceOptions): Promise<{ files: number; submitted: number }> {
  let files = 0;
  let submitted = 0;
  const firstPathOfId = new Map<string, string>();
  for await (const entry of walkDrop(dropDir)) {
    if (o.signal?.aborted) break;
    files++;
    await o.ready?.();
    if ((await handleEntry(entry, o, firstPathOfId)) === 'submitted') submitted++;
  }
  await o.state.setTotal(files);
  return { files, submitted };
}
