// The clean stage's pure function: decoded text in, cleaned text with typed messages
// (segments), a language and flags out. Steps, in order:
//   1. lone surrogates -> U+FFFD; mojibake repair (mojibake.ts)
//   2. line endings -> "\n"; HTML remnants (tags, comments, script/style, entities)
//   3. control / zero-width / bidi characters removed, Unicode spaces -> " ", NFC
//   4. whitespace: runs of spaces collapsed, lines trimmed, at most one empty line in a row
//   5. one segment per non-empty line (a line over maxLineLength cut at a sentence or word
//      boundary), each with a kind; foreign-script spans and U+FFFD flagged
//   6. document language
// Every step is linear in the input and none throws on any string.
import type { CleanDoc, CleanInput, CleanSegment, SegmentKind } from '../../shared/schemas.js';
import { hintKey, stripHtml } from './html.js';
import { looksLikeMarkdown, stripListMarkers, stripMarkdown } from './markdown.js';
import { detectLanguage } from './language.js';
import { repairMojibake } from './mojibake.js';
import { filterChars, normalizeLineEndings, normalizeWhitespace, replaceLoneSurrogates } from './normalize.js';
import { foreignScriptSpans } from './scripts.js';
import { classifySegments, splitSegments } from './segment.js';

export interface CleanOptions {
  /**
   * At most this many segments per document. The rest of the document is dropped (text
   * included, so that every part of `text` is in a segment) and 'segments-truncated' raised.
   */
  maxSegments: number;
  /**
   * A line longer than this (UTF-16 units) becomes several segments, cut after the last
   * sentence end or else the last space in the second half of the window (flag
   * 'long-line-split'); the text itself is not changed.
   */
  maxLineLength: number;
  /** Whether to detect the language (else 'und'). */
  detectLanguage: boolean;
}

export const DEFAULT_CLEAN_OPTIONS: CleanOptions = {
  maxSegments: 10_000,
  maxLineLength: 100_000,
  detectLanguage: true,
};

/** Flags this stage may add to the input's flags. */
export const CLEAN_FLAGS = [
  'mojibake-repaired',
  'mojibake-repair-failed',
  'html-removed',
  'html-entities-decoded',
  'control-chars-removed',
  'zero-width-removed',
  'invalid-utf16-replaced',
  'unicode-normalized',
  'replacement-chars',
  'foreign-script-span',
  'long-line-split',
  'segments-truncated',
  'empty-after-clean',
] as const;

/** Characters of prose handed to the language detector. */
const LANGUAGE_SAMPLE = 6000;

function resolveOptions(options: Partial<CleanOptions> | undefined): CleanOptions {
  const o = { ...DEFAULT_CLEAN_OPTIONS };
  if (options) {
    for (const key of Object.keys(o) as (keyof CleanOptions)[]) {
      const v = options[key];
      if (v !== undefined) (o as Record<string, unknown>)[key] = v;
    }
  }
  o.maxSegments = Math.max(1, Math.floor(Number(o.maxSegments) || DEFAULT_CLEAN_OPTIONS.maxSegments));
  o.maxLineLength = Math.max(16, Math.floor(Number(o.maxLineLength) || DEFAULT_CLEAN_OPTIONS.maxLineLength));
  return o;
}

/** The cleaned text alone, with what was changed on the way (steps 1-4). */
export function cleanText(rawText: string, path = ''): { text: string; flags: string[]; kindHints: Map<string, SegmentKind> } {
  const flags: string[] = [];
  let { text, replaced } = replaceLoneSurrogates(rawText);
  if (replaced) flags.push('invalid-utf16-replaced');

  try {
    const repaired = repairMojibake(text);
    if (repaired.repaired && typeof repaired.text === 'string') {
      text = repaired.text;
      flags.push('mojibake-repaired');
      const again = replaceLoneSurrogates(text);
      text = again.text;
      if (again.replaced && !replaced) flags.push('invalid-utf16-replaced');
    }
  } catch {
    // A bug there must not lose the document: go on with the text as decoded.
    flags.push('mojibake-repair-failed');
  }

  text = normalizeLineEndings(text);
  const html = stripHtml(text);
  // Character references may stand for line breaks too (&#13;, &#x2028;).
  text = html.entitiesDecoded ? normalizeLineEndings(html.text) : html.text;
  if (html.tagsRemoved || html.entitiesDecoded) flags.push('html-removed');
  if (html.entitiesDecoded) flags.push('html-entities-decoded');
  if (html.boilerplateRemoved) flags.push('html-boilerplate-removed');
  const hints = new Map<string, SegmentKind>(html.kindHints);
  if (looksLikeMarkdown(text, path)) {
    const md = stripMarkdown(text);
    text = md.text;
    if (md.removed) flags.push('markdown-removed');
    for (const [k, kind] of md.kindHints) hints.set(k, kind);
  }
  const lists = stripListMarkers(text, new Set([...hints].filter(([, kind]) => kind === 'heading').map(([k]) => k)));
  text = lists.text;
  for (const [k, kind] of lists.kindHints) hints.set(k, kind);

  const chars = filterChars(text);
  text = chars.text;
  if (chars.controlRemoved) flags.push('control-chars-removed');
  if (chars.zeroWidthRemoved) flags.push('zero-width-removed');
  const nfc = text.normalize('NFC');
  if (nfc !== text) flags.push('unicode-normalized');
  // NFC of valid UTF-16 is valid UTF-16, and it creates no controls or spaces.
  text = normalizeWhitespace(nfc);
  if (text.includes('\uFFFD')) flags.push('replacement-chars');
  // the hints' texts go through the same character steps as the text, so that they still match its lines
  const kindHints = new Map<string, SegmentKind>();
  for (const [k, kind] of hints) kindHints.set(hintKey(normalizeWhitespace(filterChars(k).text.normalize('NFC'))), kind);
  return { text, flags, kindHints };
}

function languageSample(texts: readonly string[]): string {
  const parts: string[] = [];
  let size = 0;
  // Prose first: lines of several words say more than headings, captions and cue numbers.
  for (const long of [true, false]) {
    for (const t of texts) {
      if (size >= LANGUAGE_SAMPLE) break;
      if ((t.length >= 60) !== long) continue;
      parts.push(t.slice(0, LANGUAGE_SAMPLE - size));
      size += parts[parts.length - 1]!.length + 1;
    }
  }
  return parts.join('\n');
}

export function clean(input: CleanInput, options?: Partial<CleanOptions>): CleanDoc {
  const opts = resolveOptions(options);
  const cleaned = cleanText(typeof input.rawText === 'string' ? input.rawText : String(input.rawText ?? ''), input.source.path);
  let text = cleaned.text;
  const flags = [...cleaned.flags];

  const { spans: allSpans, linesSplit } = splitSegments(text, opts.maxLineLength);
  if (linesSplit) flags.push('long-line-split');
  let spans = allSpans;
  if (spans.length > opts.maxSegments) {
    spans = spans.slice(0, opts.maxSegments);
    text = text.slice(0, spans[spans.length - 1]!.end);
    flags.push('segments-truncated');
  }
  const texts = spans.map((s) => text.slice(s.start, s.end));
  const language = opts.detectLanguage ? detectLanguage(languageSample(texts)) : 'und';
  const blankBefore = spans.map((s, i) => i === 0 || text.slice(spans[i - 1]!.end, s.start).includes('\n\n'));
  const kinds = classifySegments(texts, { language, blankBefore, hints: cleaned.kindHints });
  const segments: CleanSegment[] = spans.map((s, index) => ({
    index,
    kind: kinds[index] ?? 'paragraph',
    text: texts[index]!,
    start: s.start,
    end: s.end,
  }));

  if (segments.some((s) => s.kind !== 'other' && foreignScriptSpans(s.text).length > 0)) flags.push('foreign-script-span');
  if (segments.length === 0) flags.push('empty-after-clean');

  const allFlags: string[] = [];
  for (const f of [...input.flags, ...flags]) if (!allFlags.includes(f)) allFlags.push(f);
  return { id: input.id, source: input.source, language, text, segments, flags: allFlags };
}
