// Mojibake repair: text that was UTF-8, decoded as a single-byte code page (Windows-1252,
// Latin-1, Windows-1250/1251/1257, ISO-8859-2, MacRoman, CP437 ...), sometimes twice.
//
// Approach (the same idea as python-ftfy's fix_encoding, implemented independently):
//   1. Cheap exits: pure ASCII, or nothing that looks like mojibake (one regex pass).
//   2. Whole text: re-encode it with each candidate code page and decode the bytes as
//      UTF-8 (also CESU-8 surrogate pairs; non-breaking spaces that became plain spaces;
//      bytes lost as "?" or U+FFFD become one U+FFFD). Keep the result that is valid and
//      looks least like mojibake, only if it looks less like mojibake than the input.
//      Repeat, because text can be mis-decoded more than once.
//   3. Otherwise, inconsistent mojibake: find maximal runs of Windows-1252/Latin-1
//      characters shaped like UTF-8 sequences and repair each run on its own where the
//      neighbourhood becomes more plausible.
//   4. C1 control characters left over (U+0080-U+009F, which no real text uses) are
//      Windows-1252 bytes decoded as Latin-1: map them to their Windows-1252 characters.
import iconv from 'iconv-lite';

type Table = { name: string; toChar: string[]; toByte: Map<number, number> };

/** Byte marker for a character that was already lost (U+FFFD) before the text was re-encoded. */
const LOST = 0x1a;

function makeTable(name: string, sloppy: boolean): Table {
  const toChar: string[] = [];
  const toByte = new Map<number, number>();
  for (let b = 0; b < 256; b++) {
    let ch = b < 0x80 ? String.fromCharCode(b) : iconv.decode(Buffer.from([b]), name);
    // "Sloppy" code pages: bytes the code page leaves undefined decode to the Latin-1
    // character (C1 controls), which is what many real decoders did.
    if (ch === '\ufffd' || ch.length !== 1) ch = sloppy ? String.fromCharCode(b) : '';
    toChar.push(ch);
    if (ch) toByte.set(ch.charCodeAt(0), b);
  }
  toByte.set(0xfffd, LOST);
  return { name, toChar, toByte };
}

// Order matters only to break ties between equally plausible results.
const TABLES: Table[] = [
  makeTable('latin1', false),
  makeTable('windows-1252', true),
  makeTable('windows-1251', true),
  makeTable('windows-1250', true),
  makeTable('iso-8859-2', false),
  makeTable('macintosh', false),
  makeTable('cp437', false),
  makeTable('windows-1253', true),
  makeTable('windows-1254', true),
  makeTable('windows-1257', true),
];
const T1252 = TABLES[1]!;
const T1251 = TABLES[2]!;
const T1250 = TABLES[3]!;
const TMAC = TABLES[5]!;

function charsFor(tables: Table[], from: number, to: number, keep: (c: string) => boolean = () => true): string {
  const set = new Set<string>();
  for (const t of tables) for (let b = from; b <= to; b++) {
    const c = t.toChar[b];
    if (c && keep(c)) set.add(c);
  }
  return [...set].map((c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')).join('');
}

const isLetter = (c: string) => /\p{L}/u.test(c);
// Continuation bytes 0x80-0xBF as Windows-1252 or Latin-1 characters.
const CONT = `[\\u0080-\\u00bf${charsFor([T1252], 0x80, 0xbf)}]`;
// Continuation images that are letters as well, in 1252 or 1250 (Š, Ś, ž ...).
const CONT_ANY = `[\\u0080-\\u00bf${charsFor([T1252, T1250, TABLES[4]!], 0x80, 0xbf)}]`;
// Continuation images that are symbols or punctuation, not letters, in the Latin code pages.
const CONT_SYM = `[${charsFor([TABLES[0]!, T1252, T1250, TABLES[4]!, TABLES[9]!], 0x80, 0xbf, (c) => !isLetter(c))}]`;
// Lead bytes of 2-byte sequences (0xC2-0xDF) in the Latin and Greek code pages: Â Ã Ä ... ß, Ă Ĺ, Î ...
const LEAD2 = `[${charsFor([TABLES[0]!, T1250, TABLES[4]!, TABLES[9]!, TABLES[8]!], 0xc2, 0xdf)}\\u00ce]`;
// Windows-1251 continuation images that Russian/Ukrainian text itself does not use after Р/С/Г/В.
const CYR_CONT = `[${charsFor([T1251], 0x80, 0xbf, (c) => !/[«»–—…“”„‘’•№\u00a0·ІіЇїЁёЄє]/.test(c))}]`;
const MAC_CONT = `[${charsFor([TMAC], 0x80, 0xbf)}]`;

// Each match is one piece of evidence of mojibake. Weights: 2 = nearly certain.
// The last group scores what a wrong repair produces, so that a "repair" into an
// implausible text does not look like an improvement.
const LATIN = 'A-Za-z\\u00c0-\\u024f';
const WEIRD: Array<[RegExp, number]> = [
  [/[\u0080-\u009f]/g, 1], // C1 controls: a Windows-1252 byte read as Latin-1
  [new RegExp(`[ÂÃ]${CONT_ANY}`, 'g'), 2], // "Ã©", "Â£", "Ã\u00a0"
  [new RegExp(`Ă(?![\u00a0™›»”’])${CONT_ANY}`, 'g'), 2], // "Ă©" (Windows-1250), not Romanian "DATĂ™"
  // "Ä±r", "Î³c", "×‘×" mid-word; not ’ ("JOSÉ’s"), no-break space or currency signs
  [new RegExp(`${LEAD2}(?![’\u00a0£¢¥€])${CONT_SYM}(?=[\\p{L}\\p{M}]|×)`, 'gu'), 1],
  [new RegExp(`${LEAD2}[¶§¦¤¨¯¸¹²³]`, 'g'), 1], // "Ì¶", "Å³": a letter then a symbol no text puts there
  // 3-byte sequences: "â€™", "âœ”", "ï¼Œ", "í\u00a0½", Thai/Indic "à¸‡", Vietnamese "áº¡"
  [new RegExp(`(?:[\u00e2-\u00ef]${CONT}|à[\u00a0-\u00bf]|á[º»¸¹])${CONT}`, 'g'), 2],
  [/ð[Ÿ\u009f]/g, 2], // emoji: "ðŸ˜€"
  [/â€|вЂ|ā€|β€/g, 2], // U+2000-block punctuation through 1252/1250, 1251, 1257, 1253
  [new RegExp(`[РСГВ]${CYR_CONT}`, 'g'), 2], // Windows-1251: "Рѕ", "СЂ", "Г©", "ВЈ"
  // MacRoman: "√©", "ƒÅ", "≈°", "◊ë", "‚Ä¶", "‚àö" (not "√π" or "∆°", which are maths)
  [new RegExp(`√(?![π∞Ω∑∏∫])${MAC_CONT}|[ƒ≈◊ÿŸ](?![π∞Ω∑∏∫])${MAC_CONT}|‚Ä|‚[àâó][^\\s\\x00-\\x7f]`, 'g'), 2],
  [/[\u2500-\u259f][^\u2500-\u259f\s\x00-\x7f]/g, 1], // CP437: box drawing glued to letters
  [/(?:^|[a-z]\s?)[ÃÂ] /g, 1], // "Ã " for "à" whose no-break space became a space
  [/Ä[ÆØ]/g, 1], // Windows-1257 "į"
  // implausible results: a Latin letter glued to Cyrillic, IPA, Armenian, Hebrew, Arabic,
  // Syriac ..., CJK or Hangul; a combining mark after a space
  [new RegExp(`[A-Za-z][\\u0400-\\u052f]|[\\u0400-\\u052f][A-Za-z]`, 'g'), 1],
  [new RegExp(`[${LATIN}][\\u0250-\\u02af\\u0530-\\u08ff]|[\\u0250-\\u02af\\u0530-\\u08ff][${LATIN}]`, 'g'), 1],
  [new RegExp(`[${LATIN}][\\u1100-\\u11ff\\u3000-\\u9fff\\uac00-\\ud7af]|[\\u1100-\\u11ff\\u3040-\\u9fff\\uac00-\\ud7af][${LATIN}]`, 'g'), 2],
  [/(?:^|\s)\p{M}/gu, 1],
];

// Fast pre-check: any character that can take part in the patterns above.
const SUSPECT = /[\u0080-\u00ff\u0100-\u017f\u0391-\u03c9\u0400-\u045f\u2013-\u203a\u20ac\u2122\u221a\u2248\u2500-\u259f\ufffd]/;

/** How much a text looks like mojibake (0 = not at all). */
export function mojibakeScore(text: string): number {
  let score = 0;
  for (const [re, w] of WEIRD) {
    re.lastIndex = 0;
    const m = text.match(re);
    if (m) score += w * m.length;
  }
  return score;
}

function encode(text: string, t: Table): Uint8Array | null {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const b = c < 0x80 ? c : t.toByte.get(c);
    if (b === undefined) return null;
    out[i] = b;
  }
  return out;
}

function seqLen(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}
const isCont = (b: number | undefined) => b !== undefined && b >= 0x80 && b <= 0xbf;

/**
 * A no-break space (0xA0) often became a plain space somewhere along the way. Put it back
 * where a continuation byte is needed. "Ã " is usually "à" followed by a space whose own
 * space was merged away ("Ã perturber" = "à perturber"), except before "s " ("às") and
 * "quele/quela/quilo" ("àquele").
 */
function restoreNbsp(bytes: Uint8Array, after: string, twoByteLeads: number[]): Uint8Array {
  if (!bytes.includes(0x20)) return bytes;
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const n = seqLen(b);
    if (n === 2 && b === 0xc3 && bytes[i + 1] === 0x20) {
      let rest = '';
      for (let j = i + 2; j < Math.min(bytes.length, i + 8); j++) rest += String.fromCharCode(bytes[j]!);
      if (i + 2 >= bytes.length) rest += after.slice(0, 6);
      out.push(0xc3, 0xa0);
      if (!/^(?: |quele|quela|quilo|s |$)/.test(rest)) out.push(0x20);
      i += 1;
      continue;
    }
    if (n > 2 || (n === 2 && twoByteLeads.includes(b))) {
      let ok = true;
      let spaces = 0;
      for (let k = 1; k < n; k++) {
        const c = bytes[i + k];
        if (c === 0x20) spaces++;
        else if (!isCont(c)) ok = false;
      }
      if (ok && spaces > 0) {
        out.push(b);
        for (let k = 1; k < n; k++) out.push(bytes[i + k] === 0x20 ? 0xa0 : bytes[i + k]!);
        i += n - 1;
        continue;
      }
    }
    out.push(b);
  }
  return Uint8Array.from(out);
}

/**
 * Strict UTF-8 decoding that also accepts CESU-8 (surrogate pairs encoded separately,
 * as Java and old MySQL did). With `lossy`, a sequence whose missing bytes were replaced
 * by "?" or U+FFFD before re-encoding becomes one U+FFFD. Returns null when invalid.
 */
function decodeUtf8(bytes: Uint8Array, lossy: boolean): string | null {
  let out = '';
  let multibyte = 0;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out += b === LOST ? '\ufffd' : String.fromCharCode(b);
      i++;
      continue;
    }
    const n = seqLen(b);
    if (n === 0) return null;
    let valid = i + n <= bytes.length;
    for (let k = 1; valid && k < n; k++) if (!isCont(bytes[i + k])) valid = false;
    if (valid) {
      const b1 = bytes[i + 1]!;
      if ((b === 0xe0 && b1 < 0xa0) || (b === 0xf0 && b1 < 0x90) || (b === 0xf4 && b1 > 0x8f)) return null;
      let cp = n === 2 ? b & 0x1f : n === 3 ? b & 0x0f : b & 0x07;
      for (let k = 1; k < n; k++) cp = (cp << 6) | (bytes[i + k]! & 0x3f);
      if (cp >= 0xd800 && cp <= 0xdfff) {
        // CESU-8: a high surrogate must be followed by an encoded low surrogate.
        const b3 = bytes[i + 3], b4 = bytes[i + 4], b5 = bytes[i + 5];
        if (cp > 0xdbff || b3 !== 0xed || b4 === undefined || b4 < 0xb0 || b4 > 0xbf || !isCont(b5)) return null;
        const lo = 0xdc00 | ((b4 & 0x0f) << 6) | (b5! & 0x3f);
        out += String.fromCharCode(cp, lo);
        i += 6;
      } else {
        out += String.fromCodePoint(cp);
        i += n;
      }
      multibyte++;
      continue;
    }
    if (lossy && i + n <= bytes.length) {
      let lost = 0;
      let ok = true;
      for (let k = 1; k < n; k++) {
        const c = bytes[i + k]!;
        if (c === LOST || c === 0x3f) lost++;
        else if (!isCont(c)) ok = false;
      }
      if (ok && lost > 0) {
        out += '\ufffd';
        i += n;
        multibyte++;
        continue;
      }
    }
    return null;
  }
  return multibyte > 0 ? out : null;
}

function reinterpret(text: string, t: Table, after = ''): string | null {
  const raw = encode(text, t);
  if (!raw) return null;
  // Â, Ã, Å (Š) and Windows-1251 Г, В; not Windows-1251 Е (0xC5), which ends real words.
  const bytes = restoreNbsp(raw, after, t === T1251 ? [0xc2, 0xc3] : [0xc2, 0xc3, 0xc5]);
  return decodeUtf8(bytes, false) ?? (bytes.includes(LOST) || bytes.includes(0x3f) ? decodeUtf8(bytes, true) : null);
}

/**
 * One whole-text step: the least mojibake-looking valid reinterpretation, if better.
 * A layer of a multiply mis-decoded text may look no better than the one above it
 * ("‚àö¬©" -> "√©" -> "é"), so an equally bad result is taken when the next layer
 * down is better.
 */
function wholeTextStep(text: string, score: number, lookahead = true): string | null {
  let best: string | null = null;
  let bestScore = score;
  let tie: string | null = null;
  for (const t of TABLES) {
    const fixed = reinterpret(text, t);
    if (fixed === null || fixed === text) continue;
    const s = mojibakeScore(fixed);
    if (s < bestScore) {
      best = fixed;
      bestScore = s;
    } else if (s === score && tie === null && lookahead && wholeTextStep(fixed, s, false) !== null) {
      tie = fixed;
    }
  }
  return best ?? tie;
}

// Maximal runs of Windows-1252/Latin-1 characters shaped like UTF-8 multibyte sequences
// (a space may stand for a lost no-break space). Not right after a U+0080-U+00BF character
// or a lead + continuation pair, so a few pieces inside a hopeless garble are left alone.
const SEQ = `(?:[\\u00c2-\\u00df](?:${CONT}| )|[\\u00e0-\\u00ef](?:${CONT}| ){2}|[\\u00f0-\\u00f4](?:${CONT}| ){3})`;
const RUN_RE = new RegExp(`(?<![\\u0080-\\u00bf]|[\\u00c2-\\u00f4]${CONT})${SEQ}+`, 'g');

function partialStep(text: string): string {
  return text.replace(RUN_RE, (run: string, offset: number) => {
    const after = text.slice(offset + run.length, offset + run.length + 6);
    const fixed = reinterpret(run, T1252, after) ?? reinterpret(run, TABLES[0]!, after);
    if (fixed === null || fixed === run) return run;
    const before = text.slice(Math.max(0, offset - 3), offset);
    const ctxAfter = after.slice(0, 3);
    const old = mojibakeScore(before + run + ctxAfter);
    const now = mojibakeScore(before + fixed + ctxAfter);
    return now < old ? fixed : run;
  });
}

function fixC1(text: string): string {
  return text.replace(/[\u0080-\u009f]/g, (c) => T1252.toChar[c.charCodeAt(0)] ?? c);
}

function repairLine(line: string): string {
  if (!SUSPECT.test(line)) return line;
  let current = line;
  for (let pass = 0; pass < 6; pass++) {
    const score = mojibakeScore(current);
    if (score === 0) break;
    const whole = wholeTextStep(current, score);
    if (whole !== null) {
      current = whole;
      continue;
    }
    const partial = partialStep(current);
    if (partial !== current && mojibakeScore(partial) < score) {
      current = partial;
      continue;
    }
    break;
  }
  if (/[\u0080-\u009f]/.test(current)) current = fixC1(current);
  return current;
}

/**
 * Repairs UTF-8 text that was decoded with a single-byte code page (once or several times),
 * e.g. "â€™" -> "’", "Ã©" -> "é", "Ã\u00a0" -> "à". Each line is judged on its own, as one
 * document can hold text that went through different mix-ups. Text that does not look like
 * mojibake is returned unchanged, and cheaply (one regex test for plain text).
 */
export function repairMojibake(text: string): { text: string; repaired: boolean } {
  if (!SUSPECT.test(text)) return { text, repaired: false };
  const fixed = text.includes('\n') ? text.split('\n').map(repairLine).join('\n') : repairLine(text);
  return { text: fixed, repaired: fixed !== text };
}
