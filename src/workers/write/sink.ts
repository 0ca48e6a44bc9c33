// The write stage: appends contract records to the output folder. Append-only, one line per
// document id and per rejected path (see ledger.ts for how that holds across retries, crashes
// and several writers).
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import {
  DOCUMENT_SCHEMA,
  OutputDocument,
  OutputRejected,
  REJECTED_SCHEMA,
  type ThemedDoc,
} from '../../shared/schemas.js';
import type { Ledger } from './ledger.js';

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

/** Drops what only the stages need (the token analysis) and adds the contract's fields. */
export function toOutputDocument(doc: ThemedDoc, pipeline: { version: string; run: string }): OutputDocument {
  const { analysis: _analysis, ...rest } = doc;
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

async function fileHasDocument(file: string, id: string): Promise<boolean> {
  for await (const rec of readJsonl(file)) if ((rec as { id?: string }).id === id) return true;
  return false;
}

export class OutputSink {
  constructor(
    readonly outDir: string,
    private ledger: Ledger,
  ) {
    mkdirSync(outDir, { recursive: true });
  }

  private async append(file: string, record: unknown): Promise<void> {
    // One write per line with O_APPEND: concurrent writers never interleave inside a line.
    await appendFile(path.join(this.outDir, file), JSON.stringify(record) + '\n', { flag: 'a' });
  }

  async writeDocument(doc: OutputDocument): Promise<WriteOutcome> {
    const p = doc.source.path;
    const claim = await this.ledger.claimDocument(doc.id, p);
    if (claim.state !== 'new' && claim.path !== p) {
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
    if (claim.state === 'pending' && (await fileHasDocument(path.join(this.outDir, FILES.documents), doc.id))) {
      await this.ledger.markWritten(doc.id, p);
      return { kind: 'document', written: false, doc };
    }
    await this.append(FILES.documents, doc);
    await this.ledger.markWritten(doc.id, p);
    return { kind: 'document', written: true, doc };
  }

  async writeRejected(r: RejectionRecord): Promise<WriteOutcome> {
    const record = OutputRejected.parse({ schema: REJECTED_SCHEMA, ...r });
    if (!(await this.ledger.claimRejected(r.path))) return { kind: 'rejected', written: false, code: r.code };
    await this.append(FILES.rejected, record);
    return { kind: 'rejected', written: true, code: r.code };
  }
}
