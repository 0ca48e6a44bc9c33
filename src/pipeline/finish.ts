// The end of a run: messages.jsonl (one line per repeated cluster, rewritten as a whole and
// atomically, so a re-run leaves it as it was) and manifest.json.
import { renameSync, writeFileSync } from 'node:fs';
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

/** Merges this run's repeated clusters into messages.jsonl; returns the number of lines. */
export async function writeMessages(outDir: string, clusterIds: string[], index: DedupIndex): Promise<number> {
  const file = path.join(outDir, FILES.messages);
  const lines = new Map<string, OutputMessage>();
  for await (const rec of readJsonl(file)) {
    const m = OutputMessage.safeParse(rec);
    if (m.success) lines.set(m.data.cluster, m.data);
  }
  // In batches: a run of 100k documents repeats a few hundred thousand clusters.
  for (let i = 0; i < clusterIds.length; i += CLUSTER_BATCH) {
    const known = await index.clusters(clusterIds.slice(i, i + CLUSTER_BATCH));
    for (const info of known.values()) {
      if (info.occurrences.length < 2) continue;
      lines.set(info.cluster, { schema: MESSAGE_SCHEMA, cluster: info.cluster, text: info.text, occurrences: info.occurrences });
    }
  }
  writeAtomic(file, [...lines.values()].map((m) => JSON.stringify(m) + '\n').join(''));
  return lines.size;
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
