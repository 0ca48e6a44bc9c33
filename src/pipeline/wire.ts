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
 */
export const WIRE_FORMAT = 2;

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

function withDoc(payload: unknown, doc: WithSpans): unknown {
  return hasSegments(payload) ? doc : { ...(payload as object), doc };
}

const isSpan = (s: unknown): s is Span => typeof s === 'object' && s !== null && Number.isInteger((s as Span).start) && Number.isInteger((s as Span).end);

/** Maps the spans of a document (segments, entity mentions), keeping everything else as it is. */
function mapSpans(doc: WithSpans, f: (s: Span) => Span): WithSpans {
  const out: WithSpans = { ...doc, segments: doc.segments.map((s) => (isSpan(s) ? f(s) : s)) };
  if (Array.isArray(doc.entities)) {
    out.entities = doc.entities.map((e) =>
      typeof e === 'object' && e !== null && Array.isArray(e.mentions) ? { ...e, mentions: e.mentions.map((m) => (isSpan(m) ? f(m) : m)) } : e,
    );
  }
  return out;
}

function someSpan(doc: WithSpans, test: (s: Span) => boolean): boolean {
  if (doc.segments.some((s) => isSpan(s) && test(s))) return true;
  return Array.isArray(doc.entities) && doc.entities.some((e) => Array.isArray(e?.mentions) && e.mentions.some((m) => isSpan(m) && test(m)));
}

/** The payload as it goes into a job: span texts that are slices of the document's text left out. */
export function packPayload(payload: unknown): unknown {
  const doc = docOf(payload);
  if (!doc) return payload;
  return withDoc(
    payload,
    mapSpans(doc, (s) => {
      if (s.text !== doc.text.slice(s.start, s.end)) return s;
      const { text: _text, ...rest } = s;
      return rest;
    }),
  );
}

/** The payload as the stage expects it: every span's text back. */
export function unpackPayload(payload: unknown): unknown {
  const doc = docOf(payload);
  if (!doc || !someSpan(doc, (s) => s.text === undefined)) return payload;
  return withDoc(
    payload,
    mapSpans(doc, (s) => (s.text === undefined ? { ...s, text: doc.text.slice(s.start, s.end) } : s)),
  );
}
