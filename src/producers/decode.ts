// Turns the raw bytes of an input file into text, or says in one sentence why it cannot.
//
// Order of decisions: empty -> known binary formats (magic numbers) -> byte-order marks ->
// UTF-16 without a BOM (evident from NUL bytes at alternating positions) -> other NUL
// bytes mean binary -> valid UTF-8 -> UTF-8 with a few corrupt bytes -> legacy encodings
// detected by chardet and decoded by iconv-lite. Every candidate decoding must look like
// text (see `plausibility`), so random bytes are never accepted as some exotic encoding.
import chardet from 'chardet';
import iconv from 'iconv-lite';

export type DecodeResult =
  | { ok: true; text: string; encoding: string; flags: string[] }
  | { ok: false; code: 'empty' | 'binary' | 'undecodable'; message: string };

type Fail = Extract<DecodeResult, { ok: false }>;

const MAGIC: Array<[number[], string]> = [
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF image'],
  [[0x25, 0x50, 0x44, 0x46, 0x2d], 'a PDF document'],
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive (or an Office document, which is one)'],
  [[0x50, 0x4b, 0x05, 0x06], 'an empty ZIP archive'],
  [[0x1f, 0x8b], 'a gzip-compressed file'],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], 'a 7-Zip archive'],
  [[0x7f, 0x45, 0x4c, 0x46], 'a compiled program (ELF)'],
  [[0x4d, 0x5a], 'a Windows program'],
  [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 'an old Microsoft Office document'],
];

const startsWith = (b: Uint8Array, sig: number[]) => b.length >= sig.length && sig.every((x, i) => b[i] === x);

const fail = (code: Fail['code'], message: string): Fail => ({ ok: false, code, message });
const binary = (what = 'binary data') => fail('binary', `The file looks like ${what}, not text.`);
const ok = (text: string, encoding: string, flags: string[]): DecodeResult => ({ ok: true, text, encoding, flags });

/**
 * Share (0..1) of characters that do not belong in text: control characters other than
 * tab/newline/carriage return/form feed, C1 controls, U+FFFD, unassigned and private-use
 * code points, lone surrogates. Text in any script scores near 0.
 */
export function implausibleShare(text: string): number {
  if (text.length === 0) return 0;
  const bad = text.match(/[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd\p{Cn}\p{Co}\p{Cs}]/gu);
  return (bad?.length ?? 0) / [...text].length;
}

/** Share of non-ASCII characters among the letters, for judging single-byte decodings. */
function nonAsciiLetterShare(text: string): number {
  const letters = text.match(/\p{L}/gu);
  if (!letters || letters.length === 0) return 1;
  return letters.filter((c) => c.charCodeAt(0) > 0x7f).length / letters.length;
}

const SINGLE_BYTE = /^(iso-8859-\d+|windows-125\d|koi8-r|koi8-u|ibm\d+|cp\d+|macintosh)$/;

/** Does a legacy decoding look like real text? */
function plausible(text: string, encoding: string): boolean {
  if (implausibleShare(text) > 0.005) return false;
  if (SINGLE_BYTE.test(encoding)) {
    // Latin-script text in a legacy code page is mostly ASCII letters; Cyrillic, Greek,
    // Hebrew, Arabic and Thai code pages give letters of one script. Random bytes give a
    // soup of accented letters and symbols from the upper half.
    const letters = text.match(/\p{L}/gu) ?? [];
    if (letters.length < 3) return false;
    // Alphabetic text has words: letters in runs, separated by spaces.
    const words = text.match(/\p{L}{2,}/gu) ?? [];
    const inWords = words.reduce((n, w) => n + w.length, 0);
    if (inWords / letters.length < 0.6) return false;
    if (text.length >= 40 && (text.match(/\s/g)?.length ?? 0) / text.length < 0.03) return false;
    // Upper-half characters of real text are letters and common punctuation, not the
    // odd symbols (¥ ‡ ¸ ¤ ± box drawing ...) that random bytes produce.
    const upper = [...text].filter((c) => c.charCodeAt(0) > 0x7f);
    const odd = upper.filter((c) => !/[\p{L}\p{M}“”‘’„‚–—…•«»‹›\u00a0€£©®°·§¿¡™]/u.test(c)).length;
    if (upper.length >= 3 && odd / upper.length > 0.2) return false;
    // Words mixing Latin with another alphabet ("хлgO") do not occur in real text.
    const mixed = words.filter((w) => /[A-Za-z]/.test(w) && /[^\x00-\x7f\u00c0-\u024f]/.test(w)).length;
    if (words.length > 0 && mixed / words.length > 0.1) return false;
    const latin = encoding === 'windows-1252' || encoding === 'iso-8859-1' || encoding === 'windows-1250' ||
      encoding === 'iso-8859-2' || encoding === 'iso-8859-15' || encoding === 'windows-1254' || encoding === 'iso-8859-9';
    if (latin && nonAsciiLetterShare(text) > 0.35) return false;
  }
  return true;
}

/** Control bytes other than whitespace: random data has about 12 %, text about none. */
function controlByteShare(b: Uint8Array): number {
  let n = 0;
  for (const x of b) if ((x < 0x20 && x !== 0x09 && x !== 0x0a && x !== 0x0d && x !== 0x0c && x !== 0x1b) || x === 0x7f) n++;
  return n / b.length;
}

function isBlank(text: string): boolean {
  return /^[\s\ufeff\u200b]*$/u.test(text);
}

function decodeUtf16(bytes: Uint8Array, enc: 'utf-16le' | 'utf-16be', flags: string[]): DecodeResult {
  let text: string;
  const f = [...flags];
  try {
    text = new TextDecoder(enc, { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder(enc).decode(bytes);
    f.push('invalid-bytes-replaced');
  }
  if (isBlank(text)) return fail('empty', 'The file contains no text, only whitespace or a byte-order mark.');
  const bad = implausibleShare(text);
  if (bad > 0.05) return binary(`binary data behind a ${enc.toUpperCase()} byte-order mark`);
  return ok(text, enc, f);
}

/** UTF-16 without a BOM is evident when most code units of ASCII-range text have a zero byte. */
function sniffUtf16(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (bytes.length < 4 || bytes.length % 2 !== 0) return null;
  const n = Math.min(bytes.length, 8192) >> 1;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i++) {
    if (bytes[2 * i] === 0) evenZero++;
    if (bytes[2 * i + 1] === 0) oddZero++;
  }
  if (oddZero / n >= 0.3 && evenZero / n <= 0.02) return 'utf-16le';
  if (evenZero / n >= 0.3 && oddZero / n <= 0.02) return 'utf-16be';
  return null;
}

/** Counts well-formed multibyte UTF-8 sequences and invalid ones. */
function utf8Census(bytes: Uint8Array): { valid: number; invalid: number } {
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const n = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    let good = n > 0 && i + n <= bytes.length;
    for (let k = 1; good && k < n; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) good = false;
    if (good && n >= 3) {
      const b1 = bytes[i + 1]!;
      if ((b === 0xe0 && b1 < 0xa0) || (b === 0xed && b1 > 0x9f) || (b === 0xf0 && b1 < 0x90) || (b === 0xf4 && b1 > 0x8f)) good = false;
    }
    if (good) {
      valid++;
      i += n;
    } else {
      invalid++;
      i++;
    }
  }
  return { valid, invalid };
}

const WESTERN = /[\u00a0-\u00ff€“”‘’‚„–—…•‹›™œŒšŠžŽŸ]/u;

/** chardet names -> the names iconv-lite and the output use. */
function normaliseName(name: string): string {
  const n = name.toLowerCase();
  if (n === 'shift_jis') return 'shift_jis';
  return n;
}

const CONFIDENT_MULTIBYTE = 50;

export function decodeBytes(bytes: Uint8Array): DecodeResult {
  if (bytes.length === 0) return fail('empty', 'The file is empty (0 bytes).');

  for (const [sig, what] of MAGIC) if (startsWith(bytes, sig)) return binary(what);

  // Byte-order marks.
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) {
    const rest = bytes.subarray(3);
    let text: string;
    const flags = ['bom'];
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(rest);
    } catch {
      text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(rest);
      flags.push('invalid-bytes-replaced');
    }
    if (isBlank(text)) return fail('empty', 'The file contains no text, only whitespace or a byte-order mark.');
    if (implausibleShare(text) > 0.05) return binary('binary data behind a UTF-8 byte-order mark');
    return ok(text, 'utf-8', flags);
  }
  if (startsWith(bytes, [0xff, 0xfe]) && !startsWith(bytes, [0xff, 0xfe, 0x00, 0x00])) {
    return decodeUtf16(bytes.subarray(2), 'utf-16le', ['bom']);
  }
  if (startsWith(bytes, [0xfe, 0xff])) return decodeUtf16(bytes.subarray(2), 'utf-16be', ['bom']);

  const sniffed = sniffUtf16(bytes);
  if (sniffed) {
    try {
      const text = new TextDecoder(sniffed, { fatal: true }).decode(bytes);
      if (!isBlank(text) && implausibleShare(text) <= 0.01) return ok(text, sniffed, ['encoding-guessed']);
    } catch {
      // not valid UTF-16 (unpaired surrogates): fall through, the NUL bytes make it binary
    }
  }

  if (bytes.includes(0)) return binary();

  // UTF-8, strictly valid.
  let utf8: string | null = null;
  try {
    utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    utf8 = null;
  }
  if (utf8 !== null) {
    if (isBlank(utf8)) return fail('empty', 'The file contains only whitespace, no text.');
    if (implausibleShare(utf8) > 0.05) return binary();
    return ok(utf8, 'utf-8', []);
  }

  // UTF-8 with a few corrupt bytes.
  const { valid, invalid } = utf8Census(bytes);
  // Two valid multibyte sequences already make a legacy code page unlikely: in Windows-1252
  // text, bytes that happen to form valid UTF-8 sequences are rare.
  if (valid >= 2 && valid / (valid + invalid) >= 0.6) {
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    const replaced = (text.match(/\ufffd/g)?.length ?? 0) / [...text].length;
    if (replaced <= 0.05 && implausibleShare(text) <= 0.06) return ok(text, 'utf-8', ['invalid-bytes-replaced']);
  }

  // Legacy encodings.
  if (controlByteShare(bytes) > 0.02) return binary();
  const hasC1Bytes = bytes.some((x) => x >= 0x80 && x <= 0x9f);
  const candidates = chardet.analyse(bytes);
  const tried = new Set<string>();
  const attempt = (name: string): DecodeResult | null => {
    let enc = normaliseName(name);
    // Latin-1 would turn 0x80-0x9F into control characters; Windows-1252 has €, “ ”, œ there.
    if (enc === 'iso-8859-1' && hasC1Bytes) enc = 'windows-1252';
    if (tried.has(enc) || enc.startsWith('utf-') || !iconv.encodingExists(enc)) return null;
    tried.add(enc);
    const text = iconv.decode(Buffer.from(bytes), enc);
    if (isBlank(text) || !plausible(text, enc)) return null;
    return ok(text, enc, ['encoding-guessed']);
  };
  // chardet often names a Central European code page for a short Western text ("cœur" read as
  // "cśur"). Windows-1252 is by far the most common legacy encoding: take it whenever each of
  // its upper-half characters is an everyday Western letter or punctuation mark.
  const top = candidates[0] ? normaliseName(candidates[0].name) : '';
  if (/^(windows-125[0-8]|iso-8859-\d+)$/.test(top) && top !== 'windows-1252' && top !== 'iso-8859-1') {
    const western = iconv.decode(Buffer.from(bytes), 'windows-1252');
    if ([...western].every((c) => c.charCodeAt(0) < 0x80 || WESTERN.test(c))) {
      const r = attempt('windows-1252');
      if (r) return r;
    }
  }
  for (const c of candidates) {
    const multibyte = !SINGLE_BYTE.test(normaliseName(c.name)) && normaliseName(c.name) !== 'iso-8859-1';
    if (c.confidence < (multibyte ? CONFIDENT_MULTIBYTE : 10)) continue;
    const r = attempt(c.name);
    if (r) return r;
  }
  const fallback = attempt(hasC1Bytes ? 'windows-1252' : 'iso-8859-1');
  if (fallback) return fallback;

  // Nothing gave plausible text. Mostly printable ASCII with some high bytes is text we
  // cannot read; anything else is binary.
  let ascii = 0;
  for (const x of bytes) if (x >= 0x20 && x < 0x7f) ascii++;
  if (ascii / bytes.length >= 0.6) {
    return fail('undecodable', 'The file looks like text, but no known character encoding turns it into readable text.');
  }
  return binary();
}
