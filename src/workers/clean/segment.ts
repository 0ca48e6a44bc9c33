// Splitting cleaned text into messages (one per non-empty line, long lines cut at sentence
// or word boundaries) and guessing each message's kind from its shape and its neighbours.
import type { SegmentKind } from '../../shared/schemas.js';

export interface Span {
  start: number;
  end: number;
}

/** Where to cut a line longer than `max`: after the last sentence end, else the last space. */
function cutPoint(text: string, from: number, max: number): number {
  const hard = from + max;
  const window = text.slice(from + Math.floor(max / 2), hard);
  const base = from + Math.floor(max / 2);
  let best = -1;
  const sentence = /[.!?。！？…]["'”’)\]]*\s/g;
  for (let m = sentence.exec(window); m; m = sentence.exec(window)) best = base + m.index + m[0].length - 1;
  if (best === -1) {
    const sp = window.lastIndexOf(' ');
    if (sp !== -1) best = base + sp;
  }
  if (best === -1) {
    best = hard;
    // Never between the two halves of a surrogate pair.
    const c = text.charCodeAt(best);
    if (c >= 0xdc00 && c <= 0xdfff) best--;
  }
  return best;
}

/**
 * Offsets of the messages of `text` (already normalised: "\n" line ends, trimmed lines):
 * one per non-empty line, a line longer than `maxLineLength` in several pieces.
 */
export function splitSegments(text: string, maxLineLength: number): { spans: Span[]; linesSplit: boolean } {
  const spans: Span[] = [];
  let linesSplit = false;
  let pos = 0;
  const n = text.length;
  while (pos <= n) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = n;
    let start = pos;
    while (eol - start > maxLineLength) {
      linesSplit = true;
      const cut = cutPoint(text, start, maxLineLength);
      let end = cut;
      while (end > start && text.charCodeAt(end - 1) === 32) end--;
      if (end > start) spans.push({ start, end });
      start = cut;
      while (start < eol && text.charCodeAt(start) === 32) start++;
    }
    if (eol > start) spans.push({ start, end: eol });
    pos = eol + 1;
  }
  return { spans, linesSplit };
}

// ------------------------------------------------------------------------------ kinds

const OPEN_QUOTES = '"“„«‘‚‹「『\'';
const CLOSE_QUOTES = '"”»’›」』\'';
const TRAILING_PUNCT = ' \t.,;:!?…)]';

const PRONOUNS = new Set(['i', 'we', 'our', 'us', 'ours', 'you', 'your', 'yours', 'my', 'me', 'mine']);
const AUXILIARIES = new Set([
  'have', 'has', 'had', 'will', 'would', 'should', 'must', 'can', 'could', 'may', 'might', 'shall', 'cannot',
  'do', 'does', 'did', 'is', 'are', 'was', 'were', "don't", "doesn't", "didn't", "isn't", "aren't", "won't",
]);
const DISCOURSE_START = new Set([
  'this', 'these', 'that', 'those', 'it', 'its', 'there', 'but', 'and', 'or', 'so', 'however', 'as', 'just',
  'yet', 'if', 'when', 'while', 'because', 'although', 'indeed', 'thus', 'therefore', 'also', 'since', 'he',
  'she', 'they', 'his', 'her', 'their', 'on', 'in', 'for', 'to', 'let', 'today', 'now', 'here',
]);
const WH_WORDS = new Set(['why', 'how', 'what', 'when', 'where', 'who', 'which']);
/** Words that are lower-case inside a title-cased heading. */
const MINOR = new Set([
  'a', 'an', 'the', 'and', 'or', 'but', 'nor', 'of', 'in', 'on', 'at', 'to', 'for', 'by', 'with', 'from',
  'as', 'into', 'is', 'are', 'vs', 'via', 'de', 'la', 'du', 'des', 'van', 'von', 'der', 'da', 'del', 'y', 'e',
]);
/** Words ending in -ing that are rarely a verb form. */
const ING_NOUNS = new Set([
  'during', 'nothing', 'something', 'anything', 'everything', 'thing', 'things', 'king', 'ring', 'spring',
  'string', 'morning', 'evening', 'building', 'meeting', 'briefing', 'wing', 'sing', 'bring', 'being',
  'ceiling', 'beijing', 'funding', 'training', 'understanding', 'wellbeing', 'bing', 'ping', 'sibling',
]);
const NUMBER_WORDS = new Set('two three four five six seven eight nine ten eleven twelve twenty fifty hundred many several some few top key'.split(' '));
/** A photo credit inside or at the end of a line: the line is a picture's caption. */
const INLINE_CREDIT = /(?:\bphoto|\bimage|\bpicture|\bcredit)\s*[:/©]\s*\S|©\s*\S/iu;
const CREDIT = /^\(?(?:photo(?:graph)?s?|image|picture|video|credit|credits|source|illustration|caption|courtesy|foto|crédit|fuente|quelle|by|par|por|von|text|words|written by|posted by|published by|reporting by|edited by|reported by)\b\s*[:：©|/-]?\s*\S/iu;
const BY_NAME = /^(?:by|par|por|von|di|door|af|av)\s+\p{Lu}/u;
const DASH_ATTRIBUTION = /^[-–—―~]\s*\p{Lu}/u;
const MONTH_NAME = '(?:[Jj]an|[Ff]eb|[Mm]ar|[Aa]pr|[Mm]ay|[Jj]un|[Jj]ul|[Aa]ug|[Ss]ep|[Oo]ct|[Nn]ov|[Dd]ec|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)';
/** "GENEVA, 3 March 2021", "NEW YORK (UN News) — March 3": a place in capitals and a date. */
const DATELINE = new RegExp(`^\\p{Lu}[\\p{Lu} .'-]{2,40}(?:\\s*\\([^)]{1,40}\\))?\\s*[,–—-]\\s*(?:\\d{1,2}\\s+${MONTH_NAME}|${MONTH_NAME}\\p{L}*\\.?\\s+\\d)`, 'u');
const MONTH = '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const DATE_ONLY = new RegExp(
  `^(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\\s*)?(?:\\d{1,2}\\s+${MONTH},?\\s+\\d{4}|${MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}|${MONTH}\\s+\\d{4}|\\d{4}-\\d{2}-\\d{2}(?:[t ]\\d{2}:\\d{2}(?::\\d{2})?)?|\\d{1,2}[./]\\d{1,2}[./]\\d{2,4})$`,
  'iu',
);
const TIMESTAMP = /^\[?\(?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?\)?\]?(?:\s*(?:-->|–|-|—)\s*\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)?(?:\s+(?:position|align|line|size):\S+)*$/u;
const URL = /^<?(?:https?:\/\/|ftp:\/\/|www\.)\S+$/iu;
const EMAIL = /^<?[^\s@<>]+@[^\s@<>]+\.[^\s@<>.]+>?$/u;

const PICTURE_LABEL = /^\(?(?:photo(?:graph)?|image|picture|caption|photo caption)\s*:/iu;
const STAMP = /^(?:Published|Updated|Posted|Dated|Date|Last updated|First published|As of|As at)\b:?\s+(?:on\s+|at\s+)?[\p{N}\p{Lu}]/u;
/** a line that is a contact: an e-mail address or a phone number in a few words */
// (phone numbers: an international prefix, or the North American shapes "(617) 555-0100",
// "617-555-0100"; looser shapes took "Budget 2024-2025 1500 new jobs" for one)
const CONTACT = /[^\s@<>]+@[^\s@<>]+\.\p{L}{2,}|\+\d[\d ().-]{7,18}\d|\(\d{3}\) ?\d{3}[ .-]\d{4}\b|\b\d{3}([.-])\d{3}\1\d{4}\b/u;

/** a speaker's label in capitals (or Q/A) before what they said */
const SPEAKER_TURN = /^(?:(?:DR|MR|MRS|MS|PROF|SEN|REP|GOV)\.? )?(?:\p{Lu}[\p{Lu}'’-]+(?: \p{Lu}[\p{Lu}'’-]+){0,3}|Q|A):\s+\S/u;
const ABOUT = /^About\s+\p{Lu}[^.!?]*(?:\b(?:Inc|Corp|Ltd|Co|S\.A|N\.V|plc)\.?)?$/u;

/** "Tallinn, 12 November 2024", "World Health Summit, Berlin, October 14, 2024": where and when. */
function placeAndDate(line: string): boolean {
  if (line.length > 100) return false;
  for (let at = line.indexOf(', '); at !== -1; at = line.indexOf(', ', at + 2)) {
    const head = line.slice(0, at);
    // (a place is capitalised: "He was born in Lima, 12 November 1950" is a sentence)
    const ws = words(head);
    if (DATE_ONLY.test(line.slice(at + 2)) && ws.length <= 8 && !/[.!?;:]/u.test(head) && ws.every((w) => /^[\p{Lu}\p{N}]/u.test(w) || MINOR.has(w.toLowerCase()))) return true;
  }
  return false;
}

/** Only URLs or e-mail addresses, separated by spaces. */
function urlsOnly(line: string): boolean {
  return line.split(' ').every((t) => URL.test(t) || EMAIL.test(t));
}

/** the forms of address that open a speech */
const SALUTATION =
  /^(?:(?:mr|mrs|ms|madam|madame|mister|monsieur)\.?\s+(?:president|vice-president|chair(?:man|woman|person)?|co-chairs?|secretary-general|secretary general|secretary|speaker|moderator|minister|prime minister)\b|(?:your|their|his|her)\s+(?:excellency|excellencies|majesty|majesties|highness|royal highness|holiness)\b|excellenc(?:y|ies)\b|(?:distinguished|honou?rable|esteemed|dear)\s+(?:delegates?|guests?|participants?|colleagues?|friends?|members?|representatives?|ministers?|heads?|ladies|excellencies|panellists?|panelists?)\b|ladies and gentlemen\b|heads of state\b)/iu;
/** the label that opens a contact block */
const CONTACT_LABEL = /^(?:(?:media|press|investor|news|public)\s+)?(?:contacts?|relations|inquiries|enquiries)\s*:?$|^media\s*:$|^(?:for (?:more|further) information|media contact|press contact)[^.]{0,40}:$/iu;
const PAGE_FURNITURE =
  /^(?:(?:share|share this(?: article| story| page)?|share on \w+|tweet|print|email this|related(?: articles| stories| links| content)?|read more|see also|more on this|advertisement|sponsored|skip to (?:main )?content|back to top|subscribe(?: now)?|sign up|log ?in|menu|search)\s*[:.!]?\s*(?:$|[:|])|(?:read more|see also|related)\s*:|(?:©|\(c\)|copyright)\s*(?:\d{4}|[\p{L}])|.*\ball rights reserved\b|(?:this (?:web)?site|we) uses? cookies\b|.*\b(?:accept (?:all )?cookies|cookie (?:policy|settings|preferences))\b|follow us on\b|(?:ends|end|-+ ?30 ?-+|# ?# ?#)\.?$)/iu;

function isOther(line: string): boolean {
  if (line.length > 300) return false;
  if (!/[\p{L}\p{N}]/u.test(line)) return true; // only punctuation or symbols: "***", "---", "• •"
  if (/^[\d\s.,:#/()+-]+$/u.test(line) && !DATE_ONLY.test(line)) return true; // cue numbers, counters, phone numbers
  if (TIMESTAMP.test(line)) return true;
  if (urlsOnly(line)) return true;
  if (/^(?:#[\p{L}\p{N}_]+\s*)+$/u.test(line)) return true; // a row of hashtags
  if (/^[[(][\p{Lu}\p{N} .'’-]{2,40}[\])]$/u.test(line)) return true; // a stage direction: "[APPLAUSE]", "(END OF TRANSCRIPT)"
  // "Media Contact: Dana Kowalski, press@northwind.com", "In Geneva, Olga Mur, +41 79 200 76 17"
  if (line.length <= 160 && !/[.!?]$/u.test(line) && CONTACT.test(line) && words(line).length <= 16) return true;
  // a speech's salutation: "Mr. President,", "Excellencies,", "Distinguished delegates, Ladies
  // and Gentlemen.", "Your Excellency Ambassador Volkan Bozkir, President of the General Assembly;"
  if (line.length <= 200 && words(line).length <= 20 && SALUTATION.test(line) && !/\b(?:is|are|was|were|have|has|will|must|can|let|thank|welcome)\b/iu.test(line)) return true;
  // a breadcrumb ("WHO Africa › News › Press releases") or a document symbol ("SC/15890", "A/RES/78/1")
  if (line.length <= 120 && /\s[›»>]\s/u.test(line) && line.split(/\s[›»>]\s/u).every((c) => words(c).length <= 5)) return true;
  if (/^[A-Z]{1,6}(?:\/[A-Z0-9.]+)+(?:\/\d+)*$/.test(line.trim())) return true;
  // page furniture and press-release markers: "Share this:", "Read more:", "© 2024 The Ledger.
  // All rights reserved.", "We use cookies ...", "Follow us on X", "ENDS", "-30-"
  if (line.length <= 200 && PAGE_FURNITURE.test(line)) return true;
  // "Unsubscribe | Update preferences | View in browser": a row of links
  const cells = line.split('|');
  if (cells.length >= 3 && cells.every((c) => c.trim() !== '' && words(c).length <= 4)) return true;
  return false;
}

function words(line: string): string[] {
  return line.match(/[\p{L}\p{N}][\p{L}\p{M}\p{N}'’.-]*/gu) ?? [];
}

function bare(word: string): string {
  const w = word.toLowerCase();
  return trimEnd(w.endsWith("'s") || w.endsWith('’s') ? w.slice(0, -2) : w, ".’'-");
}

/** "Audrey Azoulay", "António Guterres", "Javier Pérez de Cuéllar": a name and nothing else. */
function isNameOnly(line: string): boolean {
  if (line.length > 40 || /[^\p{L}\p{M}\s.'’-]/u.test(line)) return false;
  const ws = line.split(' ');
  if (ws.length < 2 || ws.length > 4) return false;
  let capitals = 0;
  for (const w of ws) {
    if (/^\p{Lu}[\p{Ll}\p{M}'’]+(?:-\p{Lu}?[\p{Ll}\p{M}]+)?$/u.test(w) || /^\p{Lu}\.$/u.test(w)) capitals++;
    else if (!/^(?:de|da|del|della|di|du|van|von|der|den|la|le|bin|ibn|al|el|dos|das)$/u.test(w)) return false;
  }
  return capitals >= 2 && !MINOR.has(ws[0]!.toLowerCase());
}

const ABBREVIATION = /^(?:mr|mrs|ms|dr|prof|st|sr|jr|gen|col|lt|sgt|rev|hon|no|vol|fig|inc|ltd|co|corp|vs|etc|dept|gov|sen|rep|pres|amb)$/iu;

/** An internal sentence end: ". X" that is not after an initial or a common abbreviation. */
function hasInnerSentenceBreak(line: string): boolean {
  const re = /[.!?]["”’)]*\s+["“‘(]?\p{Lu}/gu;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    // The word before the mark, read backwards at most 8 characters: abbreviations are short.
    let k = m.index;
    while (k > 0 && m.index - k <= 8 && /[\p{L}\p{N}]/u.test(line[k - 1]!)) k--;
    const before = line.slice(k, m.index);
    if (before.length <= 1) continue; // "J. Smith", "U.S. Army"
    if (before.length <= 5 && ABBREVIATION.test(before)) continue;
    return true;
  }
  return false;
}

/** `text` without the characters of `chars` at its end (a loop: no regex backtracking). */
function trimEnd(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1]!)) end--;
  return text.slice(0, end);
}

const enum QuoteShape {
  None,
  /** opens and closes on this line, with nothing after the close but punctuation */
  Whole,
  /** opens at the start and does not close on this line */
  Opens,
  /** closes at the end and never opened on this line */
  Closes,
}

function quoteShape(line: string): QuoteShape {
  const body = trimEnd(line, TRAILING_PUNCT);
  const first = line[0] ?? '';
  const lastCh = body[body.length - 1] ?? '';
  const startsOpen = OPEN_QUOTES.includes(first);
  const endsClose = body.length > 1 && CLOSE_QUOTES.includes(lastCh);
  if (startsOpen && first !== "'" && first !== '‘') {
    // Double or guillemet quotes: the first closing mark decides.
    const closer = first === '"' ? '"' : first === '«' ? '»' : first === '„' ? '“' : first === '「' ? '」' : first === '『' ? '』' : '”';
    const rest = line.slice(1);
    const at = first === '„' ? Math.max(rest.indexOf('“'), rest.indexOf('”')) : rest.indexOf(closer);
    if (at === -1) return QuoteShape.Opens;
    return at + 1 === body.length - 1 ? QuoteShape.Whole : QuoteShape.None;
  }
  if (startsOpen) {
    // Single quotes: apostrophes make the inner marks useless, use only both ends.
    return endsClose && (lastCh === '’' || lastCh === "'") ? QuoteShape.Whole : QuoteShape.None;
  }
  if (endsClose && lastCh !== "'" && lastCh !== '’') {
    const opener = lastCh === '"' ? '"' : lastCh === '»' ? '«' : lastCh === '」' ? '「' : '“';
    const inner = body.slice(0, -1);
    if (opener === '"' ? !inner.includes('"') : !inner.includes(opener) && !inner.includes('„')) return QuoteShape.Closes;
  }
  return QuoteShape.None;
}

interface Features {
  text: string;
  words: string[];
  lower: string[];
  terminal: string;
  sentenceBreak: boolean;
}

function features(text: string): Features {
  const ws = words(text);
  const stripped = trimEnd(text, `"'”’»)]`);
  return {
    text,
    words: ws,
    lower: ws.map(bare),
    terminal: stripped[stripped.length - 1] ?? '',
    sentenceBreak: hasInnerSentenceBreak(text),
  };
}

/** "girls cheering", "Trygve Lie addresses the …": a participle or a verb after a name. */
function looksDescriptive(f: Features): boolean {
  for (let k = 0; k < f.words.length; k++) {
    const w = f.words[k]!;
    const lw = f.lower[k]!;
    if (/^\p{Ll}[\p{Ll}]{2,}ing$/u.test(w) && !ING_NOUNS.has(lw)) return true;
    const prev = f.words[k - 1] ?? '';
    if (k > 0 && /^\p{Ll}{3,}s$/u.test(w) && !/ss$|ous$|ics$|us$|is$/u.test(w) && /^\p{Lu}/u.test(prev) && !MINOR.has(lw) && !NUMBER_WORDS.has(prev.toLowerCase())) {
      return true;
    }
  }
  return false;
}

function titleCased(f: Features): boolean {
  let content = 0;
  let capital = 0;
  f.words.forEach((w, k) => {
    if (k > 0 && MINOR.has(f.lower[k]!)) return;
    content++;
    if (/^[\p{Lu}\p{N}]/u.test(w)) capital++;
  });
  return content > 0 && capital / content >= 0.75;
}

/** No first/second person, no auxiliary, no discourse opener: reads like a picture's caption. */
function plainDescription(f: Features): boolean {
  if (f.lower.some((w) => PRONOUNS.has(w) || AUXILIARIES.has(w))) return false;
  return !DISCOURSE_START.has(f.lower[0] ?? '');
}

/** A short line's kind from the line alone (null: leave it to the paragraph rules). */
function shortLineKind(f: Features, english: boolean): SegmentKind | null {
  const n = f.words.length;
  if (n === 0 || n > 45 || f.text.length > 300) return null;
  if (INLINE_CREDIT.test(f.text)) return 'caption';
  if (n > 30 || f.text.length > 220 || f.sentenceBreak) return null;
  const first = f.text.match(/\p{L}/u)?.[0] ?? '';
  const lowerStart = first !== '' && first === first.toLowerCase() && first !== first.toUpperCase();
  const sentenceEnd = /[.!?…。！？]/u.test(f.terminal);
  if (!sentenceEnd && !/[,;:]/u.test(f.terminal)) {
    if (lowerStart) return n <= 15 ? 'caption' : null;
    if (n <= 12) {
      if (english && looksDescriptive(f)) return 'caption';
      if (english && WH_WORDS.has(f.lower[0] ?? '')) return 'heading';
      if (english && f.lower.some((w) => PRONOUNS.has(w))) return null;
      if (titleCased(f) || n <= 6) return 'heading';
      return english && plainDescription(f) ? 'caption' : null;
    }
    return english && plainDescription(f) ? 'caption' : null;
  }
  if (english && sentenceCaption(f)) return 'caption';
  // "Media Contact:", "Key Facts:": a short label in title case
  // (not a salutation: "Mr. President, Excellencies, Ladies and Gentlemen:")
  if (f.terminal === ':' && n <= 4 && !f.text.includes(',') && titleCased(f)) return 'heading';
  return null;
}

/** Verbs of reported news: a sentence that holds one is a news paragraph, not a caption. */
const REPORTING = /\b(?:said|says|told|tells|according to|announced|announces|added|reported|stated|confirmed|warned)\b/iu;

/**
 * A single short sentence reads as a picture's caption ("A farmer inspects his dried-out field
 * near Nairobi.") only where the word lists can tell; a news story's one-sentence paragraphs
 * report (said, told, announced) and run on one after another (see classifySegments).
 */
function sentenceCaption(f: Features): boolean {
  return f.terminal === '.' && !f.sentenceBreak && f.words.length >= 3 && f.words.length <= 25 && plainDescription(f) && !REPORTING.test(f.text);
}

/**
 * Kind of each message: heading, caption, byline, quote, paragraph or other. Line shape
 * first (other, byline patterns, quotes, short lines), then neighbours: a line after a
 * quote that is short and unpunctuated is its attribution, and a bare name that closes a
 * block (last line, or followed by a heading) is a byline.
 */
export interface ClassifyContext {
  /** ISO 639-1 language of the document: the word-list rules are for English only. */
  language?: string;
  /** per segment: an empty line (or the start of the text) comes before it */
  blankBefore?: readonly boolean[];
  /** kinds the markup gave lines, by their text with spaces collapsed (html.ts kindHints) */
  hints?: ReadonlyMap<string, SegmentKind>;
}

/** Ends like the end of a sentence (or of a heading/caption that stands alone). */
function endsClosed(line: string): boolean {
  return /[.!?…:;。！？"”’»)\]]$/u.test(line);
}

function startsLower(line: string): boolean {
  const first = line.match(/\p{L}/u)?.[0] ?? '';
  return first !== '' && first === first.toLowerCase() && first !== first.toUpperCase() && /^[\p{L}\p{M}"“‘'(]/u.test(line);
}

export function classifySegments(texts: readonly string[], context: ClassifyContext = {}): SegmentKind[] {
  const english = (context.language ?? 'en') === 'en' || context.language === 'und';
  const blankBefore = context.blankBefore;
  const kinds: SegmentKind[] = new Array<SegmentKind>(texts.length).fill('paragraph');
  const feats: (Features | null)[] = new Array<Features | null>(texts.length).fill(null);
  // Multi-line quotations: a line that opens a quote which closes at the end of a later
  // line (within a few lines, none of which has quote marks of its own) makes them all quotes.
  const MAX_QUOTE_LINES = 12;
  for (let i = 0; i < texts.length; i++) {
    const line = texts[i]!;
    const hint = context.hints?.size ? context.hints.get(line.replace(/\s+/g, ' ')) : undefined;
    if (hint) {
      kinds[i] = hint;
      continue;
    }
    if (isOther(line)) {
      kinds[i] = 'other';
      continue;
    }
    // "About Acme Robotics, Inc.": the heading of a press release's boilerplate
    if (ABOUT.test(line) && words(line).length <= 8) {
      kinds[i] = 'heading';
      continue;
    }
    // "Photo: A refugee carries water near Adre. © UNHCR/Ying Hu": a described picture, credit and all
    if (PICTURE_LABEL.test(line) && words(line).length > 8) {
      kinds[i] = 'caption';
      continue;
    }
    // "Published 6:45 p.m. ET Oct. 14, 2024", "Dated: March 3, 2025"
    if (line.length <= 80 && STAMP.test(line)) {
      kinds[i] = 'byline';
      continue;
    }
    if (line.length <= 200 && (BY_NAME.test(line) || CREDIT.test(line) || DASH_ATTRIBUTION.test(line) || DATE_ONLY.test(line) || placeAndDate(line) || (line.length <= 120 && DATELINE.test(line) && !/[.!?]$/u.test(line)))) {
      // "By Jane Doe", "Photo: UN/Mark Garten", "- United Nations Secretary-General", "3 March 2021"
      if (!(CREDIT.test(line) && /^(?:by|source)\b/i.test(line) && words(line).length > 12)) {
        kinds[i] = 'byline';
        continue;
      }
    }
    const shape = quoteShape(line);
    if (shape === QuoteShape.Whole || shape === QuoteShape.Closes) {
      kinds[i] = 'quote';
      continue;
    }
    if (shape === QuoteShape.Opens) {
      let j = i + 1;
      while (j < texts.length && j - i <= MAX_QUOTE_LINES && quoteShape(texts[j]!) === QuoteShape.None && !/["“”«»]/u.test(texts[j]!)) j++;
      if (j < texts.length && j - i <= MAX_QUOTE_LINES && quoteShape(texts[j]!) === QuoteShape.Closes) {
        for (let k = i; k <= j; k++) kinds[k] = 'quote';
        i = j;
        continue;
      }
    }
    // "MODERATOR: Welcome back.", "Q: What happened next?": a turn of a transcript
    // (not "MOZAMBIQUE: Cabo Delgado Displacement" opening a report: its title)
    if (SPEAKER_TURN.test(line) && !(i === 0 && !/[.!?…]$/u.test(line) && words(line).length <= 12)) {
      kinds[i] = 'paragraph';
      continue;
    }
    const f = features(line);
    feats[i] = f;
    kinds[i] = shortLineKind(f, english) ?? 'paragraph';
  }
  // Two one-sentence lines in a row that read as captions or paragraphs are a story's short
  // paragraphs (wire copy runs one sentence per paragraph). A page's captions alternate with
  // paragraphs of several sentences, or stand alone.
  const sentenceLike = (k: number) => {
    const f = k >= 0 && k < texts.length ? feats[k] : null;
    return !!f && !f.sentenceBreak && /[.!?…]/u.test(f.terminal) && (kinds[k] === 'paragraph' || (kinds[k] === 'caption' && sentenceCaption(f)));
  };
  const prose: number[] = [];
  for (let i = 0; i < texts.length; i++) {
    const f = feats[i];
    if (f && kinds[i] === 'caption' && sentenceCaption(f) && (sentenceLike(i - 1) || sentenceLike(i + 1))) prose.push(i);
  }
  for (const i of prose) kinds[i] = 'paragraph';
  // The first line of a text, unpunctuated and followed by more, is its title.
  // (Not a picture's caption: one with a credit, or in lower case.)
  // (after header lines only: "FOR IMMEDIATE RELEASE", a dateline, a site's name)
  let first = 0;
  const header = (k: number) => kinds[k] === 'heading' && words(texts[k]!).length <= 5 && texts[k] === texts[k]!.toUpperCase();
  while (first < texts.length - 1 && (kinds[first] === 'other' || kinds[first] === 'byline' || header(first))) first++;
  const f0 = feats[first];
  if (texts.length > first + 1 && kinds[first] === 'caption' && f0 && !/[.!?…]/u.test(f0.terminal) && !startsLower(f0.text) && !INLINE_CREDIT.test(f0.text)) {
    kinds[first] = 'heading';
  }
  // A press release's deck: the line right after its title, shaped like a caption but with no
  // credit ("New chip aims to make inference more sustainable; ships in Q3")
  const deck = first + 1;
  const fd = feats[deck];
  // (and a dateline opens the story after it: "AUSTIN, Texas--(BUSINESS WIRE)--", "MIAMI, Oct. 8 –")
  if (kinds[first] === 'heading' && kinds[deck] === 'caption' && fd && deck + 1 < texts.length && /^\p{Lu}[\p{Lu}\p{M} .'’/-]{2,}(?:,|\s*[-–—]|\s*\()/u.test(texts[deck + 1]!) && !startsLower(fd.text) && !INLINE_CREDIT.test(fd.text) && !PICTURE_LABEL.test(fd.text)) {
    kinds[deck] = 'heading';
  }
  // A contact block: "Media contact:" and the short lines after it (names, titles, offices,
  // addresses) up to the next line of prose
  for (let i = 0; i < texts.length; i++) {
    if (!CONTACT_LABEL.test(texts[i]!.trim())) continue;
    kinds[i] = 'other';
    for (let k = i + 1; k < texts.length && words(texts[k]!).length <= 12 && !/[.!?]$/u.test(texts[k]!.trim()); k++) kinds[k] = 'other';
  }
  // Lines that open with the same dash are a list ("- Revenue of $412.5 million"), not attributions.
  for (let i = 0; i < texts.length; i++) {
    if (kinds[i] !== 'byline' || !DASH_ATTRIBUTION.test(texts[i]!)) continue;
    const dash = texts[i]![0];
    if (texts[i - 1]?.[0] === dash || texts[i + 1]?.[0] === dash || /\d/u.test(texts[i]!) || words(texts[i]!).length > 12) kinds[i] = 'paragraph';
  }
  // Hard-wrapped prose: a line that runs on into the next (no closing punctuation here, a
  // lower-case start there, no empty line between) is part of a paragraph, and so is the next.
  for (let i = 1; i < texts.length; i++) {
    if (blankBefore?.[i] ?? false) continue;
    if (endsClosed(texts[i - 1]!) || !startsLower(texts[i]!)) continue;
    for (const k of [i - 1, i]) if (feats[k] && (kinds[k] === 'caption' || kinds[k] === 'heading')) kinds[k] = 'paragraph';
  }
  // Neighbours.
  for (let i = 0; i < texts.length; i++) {
    const f = feats[i];
    if (!f || kinds[i] === 'byline' || kinds[i] === 'quote' || kinds[i] === 'other') continue;
    const prev = i > 0 ? kinds[i - 1] : undefined;
    const next = i + 1 < texts.length ? kinds[i + 1] : undefined;
    const short = f.words.length <= 8 && !/[.!?]/u.test(f.terminal);
    if (prev === 'quote' && short && kinds[i] === 'heading') {
      kinds[i] = 'byline';
    } else if (isNameOnly(f.text) && i > 0 && (next === undefined || next === 'heading' || next === 'byline' || next === 'other')) {
      kinds[i] = 'byline';
    }
  }
  return kinds;
}
