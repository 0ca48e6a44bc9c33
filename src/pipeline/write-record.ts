// The write stage's work for one record, the same for inline runs and BullMQ workers: append
// through the sink, then update the run's counters and account for the file. Also the one
// place a file that a stage gave up on gets its `failed:<stage>` line.
import path from 'node:path';
import { OutputError, RejectError } from '../shared/errors.js';
import type { StageName } from '../shared/queues.js';
import type { ThemedDoc } from '../shared/schemas.js';
import type { OutputSink, RejectionRecord } from '../workers/write/sink.js';
import { FILES, readJsonl, toOutputDocument } from '../workers/write/sink.js';
import type { RunCtx } from './context.js';
import type { RunState } from './run-state.js';

export type WriteRecord = { type: 'document'; doc: ThemedDoc } | { type: 'rejected'; rejection: RejectionRecord };

export async function writeRecord(record: WriteRecord, ctx: RunCtx, sink: OutputSink, state: RunState): Promise<void> {
  if (record.type === 'rejected') {
    const outcome = await sink.writeRejected(record.rejection);
    if (outcome.written) await state.rejected(record.rejection.code);
    else await state.unchanged();
    await state.account(record.rejection.path);
    return;
  }
  const doc = toOutputDocument(record.doc, { version: ctx.version, run: ctx.run });
  const outcome = await sink.writeDocument(doc);
  if (outcome.kind === 'rejected') {
    if (outcome.written) await state.rejected(outcome.code);
  } else if (outcome.written) {
    const dups = doc.segments.filter((s) => s.duplicateOf !== null);
    await state.document(doc.source.path, doc.segments.length, dups.length, [...new Set(dups.map((s) => s.cluster))]);
    return;
  } else {
    await state.unchanged();
  }
  await state.account(doc.source.path);
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
  const detail = oneLine(err).replace(/[.\s]+$/, '');
  // A file-system error of the write stage (EISDIR, EACCES, ENOSPC...) is about the output
  // folder, not about the file: say so, since Node's message does not always name the file.
  if (stage === 'write' && typeof (err as NodeJS.ErrnoException | null)?.syscall === 'string') {
    return `The write stage could not write this file's line to the output folder: ${detail}.`;
  }
  return `The ${stage} stage failed on this file: ${detail}.`;
}

export interface GaveUp {
  stage: StageName;
  err: unknown;
  /** the file's path in the output */
  path: string;
  id?: string | undefined;
  /** the write stage was writing this document (its line may be in documents.jsonl already) */
  document?: boolean;
}

async function documentsHold(outDir: string, id: string): Promise<boolean> {
  try {
    for await (const rec of readJsonl(path.join(outDir, FILES.documents))) if ((rec as { id?: string }).id === id) return true;
  } catch {
    // documents.jsonl cannot be read: then it cannot hold the line either
  }
  return false;
}

/**
 * A file that a stage gave up on for good (retries exhausted, rejected on purpose, or its job
 * stalled too often) gets its one rejected.jsonl line and is accounted for. When even that line
 * cannot be written (the output folder is not writable), throws an OutputError: the run cannot
 * account for the file and must stop rather than wait for it.
 */
export async function writeFailure(f: GaveUp, ctx: RunCtx, sink: OutputSink, state: RunState): Promise<void> {
  // A write that appended its line and then failed (say, marking it written in Redis) must not
  // give the file a second line: it is in documents.jsonl.
  if (f.document && f.id && (await documentsHold(ctx.outDir, f.id))) {
    await state.account(f.path);
    return;
  }
  const rejection = { path: f.path, ...stageRejection(f.stage, f.err), ...(f.id ? { id: f.id } : {}) };
  try {
    await writeRecord({ type: 'rejected', rejection }, ctx, sink, state);
  } catch (err) {
    throw new OutputError(
      `The ${f.stage} stage gave up on ${JSON.stringify(f.path)} and its rejected.jsonl line could not be written either ` +
        `(${oneLine(err)}); the output folder ${ctx.outDir} is not writable, so the run stops before every file is accounted for.`,
    );
  }
}

export function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 300);
}
