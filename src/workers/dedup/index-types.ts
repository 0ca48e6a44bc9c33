// The near-duplicate index as the dedup stage sees it. Two implementations share this
// interface: one in memory (for --inline runs and unit tests) and one in Redis (shared by all
// workers, changed atomically by Lua scripts).
import type { Occurrence } from '../../shared/schemas.js';

export interface IndexSegment {
  index: number;
  text: string;
}

export interface SegmentAssignment {
  index: number;
  cluster: string;
  /** the first occurrence the index holds, or null when this segment is it */
  duplicateOf: { doc: string; segment: number; similarity: number } | null;
  /**
   * Other documents holding a message this one was verified to match (absent when none).
   * dedup() derives the document-level `nearDuplicateOf` from it.
   */
  matchedDocs?: string[];
}

export interface ClusterInfo {
  cluster: string;
  /** text of the first occurrence */
  text: string;
  occurrences: Occurrence[];
}

export interface IndexStats {
  namespace: string;
  messages: number;
  clusters: number;
  documents: number;
  /** bytes the index uses in its store, where it can tell */
  bytes?: number;
}

export interface DedupIndex {
  /**
   * Assigns a cluster to every segment of a document, atomically with respect to other
   * callers. Idempotent: assigning the same document again returns the same answer.
   */
  assign(doc: { id: string; path: string; segments: IndexSegment[] }): Promise<SegmentAssignment[]>;
  /**
   * Everything the index knows about these clusters (for messages.jsonl): the text of the first
   * occurrence and every occurrence, first occurrence first. Clusters the index holds only one
   * occurrence of are absent from the map.
   */
  clusters(ids: string[]): Promise<Map<string, ClusterInfo>>;
  stats(): Promise<IndexStats>;
  reset(): Promise<void>;
}
