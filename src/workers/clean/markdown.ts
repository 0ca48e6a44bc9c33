// Markdown marks in a document: "# Heading", "**bold**", "[text](url)", "* item", "> quote",
// code fences. Downstream tools want the words, not the marks, and the marks would otherwise
// end up in entity names and dedup keys. A line-by-line pass with small regexes (no Markdown
// parser): every regex is anchored or bounded to one line, so the time stays linear.
import { hintKey } from './html.js';

export interface MarkdownResult {
  text: string;
  /** marks were removed */
  removed: boolean;
  /** the kind the marks gave a line (see HtmlResult.kindHints): "# x" a heading, "> x" a quote */
  kindHints: Map<string, MarkKind>;
}

/** The kinds marks give: "# x" a heading, "> x" a quote, "* x" a list item (a paragraph), "![x](...)" a caption. */
type MarkKind = 'heading' | 'caption' | 'quote' | 'paragraph';

// (the closing "#"s are cut in code: a lazy group before optional trailing spaces backtracked
// over every space of "# a" + 50,000 spaces + "b", 2.9 s)
const ATX_HEADING = /^ {0,3}#{1,6}[ \t]+(.*)$/;
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*$/;
const BLOCKQUOTE = /^ {0,3}>[ \t]?/;
const LIST_ITEM = /^[ \t]*(?:[*+-]|\d{1,3}[.)])[ \t]+(?=\S)/;
const FENCE = /^ {0,3}(?:```|~~~)/;
const RULE = /^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$/;
const LINK_DEFINITION = /^ {0,3}\[[^\]\n]{1,200}\]:[ \t]*\S+/;
/** tested on the trimmed line: leading and trailing space runs made it backtrack (1.4 s on 50,000 spaces) */
const TABLE_SEPARATOR = /^\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?$/;
const IMAGE = /!\[([^\]\n]{0,300})\]\([^)\n]{0,2000}\)/g;
const LINK = /\[([^\]\n]{1,300})\](?:\([^)\n]{0,2000}\)|\[[^\]\n]{0,100}\])/g;
// bounded: an unclosed "**" must not make every later "**" of a long line scan to its end
const STRONG = /(\*\*|__)(?=\S)([^\n]{0,500}?\S)\1/g;
const EMPHASIS_STAR = /(?<![\p{L}\p{N}*\\])\*(?=[^\s*])([^*\n]*?[^\s*\\])\*(?![\p{L}\p{N}*])/gu;
const EMPHASIS_UNDERSCORE = /(?<![\p{L}\p{N}_\\])_(?=[^\s_])([^_\n]*?[^\s_\\])_(?![\p{L}\p{N}_])/gu;
const CODE_SPAN = /`([^`\n]{1,500})`/g;
const HEADING_SIGNAL = /^ {0,3}#{1,6}[ \t]+\S/m;
const INLINE_SIGNAL = /\[[^\]\n]{1,300}\]\([^)\s]{1,2000}\)|\*\*[^\s*][^*\n]*\*\*|^ {0,3}```/m;

/**
 * Whether a text is written in Markdown: its file says so (.md), or it has both a "# heading"
 * and a link, bold or code fence. Plain text with a "* item" list or a "#hashtag" is not.
 */
export function looksLikeMarkdown(text: string, path = ''): boolean {
  if (/\.(?:md|markdown|mdown|mkd)$/i.test(path)) return true;
  return HEADING_SIGNAL.test(text) && INLINE_SIGNAL.test(text);
}

/** "Title ##" -> "Title": an ATX heading's optional closing sequence, cut without a regex. */
function closingHashesCut(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  let k = end;
  while (k > 0 && text[k - 1] === '#') k--;
  if (k < end && (k === 0 || text[k - 1] === ' ' || text[k - 1] === '\t')) end = k;
  while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  return text.slice(0, end);
}

function inline(line: string): string {
  if (!/[[*_`]/.test(line)) return line;
  return line
    .replace(IMAGE, '$1')
    .replace(LINK, '$1')
    .replace(CODE_SPAN, '$1')
    .replace(STRONG, '$2')
    .replace(EMPHASIS_STAR, '$1')
    .replace(EMPHASIS_UNDERSCORE, '$1');
}

/** Removes Markdown marks, line by line; code blocks and rules go, headings and quotes give hints. */
export function stripMarkdown(text: string): MarkdownResult {
  const lines = text.split('\n');
  const out: string[] = [];
  const kindHints = new Map<string, MarkKind>();
  let removed = false;
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (FENCE.test(raw)) {
      // code is no text of the document: the block goes, fences included
      inFence = !inFence;
      removed = true;
      continue;
    }
    if (inFence) continue;
    if (RULE.test(raw) || LINK_DEFINITION.test(raw) || (raw.includes('|') && raw.includes('---') && TABLE_SEPARATOR.test(raw.trim()))) {
      removed = true;
      out.push('');
      continue;
    }
    // "Title\n=====": the underline goes, the line above is a heading
    if (SETEXT_UNDERLINE.test(raw) && i > 0 && lines[i - 1]!.trim() !== '' && out.length > 0 && raw.trim().length >= 3) {
      const title = out[out.length - 1]!;
      if (title.trim()) kindHints.set(hintKey(title), 'heading');
      removed = true;
      out.push('');
      continue;
    }
    let line = raw;
    let hint: MarkKind | null = null;
    // a line that is one picture: its description is a caption
    if (/^[ \t]*!\[[^\]\n]+\]\([^)\n]*\)[ \t]*$/.test(raw)) hint = 'caption';
    const h = ATX_HEADING.exec(line);
    if (h) {
      line = closingHashesCut(h[1]!);
      hint = 'heading';
    } else if (BLOCKQUOTE.test(line)) {
      while (BLOCKQUOTE.test(line)) line = line.replace(BLOCKQUOTE, '');
      hint = 'quote';
    }
    if (LIST_ITEM.test(line)) {
      line = line.replace(LIST_ITEM, '');
      hint ??= 'paragraph';
    }
    line = inline(line);
    if (line !== raw) removed = true;
    if (hint && line.trim()) kindHints.set(hintKey(line), hint);
    out.push(line);
  }
  return { text: removed ? out.join('\n') : text, removed, kindHints };
}

const BULLET = /^[ \t]*([-*•▪◦–])[ \t]+(?=\S)/;
const NUMBERED = /^[ \t]*(\d{1,3})[.)][ \t]+(?=\S)/;

/**
 * The markers of a plain-text list: two or more lines in a row (blank lines between allowed)
 * that open with the same bullet ("- ", "• "), or with 1., 2., 3. in turn. A lone "- Name"
 * after a quotation is its attribution and stays. The items are paragraphs.
 */
export function stripListMarkers(text: string, headings: ReadonlySet<string> = new Set()): { text: string; removed: boolean; kindHints: Map<string, 'paragraph'> } {
  const lines = text.split('\n');
  const kindHints = new Map<string, 'paragraph'>();
  const marker = (line: string): string | null => {
    const b = BULLET.exec(line);
    if (b) return b[1]!;
    const n = NUMBERED.exec(line);
    return n ? `#${n[1]}` : null;
  };
  const follows = (a: string, b: string) => (a.startsWith('#') ? b === `#${Number(a.slice(1)) + 1}` : a === b);
  const marks = lines.map(marker);
  const inList = new Array<boolean>(lines.length).fill(false);
  let prev = -1; // the last line with a marker, blank lines skipped
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    const m = marks[i];
    if (m && prev >= 0 && marks[prev] && follows(marks[prev]!, m)) inList[prev] = inList[i] = true;
    prev = i;
  }
  if (!inList.includes(true)) return { text, removed: false, kindHints };
  const out = lines.map((line, i) => {
    // ("<h3>1. Scope</h3>": a numbered heading stays one)
    if (!inList[i] || headings.has(hintKey(line))) return line;
    const item = line.replace(BULLET, '').replace(NUMBERED, '');
    kindHints.set(hintKey(item), 'paragraph');
    return item;
  });
  return { text: out.join('\n'), removed: true, kindHints };
}
