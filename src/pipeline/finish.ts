// The end of a run: messages.jsonl (one line per repeated cluster, rewritten as a whole and
// atomically, so a re-run leaves it as it was) and manifest.json.
import { createWriteStream, renameSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { MESSAGE_SCHEMA, Manifest, OutputMessage, DOCUMENT_SCHEMA, REJECTED_SCHEMA } from '../shared/schemas.js';
import type { DedupIndex } from '../workers/dedup/index-types.js';
import { FILES, readJsonl } from '../workers/write/sink.js';
import type { RunCounts } from './run-state.js';

function writeAtomic(file: string, content: string) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

const CLUSTER_BATCH = 2000;

/**
 * Merges this run's repeated clusters into messages.jsonl; returns the number of lines. The new
 * file is streamed to a temporary file and renamed over the old one: at 100k documents it is a
 * few hundred MB, too much to build as one string (V8 caps a string at 512 MB).
 */
export async function writeMessages(outDir: string, clusterIds: string[], index: DedupIndex): Promise<number> {
  const file = path.join(outDir, FILES.messages);
  // Lines of earlier runs into this folder, by cluster: kept unless this run knows more.
  const earlier = new Map<string, string>();
  for await (const rec of readJsonl(file)) {
    const m = OutputMessage.safeParse(rec);
    if (m.success) earlier.set(m.data.cluster, JSON.stringify(m.data));
  }
  const tmp = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => {}); // observed below, where it is raced with each write
  const write = async (line: string) => {
    if (!out.write(line + '\n')) await Promise.race([once(out, 'drain'), failed]);
  };
  let lines = 0;
  try {
    // In batches: a run of 100k documents repeats a few hundred thousand clusters.
    for (let i = 0; i < clusterIds.length; i += CLUSTER_BATCH) {
      const known = await index.clusters(clusterIds.slice(i, i + CLUSTER_BATCH));
      for (const info of known.values()) {
        if (info.occurrences.length < 2) continue;
        earlier.delete(info.cluster);
        await write(JSON.stringify({ schema: MESSAGE_SCHEMA, cluster: info.cluster, text: info.text, occurrences: info.occurrences } satisfies OutputMessage));
        lines++;
      }
    }
    for (const line of earlier.values()) {
      await write(line);
      lines++;
    }
    await Promise.race([new Promise<void>((resolve) => out.end(resolve)), failed]);
    renameSync(tmp, file);
  } catch (err) {
    out.destroy();
    try {
      rmSync(tmp, { force: true });
    } catch {
      // not ours to remove (a directory of that name): the error below says what failed
    }
    throw err;
  }
  return lines;
}

export interface ManifestInput {
  run: string;
  namespace: string;
  startedAt: Date;
  endedAt: Date;
  version: string;
  transport: 'bullmq' | 'inline';
  counts: RunCounts;
  clusters: number;
}

export function writeManifest(outDir: string, m: ManifestInput): Manifest {
  const rejected = Object.values(m.counts.rejectedByCode).reduce((a, b) => a + b, 0);
  const manifest = Manifest.parse({
    schema: 'textmill.manifest/v1',
    run: m.run,
    namespace: m.namespace,
    startedAt: m.startedAt.toISOString(),
    endedAt: m.endedAt.toISOString(),
    version: m.version,
    schemas: { document: DOCUMENT_SCHEMA, message: MESSAGE_SCHEMA, rejected: REJECTED_SCHEMA },
    transport: m.transport,
    counts: {
      files: m.counts.total ?? m.counts.accounted,
      documents: m.counts.documents,
      rejected,
      rejectedByCode: m.counts.rejectedByCode,
      unchanged: m.counts.unchanged,
      segments: m.counts.segments,
      duplicateSegments: m.counts.duplicateSegments,
      clusters: m.clusters,
    },
    stageMs: Object.fromEntries(Object.entries(m.counts.stageMs).map(([k, v]) => [k, Math.round(v)])),
    elapsedMs: m.endedAt.getTime() - m.startedAt.getTime(),
  });
  writeAtomic(path.join(outDir, FILES.manifest), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
