// The one place where the shapes that cross a boundary are defined: job payloads between
// stages, and the output records of the contract (../shared/spec/output-contract.md).
// Every stage validates what it receives with these, and `textmill schemas` exports them
// as JSON Schema files.
import { z } from 'zod';

export const DOCUMENT_SCHEMA = 'textmill.document/v1';
export const MESSAGE_SCHEMA = 'textmill.message/v1';
export const REJECTED_SCHEMA = 'textmill.rejected/v1';

export const SEGMENT_KINDS = ['paragraph', 'heading', 'caption', 'quote', 'byline', 'other'] as const;
export const SegmentKind = z.enum(SEGMENT_KINDS);
export type SegmentKind = z.infer<typeof SegmentKind>;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
export const DocId = z.string().regex(/^sha256:[0-9a-f]{64}$/);

export const Source = z.object({
  path: z.string().min(1),
  bytes: z.number().int().nonnegative(),
  sha256: sha256Hex,
  encoding: z.string(),
});
export type Source = z.infer<typeof Source>;

/** What the producer hands to the clean stage: decoded (not yet cleaned) text. */
export const CleanInput = z.object({
  id: DocId,
  source: Source,
  rawText: z.string(),
  /** flags raised while decoding, e.g. "encoding-guessed", "invalid-bytes-replaced" */
  flags: z.array(z.string()),
});
export type CleanInput = z.infer<typeof CleanInput>;

export const CleanSegment = z.object({
  index: z.number().int().nonnegative(),
  kind: SegmentKind,
  text: z.string(),
  /** UTF-16 offsets into the document's cleaned text */
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
});
export type CleanSegment = z.infer<typeof CleanSegment>;

export const CleanDoc = z.object({
  id: DocId,
  source: Source,
  language: z.string().regex(/^([a-z]{2}|und)$/),
  text: z.string(),
  segments: z.array(CleanSegment),
  flags: z.array(z.string()),
});
export type CleanDoc = z.infer<typeof CleanDoc>;

export const DuplicateOf = z
  .object({
    doc: DocId,
    segment: z.number().int().nonnegative(),
    similarity: z.number().min(0).max(1),
  })
  .nullable();
export type DuplicateOf = z.infer<typeof DuplicateOf>;

export const DedupSegment = CleanSegment.extend({
  cluster: z.string().min(1),
  duplicateOf: DuplicateOf,
});
export type DedupSegment = z.infer<typeof DedupSegment>;

export const NearDuplicateOf = z.object({ doc: DocId, share: z.number().min(0).max(1) }).nullable();

export const DedupDoc = CleanDoc.extend({
  segments: z.array(DedupSegment),
  nearDuplicateOf: NearDuplicateOf,
});
export type DedupDoc = z.infer<typeof DedupDoc>;

export const Mention = z.object({
  text: z.string(),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
});
export type Mention = z.infer<typeof Mention>;

export const Entity = z.object({
  type: z.string().min(1),
  name: z.string(),
  /** normalised value where one can be resolved, e.g. an ISO 8601 date */
  value: z.string().optional(),
  mentions: z.array(Mention),
});
export type Entity = z.infer<typeof Entity>;

/**
 * What the entity stage passes on so the theme stage need not parse the text again: per
 * segment, the lower-cased normal form and the lemma of each word token, each list as one
 * string of words separated by single spaces (word tokens hold no spaces). One string, not an
 * array of a few hundred: a job's JSON is written and parsed again at every hop between
 * stages, and these word arrays were most of the values in the largest payload. A lemma equal
 * to its normal (most of them) is left empty: lemmas " state agree" with normals "the states
 * agreed" read as "the state agree"; the payload from entities to themes is an eighth smaller.
 */
export const SegmentAnalysis = z.object({
  normals: z.string(),
  lemmas: z.string(),
});
export type SegmentAnalysis = z.infer<typeof SegmentAnalysis>;

export const EntitiesDoc = DedupDoc.extend({
  entities: z.array(Entity),
  analysis: z.array(SegmentAnalysis),
});
export type EntitiesDoc = z.infer<typeof EntitiesDoc>;

export const DocTheme = z.object({
  id: z.string(),
  label: z.string(),
  score: z.number().min(0).max(1),
  evidence: z.array(z.string()),
});
export type DocTheme = z.infer<typeof DocTheme>;

export const ThemedSegment = DedupSegment.extend({ themes: z.array(z.string()) });
export type ThemedSegment = z.infer<typeof ThemedSegment>;

/** The theme stage drops the word analysis: it was only for the themes, and the write job need not carry it. */
export const ThemedDoc = EntitiesDoc.omit({ analysis: true }).extend({
  segments: z.array(ThemedSegment),
  themes: z.array(DocTheme),
});
export type ThemedDoc = z.infer<typeof ThemedDoc>;

// ---------------------------------------------------------------- output records

export const Pipeline = z.object({ version: z.string(), run: z.string() });

export const OutputDocument = z.object({
  schema: z.literal(DOCUMENT_SCHEMA),
  id: DocId,
  source: Source,
  language: z.string().regex(/^([a-z]{2}|und)$/),
  text: z.string(),
  segments: z.array(ThemedSegment),
  entities: z.array(Entity),
  themes: z.array(DocTheme),
  flags: z.array(z.string()),
  nearDuplicateOf: NearDuplicateOf,
  pipeline: Pipeline,
});
export type OutputDocument = z.infer<typeof OutputDocument>;

export const Occurrence = z.object({
  doc: DocId,
  path: z.string(),
  segment: z.number().int().nonnegative(),
  similarity: z.number().min(0).max(1),
});
export type Occurrence = z.infer<typeof Occurrence>;

export const OutputMessage = z.object({
  schema: z.literal(MESSAGE_SCHEMA),
  cluster: z.string().min(1),
  text: z.string(),
  occurrences: z.array(Occurrence).min(2),
});
export type OutputMessage = z.infer<typeof OutputMessage>;

export const OutputRejected = z.object({
  schema: z.literal(REJECTED_SCHEMA),
  path: z.string().min(1),
  code: z.string().min(1),
  message: z.string().min(1),
  /** the document id when the bytes could be read */
  id: DocId.optional(),
});
export type OutputRejected = z.infer<typeof OutputRejected>;

export const Manifest = z.object({
  schema: z.literal('textmill.manifest/v1'),
  run: z.string(),
  namespace: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  version: z.string(),
  schemas: z.object({ document: z.string(), message: z.string(), rejected: z.string() }),
  transport: z.enum(['bullmq', 'inline']),
  counts: z.object({
    files: z.number().int(),
    documents: z.number().int(),
    rejected: z.number().int(),
    rejectedByCode: z.record(z.string(), z.number().int()),
    /** files the output folder already held from an earlier run */
    unchanged: z.number().int(),
    segments: z.number().int(),
    duplicateSegments: z.number().int(),
    clusters: z.number().int(),
  }),
  stageMs: z.record(z.string(), z.number()),
  elapsedMs: z.number(),
});
export type Manifest = z.infer<typeof Manifest>;

/** Schemas exported as JSON Schema files by `textmill schemas`. */
export const EXPORTED_SCHEMAS = {
  document: OutputDocument,
  message: OutputMessage,
  rejected: OutputRejected,
  manifest: Manifest,
  'job-clean': CleanInput,
  'job-dedup': CleanDoc,
  'job-entities': DedupDoc,
  'job-themes': EntitiesDoc,
  'job-write': ThemedDoc,
} as const;
