// The write stage: appends contract records to the output folder. Append-only, one line per
// document id and per rejected path (see ledger.ts for how that holds across retries, crashes
// and several writers).
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import {
  DOCUMENT_SCHEMA,
  OutputDocument,
  OutputRejected,
  REJECTED_SCHEMA,
  type ThemedDoc,
} from '../../shared/schemas.js';
import type { Ledger, PendingClaim } from './ledger.js';

export const FILES = {
  documents: 'documents.jsonl',
  messages: 'messages.jsonl',
  rejected: 'rejected.jsonl',
  manifest: 'manifest.json',
} as const;

export interface RejectionRecord {
  path: string;
  code: string;
  message: string;
  id?: string;
}

export type WriteOutcome =
  | { kind: 'document'; written: boolean; doc: OutputDocument }
  | { kind: 'rejected'; written: boolean; code: string };

/** The contract's record of a document: its fields in the contract's order, plus the pipeline's. */
export function toOutputDocument(rest: ThemedDoc, pipeline: { version: string; run: string }): OutputDocument {
  return OutputDocument.parse({
    schema: DOCUMENT_SCHEMA,
    id: rest.id,
    source: rest.source,
    language: rest.language,
    text: rest.text,
    segments: rest.segments,
    entities: rest.entities,
    themes: rest.themes,
    flags: rest.flags,
    nearDuplicateOf: rest.nearDuplicateOf,
    pipeline,
  });
}

/** Reads a JSONL file line by line, skipping a torn last line left by a crash. */
export async function* readJsonl(file: string): AsyncGenerator<unknown> {
  if (!existsSync(file)) return;
  const rl = readline.createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    try {
      yield JSON.parse(line);
    } catch {
      // a partial line from an interrupted append: ignored, the retry writes it whole
    }
  }
}

/** What an output folder already holds, read from its files. */
export async function scanOutput(outDir: string): Promise<{ docs: Array<[string, string]>; rejected: string[] }> {
  const docs: Array<[string, string]> = [];
  const rejected: string[] = [];
  for await (const rec of readJsonl(path.join(outDir, FILES.documents))) {
    const r = rec as { id?: string; source?: { path?: string } };
    if (r.id && r.source?.path) docs.push([r.id, r.source.path]);
  }
  for await (const rec of readJsonl(path.join(outDir, FILES.rejected))) {
    const r = rec as { path?: string };
    if (r.path) rejected.push(r.path);
  }
  return { docs, rejected };
}

async function fileHas(file: string, field: 'id' | 'path', value: string): Promise<boolean> {
  for await (const rec of readJsonl(file)) if ((rec as Record<string, unknown>)[field] === value) return true;
  return false;
}

/** After this long a pending claim is taken to be a crashed writer's, not a slow one's. */
export const STALE_CLAIM_MS = 30_000;

/** Another writer holds the claim on this document right now: retry later. */
export class WriterBusyError extends Error {
  constructor(id: string) {
    super(`document ${id.slice(0, 20)}… is being written by another worker`);
    this.name = 'WriterBusyError';
  }
}

/** A claim on a document made by this writer: its token, and when (this process's clock) it was made. */
export interface HeldClaim {
  token: string;
  at: number;
}

export class OutputSink {
  /** writes in flight in this process, so two writes of one id run one after the other */
  private inflight = new Map<string, Promise<unknown>>();

  constructor(
    readonly outDir: string,
    private ledger: Ledger,
    private staleClaimMs = STALE_CLAIM_MS,
  ) {
    mkdirSync(outDir, { recursive: true });
    // All three files exist after any run, even when one stays empty: downstream tools
    // should not have to special-case a missing file.
    for (const f of [FILES.documents, FILES.rejected, FILES.messages]) {
      const file = path.join(outDir, f);
      if (!existsSync(file)) writeFileSync(file, '');
    }
  }

  private append(file: string, record: unknown): void {
    // One write() per line with O_APPEND, so that concurrent writers (in this process or in
    // others) never land inside a line: the kernel appends each write() whole. fs.appendFile
    // writes in 512 KiB pieces, and a document line longer than that was cut by another line.
    // Synchronous, so that nothing else of this process runs between the check that the claim
    // is still this writer's (appendClaimed) and the line reaching the file.
    const line = Buffer.from(JSON.stringify(record) + '\n');
    const fd = openSync(path.join(this.outDir, file), 'a');
    try {
      // A regular file takes the whole buffer in one write(); the loop only guards against a
      // short write (a full disk), which then fails on the next round.
      for (let off = 0; off < line.length; ) off += writeSync(fd, line, off, line.length - off);
    } finally {
      closeSync(fd);
    }
  }

  async writeDocument(doc: OutputDocument): Promise<WriteOutcome> {
    const before = this.inflight.get(doc.id) ?? Promise.resolve();
    const mine = before.then(
      () => this.writeDocumentNow(doc),
      () => this.writeDocumentNow(doc),
    );
    this.inflight.set(doc.id, mine);
    try {
      return await mine;
    } finally {
      if (this.inflight.get(doc.id) === mine) this.inflight.delete(doc.id);
    }
  }

  private async writeDocumentNow(doc: OutputDocument): Promise<WriteOutcome> {
    const claimed = await this.claimWrite(doc);
    return 'kind' in claimed ? claimed : this.appendClaimed(doc, claimed);
  }

  /**
   * The first half of writing a document: its claim in the ledger. Either the outcome, when
   * there is nothing to append, or the claim to append under (see appendClaimed).
   */
  async claimWrite(doc: OutputDocument): Promise<WriteOutcome | HeldClaim> {
    const p = doc.source.path;
    // A path already in rejected.jsonl (say failed:entities, then retried by hand and now
    // successful) keeps that one line: every file appears exactly once.
    if (await this.ledger.hasRejected(p)) return { kind: 'document', written: false, doc };
    const at = Date.now();
    const claim = await this.ledger.claimDocument(doc.id, p);
    if (claim.state === 'new') return { token: claim.token, at };
    if (claim.path !== p) {
      // Same bytes under another path: the contract rejects the later path as a duplicate.
      const written = await this.writeRejected({
        path: p,
        code: 'duplicate',
        message: `The file has the same bytes as ${claim.path}, which is already in documents.jsonl.`,
        id: doc.id,
      });
      return { kind: 'rejected', written: written.written, code: 'duplicate' };
    }
    if (claim.state === 'written') return { kind: 'document', written: false, doc };
    return this.takeOver(doc, claim);
  }

  /** Another writer's pending claim: wait while it is fresh, else make it ours (one taker wins). */
  private async takeOver(doc: OutputDocument, claim: PendingClaim): Promise<WriteOutcome | HeldClaim> {
    if (Date.now() - claim.since < this.staleClaimMs) throw new WriterBusyError(doc.id);
    const at = Date.now();
    const token = await this.ledger.takeOver(doc.id, claim, doc.source.path);
    if (token === null) throw new WriterBusyError(doc.id); // another writer was quicker: look again later
    // The writer that claimed it may have appended before it stopped.
    if (await fileHas(path.join(this.outDir, FILES.documents), 'id', doc.id)) {
      await this.ledger.markWritten(doc.id, doc.source.path);
      return { kind: 'document', written: false, doc };
    }
    return { token, at };
  }

  /**
   * The second half: appends the line under a claim made by claimWrite, and marks it written.
   * A claim is taken over by another writer only once it is `staleClaimMs` old, so one younger
   * than half that is still this writer's (the other half is room for the clocks of two
   * machines to differ). An older one (this process was stopped, or its event loop blocked, in
   * between) is renewed first, or left alone when it is no longer ours: the writer that took it
   * over writes the line. The append itself is synchronous, so nothing runs between the last
   * check of the time and the line reaching the file.
   */
  async appendClaimed(doc: OutputDocument, held: HeldClaim): Promise<WriteOutcome> {
    const half = this.staleClaimMs / 2;
    let at = held.at;
    // (A stale time of 0, where every claim is stale at once, leaves no time to check.)
    while (half > 0 && Date.now() - at >= half) {
      const now = Date.now();
      if (!(await this.ledger.renew(doc.id, held.token, doc.source.path, now))) return { kind: 'document', written: false, doc };
      at = now;
    }
    this.append(FILES.documents, doc);
    await this.ledger.markWritten(doc.id, doc.source.path);
    return { kind: 'document', written: true, doc };
  }

  async writeRejected(r: RejectionRecord): Promise<WriteOutcome> {
    const record = OutputRejected.parse({ schema: REJECTED_SCHEMA, ...r });
    const file = path.join(this.outDir, FILES.rejected);
    const claim = await this.ledger.claimRejected(r.path);
    if (claim === 'written' || (claim === 'pending' && (await fileHas(file, 'path', r.path)))) {
      await this.ledger.markRejected(r.path);
      return { kind: 'rejected', written: false, code: r.code };
    }
    this.append(FILES.rejected, record);
    await this.ledger.markRejected(r.path);
    return { kind: 'rejected', written: true, code: r.code };
  }
}
