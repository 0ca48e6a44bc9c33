// The write stage's work for one record, the same for inline runs and BullMQ workers: append
// through the sink, then update the run's counters and account for the file.
import type { ThemedDoc } from '../shared/schemas.js';
import type { OutputSink, RejectionRecord } from '../workers/write/sink.js';
import { toOutputDocument } from '../workers/write/sink.js';
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
    await state.document(doc.segments.length, dups.length, [...new Set(dups.map((s) => s.cluster))]);
  } else {
    await state.unchanged();
  }
  await state.account(doc.source.path);
}
