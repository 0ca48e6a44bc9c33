// Placeholder: replaced by the near-duplicate implementation.
import type { CleanDoc, DedupDoc } from '../../shared/schemas.js';
import type { DedupIndex } from './index-types.js';

export async function dedup(doc: CleanDoc, index: DedupIndex): Promise<DedupDoc> {
  const assigned = await index.assign({ id: doc.id, path: doc.source.path, segments: doc.segments });
  const byIndex = new Map(assigned.map((a) => [a.index, a]));
  return {
    ...doc,
    segments: doc.segments.map((s) => ({ ...s, cluster: byIndex.get(s.index)!.cluster, duplicateOf: byIndex.get(s.index)!.duplicateOf })),
    nearDuplicateOf: null,
  };
}
