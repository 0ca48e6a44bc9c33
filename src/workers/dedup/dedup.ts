// The dedup stage: asks the near-duplicate index for the cluster of every segment and derives
// the document-level near-duplicate link. The similarity threshold and LSH parameters belong to
// the index (createMemoryIndex / createRedisIndex options), so every caller of one index agrees.
import type { CleanDoc, DedupDoc } from '../../shared/schemas.js';
import type { DedupIndex, SegmentAssignment } from './index-types.js';
import { DEFAULT_PARAMS } from './similarity.js';

export interface DedupOptions {
  /**
   * A document is a near-duplicate of an earlier one when at least this share of its messages
   * (those with a word in them) were verified to match messages of that one document.
   */
  nearDuplicateShare?: number;
}

const HAS_WORD = /[\p{L}\p{N}]/u;

/** The earlier document that most of this document's messages duplicate, if any. */
export function nearDuplicateOf(
  segments: { index: number; text: string }[],
  assignments: SegmentAssignment[],
  minShare = DEFAULT_PARAMS.nearDuplicateShare,
): { doc: string; share: number } | null {
  const byIndex = new Map(assignments.map((a) => [a.index, a]));
  let counted = 0;
  const hits = new Map<string, number>();
  for (const s of segments) {
    if (!HAS_WORD.test(s.text)) continue;
    counted++;
    for (const d of byIndex.get(s.index)?.matchedDocs ?? []) hits.set(d, (hits.get(d) ?? 0) + 1);
  }
  let best: { doc: string; share: number } | null = null;
  for (const [doc, n] of [...hits.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const share = n / counted;
    if (share >= minShare && (!best || share > best.share)) best = { doc, share: Math.round(share * 1000) / 1000 };
  }
  return best;
}

export async function dedup(doc: CleanDoc, index: DedupIndex, options: DedupOptions = {}): Promise<DedupDoc> {
  const assigned = await index.assign({
    id: doc.id,
    path: doc.source.path,
    segments: doc.segments.map((s) => ({ index: s.index, text: s.text })),
  });
  const byIndex = new Map(assigned.map((a) => [a.index, a]));
  const segments = doc.segments.map((s) => {
    const a = byIndex.get(s.index);
    if (!a) throw new Error(`dedup index returned no assignment for segment ${s.index} of ${doc.id}`);
    return { ...s, cluster: a.cluster, duplicateOf: a.duplicateOf };
  });
  return {
    ...doc,
    segments,
    nearDuplicateOf: nearDuplicateOf(doc.segments, assigned, options.nearDuplicateShare),
  };
}
