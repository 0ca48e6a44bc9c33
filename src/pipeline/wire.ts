// Job payloads on their way through Redis. A document payload carries its cleaned text and,
// per segment and per entity mention, a `text` that is a slice of it (start/end are its
// offsets): so every payload held the text of the document two or three times. On the wire
// such a `text` is left out whenever it equals that slice and put back when the job is taken;
// one that is not the slice keeps it. Payloads written before this (with every text) read as
// they are.

/**
 * The format of job payloads this textmill writes and reads. Raise it whenever a payload
 * changes so that an older worker would misread it: a worker meets a job of a newer format
 * only when the workers of a namespace run different versions (machines upgraded one by one),
 * and it then rejects that file with a sentence that says so rather than misreading it.
 *   1  every span text in the payload (jobs without a format are read as 1)
 *   2  span texts that are slices of the document's text left out; analysis lemmas equal to
 *      their normal left empty
 *   3  a job carries a batch of documents (`docs`, under `key`) instead of one `payload`
 *      (format 2 jobs are still read, as a batch of one)
 */
export const WIRE_FORMAT = 3;

interface Span {
  start: number;
  end: number;
  text?: string;
}
interface WithSpans {
  text: string;
  segments: Span[];
  entities?: Array<{ mentions?: Span[] }>;
}

function hasSegments(x: unknown): x is WithSpans {
  const o = x as Partial<WithSpans> | null;
  return typeof o === 'object' && o !== null && typeof o.text === 'string' && Array.isArray(o.segments);
}

/** The document inside a payload: the payload itself, or `doc` of a write record. */
function docOf(payload: unknown): WithSpans | null {
  if (hasSegments(payload)) return payload;
  const inner = (payload as { doc?: unknown } | null)?.doc;
  return hasSegments(inner) ? inner : null;
}

const isSpan = (s: unknown): s is Span => typeof s === 'object' && s !== null && Number.isInteger((s as Span).start) && Number.isInteger((s as Span).end);

/** Calls f on every span of a document (segments, entity mentions); anything else is left alone. */
function forEachSpan(doc: WithSpans, f: (s: Span) => void): void {
  for (const s of doc.segments) if (isSpan(s)) f(s);
  if (!Array.isArray(doc.entities)) return;
  for (const e of doc.entities) {
    if (typeof e !== 'object' || e === null || !Array.isArray(e.mentions)) continue;
    for (const m of e.mentions) if (isSpan(m)) f(m);
  }
}

/**
 * The payload as it goes into a job: span texts that are slices of the document's text left
 * out. It works in place (a text becomes undefined, which JSON leaves out) and hands back its
 * argument: the payload is only serialised after this, and copying every segment and mention
 * at each hop cost more than the JSON of the smaller payload saved.
 */
export function packPayload(payload: unknown): unknown {
  const doc = docOf(payload);
  if (!doc) return payload;
  const text = doc.text;
  forEachSpan(doc, (s) => {
    // compared in place, without making the slice
    if (typeof s.text === 'string' && s.text.length === s.end - s.start && text.startsWith(s.text, s.start)) s.text = undefined;
  });
  return payload;
}

/** The payload as the stage expects it: every span's text back (in place: the payload is a job's freshly parsed data). */
export function unpackPayload(payload: unknown): unknown {
  const doc = docOf(payload);
  if (!doc) return payload;
  const text = doc.text;
  forEachSpan(doc, (s) => {
    if (s.text === undefined) s.text = text.slice(s.start, s.end);
  });
  return payload;
}
