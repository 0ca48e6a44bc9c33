// HTML remnants in text that is otherwise plain: tags, comments, <script>/<style> blocks and
// character references. A hand-written scanner rather than one big regex, so that every `<`
// costs at most MAX_TAG_LENGTH characters of look-ahead (linear time on any input), and "<"
// in prose ("a < b", "x<y") is left alone: a tag needs a known element name and tag syntax.
import { decodeHTMLStrict } from 'entities';

/** Longest tag (with its attributes) that is recognised; a longer "<x ..." is left as text. */
const MAX_TAG_LENGTH = 2048;

/** Elements whose content is never text. Their content is dropped with the tags. */
const RAW_CONTENT = new Set(['script', 'style', 'noscript', 'template', 'iframe', 'object', 'svg', 'math']);

/** Tags that end a line of text: the tag becomes a line break. */
const BLOCK = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'br', 'caption', 'center', 'dd', 'details', 'dialog',
  'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'head', 'header', 'hgroup', 'hr', 'html', 'legend', 'li', 'main', 'menu', 'nav', 'ol', 'option', 'p', 'pre',
  'section', 'summary', 'table', 'tbody', 'tfoot', 'thead', 'title', 'tr', 'ul',
]);

/** Tags that separate words without ending the line. */
const CELL = new Set(['td', 'th', 'img', 'input', 'button', 'select', 'textarea', 'label']);

/** Every other element name that is removed silently (inline markup). */
const INLINE = new Set([
  'a', 'abbr', 'acronym', 'area', 'audio', 'b', 'base', 'basefont', 'bdi', 'bdo', 'big', 'blink', 'canvas',
  'cite', 'code', 'col', 'colgroup', 'data', 'datalist', 'del', 'dfn', 'em', 'embed', 'font', 'frame',
  'frameset', 'i', 'ins', 'kbd', 'link', 'map', 'mark', 'meta', 'meter', 'nobr', 'optgroup', 'output', 'param',
  'picture', 'progress', 'q', 'rp', 'rt', 'ruby', 's', 'samp', 'small', 'source', 'span', 'strike', 'strong',
  'sub', 'sup', 'time', 'track', 'tt', 'u', 'var', 'video', 'wbr', 'o:p',
]);

function isKnownTag(name: string): boolean {
  return BLOCK.has(name) || CELL.has(name) || INLINE.has(name) || RAW_CONTENT.has(name);
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isNameChar(c: number): boolean {
  return isAsciiLetter(c) || (c >= 48 && c <= 57) || c === 45 /* - */ || c === 58 /* : */;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12;
}

/** Attributes that may stand without a value. */
const BOOLEAN_ATTRIBUTES = new Set([
  'async', 'autofocus', 'autoplay', 'checked', 'controls', 'default', 'defer', 'disabled', 'hidden', 'ismap',
  'loop', 'multiple', 'muted', 'nowrap', 'novalidate', 'open', 'readonly', 'required', 'reversed', 'selected',
]);

/**
 * What stands between the element name and ">" must look like attributes: empty, or with
 * at least one name=value, or only boolean attribute names. Keeps "if a<b and c>d" as text.
 */
function plausibleAttributes(attrs: string): boolean {
  const body = attrs.replace(/\/\s*$/, '').trim();
  if (body === '' || body.includes('=')) return true;
  return body.split(/\s+/).every((w) => BOOLEAN_ATTRIBUTES.has(w.toLowerCase()));
}

interface Tag {
  name: string;
  closing: boolean;
  /** index just past the tag's `>` */
  end: number;
  /** the text between the name and `>` */
  attrs: string;
}

/**
 * Reads a tag starting at `text[i] === '<'`: `</?name` followed by attributes (quoted values
 * may hold `>`) and `>`, all within MAX_TAG_LENGTH characters. Returns null when it is not
 * one, e.g. "a < b", "x<y", "<3" or a quote that never closes.
 */
function readTag(text: string, i: number): Tag | null {
  const n = text.length;
  let j = i + 1;
  let closing = false;
  if (text.charCodeAt(j) === 47 /* / */) {
    closing = true;
    j++;
  }
  if (j >= n || !isAsciiLetter(text.charCodeAt(j))) return null;
  const nameStart = j;
  while (j < n && isNameChar(text.charCodeAt(j))) j++;
  const name = text.slice(nameStart, j).toLowerCase();
  if (!isKnownTag(name)) return null;
  const c = text.charCodeAt(j);
  // After the name: the end of the tag, a self-closing slash, or whitespace before attributes.
  if (!(c === 62 || c === 47 || isSpace(c))) return null;
  const attrStart = j;
  const limit = Math.min(n, i + MAX_TAG_LENGTH);
  let quote = 0;
  for (; j < limit; j++) {
    const d = text.charCodeAt(j);
    if (quote) {
      if (d === quote) quote = 0;
      continue;
    }
    if (d === 34 || d === 39) {
      // A quote opens only as an attribute value (after `=`, maybe with spaces).
      let k = j - 1;
      while (k > i && isSpace(text.charCodeAt(k))) k--;
      if (text.charCodeAt(k) === 61 /* = */) quote = d;
      continue;
    }
    if (d === 62 /* > */) {
      const attrs = text.slice(attrStart, j);
      return plausibleAttributes(attrs) ? { name, closing, end: j + 1, attrs } : null;
    }
    if (d === 60 /* < */) return null;
  }
  return null;
}

export interface HtmlResult {
  text: string;
  /** tags, comments or markup blocks were removed */
  tagsRemoved: boolean;
  /** character references such as &amp; or &#8217; were decoded */
  entitiesDecoded: boolean;
  /** a web page's navigation, cookie banner, share bar, footer ... were dropped */
  boilerplateRemoved: boolean;
  /**
   * What the markup says a line is, by its text (spaces collapsed): the content of <h1>-<h6> is
   * a heading, of <figcaption> a caption. The segmenter otherwise guesses from the line's shape.
   */
  kindHints: Map<string, HtmlKind>;
}

/** the kinds markup gives lines: <h1>-<h6> headings, <figcaption> captions, <li> list items (paragraphs) */
type HtmlKind = 'heading' | 'caption' | 'paragraph';

/**
 * Containers of a web page's chrome rather than its text. Dropped only in a whole page (one with
 * <html> or <body>): in text with a few tags left in, an element is kept whatever its name.
 * (No <form>: ASP.NET pages wrap everything in one; a newsletter form is caught by its class.)
 */
const PAGE_CHROME = new Set(['nav', 'aside', 'footer', 'button', 'select', 'dialog', 'menu']);
/** Never dropped for their class or id: they hold the page itself ("<body class='content-sidebar'>"). */
const STRUCTURE = new Set(['html', 'body', 'main', 'article', 'form']);
/** words of a class or id that name chrome: "cookie-banner", "share-bar", "site-footer", "related_stories" */
const CHROME_WORDS = new Set(
  'cookie,cookies,consent,gdpr,share,sharing,social,related,newsletter,subscribe,subscription,promo,advert,adverts,ads,sponsored,breadcrumb,breadcrumbs,navbar,nav,menu,sidebar,comments,comment,footer,masthead,popup,modal,paywall,skip,recommended,trending,popular,tags,topics,logo,kicker,taboola,outbrain'.split(','),
);
/** words that make a class a state or a layout, not a container: "comments-open", "has-sidebar", "ads-enabled" */
const STATE_WORDS = new Set('has,with,is,no,not,open,closed,enabled,disabled,hidden,visible,active,show,hide,layout,content'.split(','));
const CLASS_OR_ID = /\b(?:class|id)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;

/** A class or id token of chrome: its first or last word is a chrome word and none is a state word. */
function chromeToken(token: string): boolean {
  const parts = token.toLowerCase().split(/[-_]+/).filter(Boolean);
  if (parts.length === 0 || parts.some((p) => STATE_WORDS.has(p))) return false;
  return CHROME_WORDS.has(parts[0]!) || CHROME_WORDS.has(parts[parts.length - 1]!) || /^(?:more-stories|most-read|most-popular|read-more)$/.test(token.toLowerCase());
}

function hasChromeAttr(attrs: string): boolean {
  if (!/class|id/i.test(attrs)) return false;
  for (const m of attrs.matchAll(CLASS_OR_ID)) {
    for (const token of (m[1] ?? m[2] ?? m[3] ?? '').split(/\s+/)) if (chromeToken(token)) return true;
  }
  return false;
}
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);

/** End of the element whose start tag ends at `from` (nested elements of the same name counted), or -1. */
function elementEnd(text: string, name: string, from: number): number {
  const re = new RegExp(`<(/?)${name}(?=[\\s/>])[^<>]*>`, 'gi');
  re.lastIndex = from;
  let depth = 1;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1]) depth--;
    else if (!m[0].endsWith('/>')) depth++;
    if (depth === 0) return m.index + m[0].length;
  }
  return -1;
}

const HINTED: Record<string, HtmlKind> = { h1: 'heading', h2: 'heading', h3: 'heading', h4: 'heading', h5: 'heading', h6: 'heading', figcaption: 'caption', li: 'paragraph' };

/** The key of a kind hint: the text with its spaces collapsed. */
export function hintKey(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Finds the matching `</name>` of a raw-content element, case-insensitively, from `from`. */
function findClose(text: string, name: string, from: number): { start: number; end: number } | null {
  const re = new RegExp(`</${name}\\s*>`, 'gi');
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? { start: m.index, end: m.index + m[0].length } : null;
}

/**
 * Removes tags, comments, doctype/processing instructions and the content of script-like
 * elements; block-level tags become "\n", cell-like tags a space. Then decodes character
 * references (only the well-formed ones that end with ";", so "AT&T" or "&copy2020" in
 * prose stay as they are).
 */
export function stripHtml(input: string): HtmlResult {
  let tagsRemoved = false;
  let boilerplateRemoved = false;
  const kindHints = new Map<string, HtmlKind>();
  const page = /<(?:html|body)[\s>]/i.test(input);
  // A page's <title> repeats its <h1> (with the site's name): only a page without one keeps it.
  const dropTitle = page && /<h1[\s>]/i.test(input);
  /** names of chrome elements found without their end tag */
  const unclosed = new Set<string>();
  /** start of the text of each open hinted element (h1-h6, figcaption) in `out` */
  const hinted: { name: string; at: number }[] = [];
  let out = '';
  let last = 0; // start of the text not yet copied to `out`
  // Closers that were searched for and are absent from some point on stay absent further on:
  // remembering that keeps many unclosed "<!--" or "<script>" from rescanning the rest.
  const absent = new Set<string>();
  const find = (needle: string, from: number): number => {
    if (absent.has(needle)) return -1;
    const at = input.indexOf(needle, from);
    if (at === -1) absent.add(needle);
    return at;
  };
  let i = input.indexOf('<');
  while (i !== -1 && i < input.length) {
    let skipTo = -1; // where copying resumes when something was removed at i
    let replacement = '';
    if (input.startsWith('<!--', i)) {
      const close = find('-->', i + 4);
      if (close !== -1) {
        skipTo = close + 3;
      }
    } else if (input.startsWith('<![CDATA[', i)) {
      // Keep the character data, drop the markers.
      const close = find(']]>', i + 9);
      if (close !== -1) {
        out += input.slice(last, i) + input.slice(i + 9, close);
        last = close + 3;
        tagsRemoved = true;
        i = input.indexOf('<', last);
        continue;
      }
    } else if (/^<[!?][A-Za-z]/.test(input.slice(i, i + 3))) {
      // <!DOCTYPE html>, <?xml version="1.0"?>
      const head = input.slice(i, i + MAX_TAG_LENGTH);
      const close = head.indexOf('>');
      if (close !== -1 && head.lastIndexOf('<', close) === 0) skipTo = i + close + 1;
    } else {
      const tag = readTag(input, i);
      if (tag) {
        skipTo = tag.end;
        if (BLOCK.has(tag.name)) replacement = '\n';
        else if (CELL.has(tag.name)) replacement = ' ';
        // links side by side ("...tracking</a><a>What happens...") are separate texts
        else if (tag.name === 'a' && tag.closing && /^<a[\s>]/i.test(input.slice(tag.end, tag.end + 3))) replacement = ' ';
        if (!tag.closing && (RAW_CONTENT.has(tag.name) || (dropTitle && tag.name === 'title')) && !absent.has(`</${tag.name}`)) {
          const close = findClose(input, tag.name, tag.end);
          if (close) skipTo = close.end;
          else absent.add(`</${tag.name}`);
        } else if (
          page &&
          !tag.closing &&
          !VOID.has(tag.name) &&
          !STRUCTURE.has(tag.name) &&
          !unclosed.has(tag.name) &&
          !tag.attrs.trimEnd().endsWith('/') &&
          (PAGE_CHROME.has(tag.name) || hasChromeAttr(tag.attrs))
        ) {
          const end = elementEnd(input, tag.name, tag.end);
          // An element with no end is kept, and so are later ones of its name (each would scan to
          // the end of the page again); one that holds the page's <h1> is no chrome either.
          if (end === -1) unclosed.add(tag.name);
          else if (!/<h1[\s>]/i.test(input.slice(tag.end, end))) {
            skipTo = end;
            boilerplateRemoved = true;
          }
        } else if (HINTED[tag.name]) {
          // the element's text starts after this tag's replacement is copied to `out` below
          if (!tag.closing) hinted.push({ name: tag.name, at: out.length + (i - last) + replacement.length });
          else {
            // (the nearest few only: a page of thousands of unclosed <li> must not be searched through)
            let open = hinted.length - 1;
            while (open >= 0 && open >= hinted.length - 8 && hinted[open]!.name !== tag.name) open--;
            if (open < hinted.length - 8) open = -1;
            if (open !== -1) {
              const key = hintKey(decodeHTMLStrict(out.slice(hinted[open]!.at) + input.slice(last, i)));
              if (key) kindHints.set(key, HINTED[tag.name]!);
              hinted.splice(open);
            }
          }
        }
      }
    }
    if (skipTo !== -1) {
      out += input.slice(last, i) + replacement;
      last = skipTo;
      tagsRemoved = true;
      i = input.indexOf('<', skipTo);
    } else {
      i = input.indexOf('<', i + 1);
    }
  }
  const stripped = last === 0 ? input : out + input.slice(last);
  if (stripped.indexOf('&') === -1) return { text: stripped, tagsRemoved, entitiesDecoded: false, boilerplateRemoved, kindHints };
  const decoded = decodeHTMLStrict(stripped);
  return { text: decoded, tagsRemoved, entitiesDecoded: decoded !== stripped, boilerplateRemoved, kindHints };
}
