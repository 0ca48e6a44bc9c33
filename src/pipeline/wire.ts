// Job payloads on their way through Redis. A document payload carries its cleaned text and,
// per segment, the segment's text, which is a slice of it (start/end are its offsets): so
// every payload from clean to write held each text twice. On the wire a segment's text is
// left out whenever it equals that slice and put back when the job is taken; a segment whose
// text is not the slice (none today) keeps it. Payloads written before this (with every
// segment's text) read as they are.

interface Span {
  start: number;
  end: number;
  text?: string;
}
interface WithSegments {
  text: string;
  segments: Span[];
}

function hasSegments(x: unknown): x is WithSegments {
  const o = x as Partial<WithSegments> | null;
  return typeof o === 'object' && o !== null && typeof o.text === 'string' && Array.isArray(o.segments);
}

/** The document inside a payload: the payload itself, or `doc` of a write record. */
function docOf(payload: unknown): WithSegments | null {
  if (hasSegments(payload)) return payload;
  const inner = (payload as { doc?: unknown } | null)?.doc;
  return hasSegments(inner) ? inner : null;
}

function withDoc(payload: unknown, doc: WithSegments): unknown {
  return hasSegments(payload) ? doc : { ...(payload as object), doc };
}

/** The payload as it goes into a job: segment texts that are slices of the document's text left out. */
export function packPayload(payload: unknown): unknown {
  const doc = docOf(payload);
  if (!doc) return payload;
  const segments = doc.segments.map((s) => {
    if (typeof s !== 'object' || s === null || s.text !== doc.text.slice(s.start, s.end)) return s;
    const { text: _text, ...rest } = s;
    return rest;
  });
  return withDoc(payload, { ...doc, segments });
}

/** The payload as the stage expects it: every segment's text back. */
export function unpackPayload(payload: unknown): unknown {
  const doc = docOf(payload);
  if (!doc || doc.segments.every((s) => typeof s !== 'object' || s === null || typeof s.text === 'string')) return payload;
  const segments = doc.segments.map((s) =>
    typeof s === 'object' && s !== null && s.text === undefined && Number.isInteger(s.start) && Number.isInteger(s.end) ? { ...s, text: doc.text.slice(s.start, s.end) } : s,
  );
  return withDoc(payload, { ...doc, segments });
}
