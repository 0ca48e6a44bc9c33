// Turns a drop into work: reads and decodes each file and hands each one on exactly once:
// to `submit` (the clean stage), to `reject` (rejected.jsonl), or straight to "accounted"
// when the output folder already holds it from an earlier run.
import type { RunState } from '../pipeline/run-state.js';
import type { CleanInput } from '../shared/schemas.js';
import type { Ledger } from '../workers/write/ledger.js';
import { readDropFile, type ReadResult, type Rejection } from './read.js';
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
 * path with the same bytes becomes a `duplicate` even before the first is written. Resolves
 * once the file is decided; `submitted`, when there is one, once the clean stage has it (a
 * batch of documents goes when it is full, or when flushed).
 */
export async function handleEntry(
  entry: DropEntry,
  o: HandOff,
  firstPathOfId: Map<string, string>,
): Promise<{ outcome: EntryOutcome; submitted?: Promise<void> | undefined }> {
  return decideEntry(await readDropFile(entry, o.maxFileBytes), o, firstPathOfId);
}

/**
 * The decision for a file already read. Files must be decided one at a time in walk order
 * (which of two paths with the same bytes is the document depends on it); the hand-off to the
 * clean stage is returned unawaited, so that the next file's decision need not wait for it.
 */
async function decideEntry(res: ReadResult, o: HandOff, firstPathOfId: Map<string, string>): Promise<{ outcome: EntryOutcome; submitted?: Promise<void> }> {
  if (!res.ok) {
    await o.reject(res.rejection);
    return { outcome: 'rejected' };
  }
  const { id, source } = res.input;
  // Both ledger questions at once: one round trip's wait instead of two.
  const inRun = firstPathOfId.get(id);
  const [ledgerPath, rejectedBefore] = await Promise.all([inRun === undefined ? o.ledger.documentPath(id) : null, o.ledger.hasRejected(source.path)]);
  const earlier = inRun ?? ledgerPath;
  if (earlier === source.path || rejectedBefore) {
    // Already in this output folder from an earlier run.
    await o.state.unchanged();
    await o.state.account(source.path);
    return { outcome: 'unchanged' };
  }
  if (earlier) {
    await o.reject({
      path: source.path,
      code: 'duplicate',
      message: `The file has the same bytes as ${earlier}, which is processed as the document.`,
      id,
    });
    return { outcome: 'rejected' };
  }
  firstPathOfId.set(id, source.path);
  return { outcome: 'submitted', submitted: o.submit(res.input) };
}

export interface ProduceOptions extends HandOff {
  /** resolves when the pipeline may take more work (bounds memory on large drops) */
  ready?(): Promise<void>;
  signal?: AbortSignal | undefined;
  /** files read ahead of the one being decided (default READ_AHEAD; 1 reads one at a time) */
  readAhead?: number;
  /** every file is decided: hand on at once what waits for company (the last batch) */
  walked?(): void;
}

/**
 * Files read ahead of the one being decided. The producer shares its event loop with the
 * stages in `textmill run`: reading, asking the ledger and enqueuing one file after the other,
 * each step waiting its turn behind the stages' work, it fed the queues too slowly to keep two
 * cores busy. (An inline run hands files to stages in its own process and gains nothing from
 * it: its reads would only queue in libuv's thread pool in front of the write stage's.)
 */
export const READ_AHEAD = 8;

export async function produceDrop(dropDir: string, o: ProduceOptions): Promise<{ files: number; submitted: number }> {
  let files = 0;
  let submitted = 0;
  const firstPathOfId = new Map<string, string>();
  const ahead: Promise<ReadResult>[] = [];
  const handOffs = new Set<Promise<void>>();
  let handOffError: { err: unknown } | null = null;
  const decideNext = async () => {
    const { outcome, submitted: handOff } = await decideEntry(await ahead.shift()!, o, firstPathOfId);
    if (outcome === 'submitted') submitted++;
    if (handOff) {
      const p = handOff.catch((err: unknown) => void (handOffError ??= { err }));
      handOffs.add(p);
      void p.finally(() => handOffs.delete(p));
    }
    if (handOffError) throw handOffError.err;
  };
  for await (const entry of walkDrop(dropDir)) {
    if (o.signal?.aborted) break;
    files++;
    await o.ready?.();
    const read = readDropFile(entry, o.maxFileBytes);
    read.catch(() => {}); // seen when its turn comes; not an unhandled rejection if the run stops first
    ahead.push(read);
    if (ahead.length >= Math.max(1, o.readAhead ?? READ_AHEAD)) await decideNext();
  }
  // Every file counted above is decided, also when the walk stopped early.
  while (ahead.length) await decideNext();
  o.walked?.();
  await Promise.all(handOffs);
  if (handOffError) throw (handOffError as { err: unknown }).err;
  await o.state.setTotal(files);
  return { files, submitted };
}
