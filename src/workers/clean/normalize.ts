// Character-level normalisation: line endings, invalid UTF-16, control and invisible
// characters, Unicode spaces, NFC, and per-line whitespace. Every function is one linear
// pass (or a built-in that is), whatever the input.

export interface CharReport {
  /** C0/C1 controls (other than \n and \t), DEL or noncharacters were removed */
  controlRemoved: boolean;
  /** zero-width, BOM, soft-hyphen or bidi embedding/override/isolate characters were removed */
  zeroWidthRemoved: boolean;
  /** lone surrogates were replaced by U+FFFD */
  loneSurrogatesReplaced: boolean;
}

/** \r\n, \r, NEL, LS, PS, VT and FF all become "\n". */
export function normalizeLineEndings(text: string): string {
  return text.replace(/\r\n?|[\u0085\u2028\u2029\u000B\u000C]/g, '\n');
}

/** Replaces unpaired surrogates by U+FFFD so that the text is valid UTF-16 (and JSON). */
export function replaceLoneSurrogates(text: string): { text: string; replaced: boolean } {
  // One linear regex pass: a high surrogate not followed by a low one, or a low one not
  // preceded by a high one.
  const re = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
  if (!re.test(text)) return { text, replaced: false };
  re.lastIndex = 0;
  return { text: text.replace(re, '\uFFFD'), replaced: true };
}

const LETTER_OR_MARK = /[\p{L}\p{M}]/u;
const LATIN = /\p{Script=Latin}/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;

/** The code point before index i (handles a surrogate pair ending at i - 1). */
function codePointBefore(text: string, i: number): string {
  if (i <= 0) return '';
  const lo = text.charCodeAt(i - 1);
  if (lo >= 0xdc00 && lo <= 0xdfff && i >= 2) {
    const hi = text.charCodeAt(i - 2);
    if (hi >= 0xd800 && hi <= 0xdbff) return text.slice(i - 2, i);
  }
  return text[i - 1] ?? '';
}

function codePointAt(text: string, i: number): string {
  const cp = text.codePointAt(i);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

/**
 * ZWNJ/ZWJ are kept where they do work: between two letters (or marks) of a script that
 * is not Latin (Arabic, Persian, Indic scripts shape differently with them), and a ZWJ
 * inside an emoji sequence. Elsewhere (typically pasted into Latin text) they are noise.
 */
function keepJoiner(text: string, i: number, joiner: number): boolean {
  const before = codePointBefore(text, i);
  const after = codePointAt(text, i + 1);
  if (!before || !after) return false;
  if (joiner === 0x200d && PICTOGRAPHIC.test(after) && (PICTOGRAPHIC.test(before) || /[\uFE0F\u{1F3FB}-\u{1F3FF}]/u.test(before))) {
    return true;
  }
  return LETTER_OR_MARK.test(before) && LETTER_OR_MARK.test(after) && !LATIN.test(before) && !LATIN.test(after);
}

function isUnicodeSpace(c: number): boolean {
  return c === 0x00a0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f || c === 0x3000;
}

/**
 * Removes control characters (except \n; \t becomes a space), DEL, C1 controls and the
 * noncharacters U+FFFE/U+FFFF; removes zero-width and bidi formatting characters (ZWSP,
 * word joiner, BOM, soft hyphen, LRM/RLM/ALM, U+202A-202E, U+2066-2069, U+180E) and
 * ZWNJ/ZWJ outside the contexts where they matter; turns NBSP and the other Unicode spaces
 * into " ". U+FFFD is kept. Expects "\n" line endings.
 */
export function filterChars(text: string): { text: string } & Omit<CharReport, 'loneSurrogatesReplaced'> {
  let controlRemoved = false;
  let zeroWidthRemoved = false;
  let out = '';
  let last = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    // Fast path: printable ASCII, newline, and most of the BMP need nothing.
    if ((c >= 0x20 && c < 0x7f) || c === 10) continue;
    let replacement: string | null = null;
    if (c === 9) {
      replacement = ' ';
    } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0xfffe || c === 0xffff) {
      replacement = '';
      controlRemoved = true;
    } else if (isUnicodeSpace(c)) {
      replacement = ' ';
    } else if (
      c === 0x200b || c === 0x2060 || c === 0xfeff || c === 0x00ad || c === 0x180e ||
      c === 0x200e || c === 0x200f || c === 0x061c ||
      (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
    ) {
      replacement = '';
      zeroWidthRemoved = true;
    } else if ((c === 0x200c || c === 0x200d) && !keepJoiner(text, i, c)) {
      replacement = '';
      zeroWidthRemoved = true;
    }
    if (replacement !== null) {
      out += text.slice(last, i) + replacement;
      last = i + 1;
    }
  }
  return { text: last === 0 ? text : out + text.slice(last), controlRemoved, zeroWidthRemoved };
}

/**
 * Collapses runs of spaces, trims every line and keeps at most one empty line between
 * non-empty ones; no empty lines at the start or end.
 */
export function normalizeWhitespace(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let blank = false;
  for (const raw of lines) {
    const line = raw.replace(/ {2,}/g, ' ').trim();
    if (line === '') {
      blank = out.length > 0;
      continue;
    }
    if (blank) out.push('');
    blank = false;
    out.push(line);
  }
  return out.join('\n');
}
