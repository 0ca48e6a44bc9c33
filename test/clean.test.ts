import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CleanDoc, type CleanInput } from '../src/shared/schemas.js';
import { clean, type CleanOptions } from '../src/workers/clean/clean.js';
import { stripHtml } from '../src/workers/clean/html.js';
import { detectLanguage } from '../src/workers/clean/language.js';
import { filterChars } from '../src/workers/clean/normalize.js';

const SOURCE = { path: 'doc.txt', bytes: 1, sha256: '0'.repeat(64), encoding: 'utf-8' };

function input(rawText: string, flags: string[] = []): CleanInput {
  return { id: `sha256:${'0'.repeat(64)}`, source: SOURCE, rawText, flags };
}

function run(rawText: string, options?: Partial<CleanOptions>, flags: string[] = []): CleanDoc {
  return clean(input(rawText, flags), options);
}

/** The invariants every output must keep, whatever the input. */
function checkInvariants(doc: CleanDoc): void {
  expect(CleanDoc.safeParse(doc).success).toBe(true);
  let prevEnd = 0;
  doc.segments.forEach((s, i) => {
    expect(s.index).toBe(i);
    expect(s.start).toBeGreaterThanOrEqual(prevEnd);
    expect(s.end).toBeGreaterThan(s.start);
    expect(s.end).toBeLessThanOrEqual(doc.text.length);
    expect(doc.text.slice(s.start, s.end)).toBe(s.text);
    expect(s.text).toBe(s.text.trim());
    prevEnd = s.end;
  });
  // Valid UTF-16: no lone surrogates (they could not be written as JSON text faithfully).
  expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(doc.text)).toBe(false);
}

const texts = (doc: CleanDoc) => doc.segments.map((s) => s.text);
const kinds = (doc: CleanDoc) => doc.segments.map((s) => s.kind);

describe('HTML remnants', () => {
  it('strips tags, turns block tags into line breaks and flags it', () => {
    const doc = run('<div><p>First <b>bold</b> para.</p><p>Second<br>line<br/>three</p></div>');
    expect(texts(doc)).toEqual(['First bold para.', 'Second', 'line', 'three']);
    expect(doc.flags).toContain('html-removed');
    checkInvariants(doc);
  });

  it('drops script and style blocks with their content, and comments', () => {
    const doc = run('Before<script type="text/javascript">var a = "<p>x</p>"; if (a < 3) {}</script> after <style>p{color:red}</style>end<!-- a comment\nover lines -->.');
    expect(doc.text).toBe('Before after end.');
  });

  it('decodes named, decimal and hex entities', () => {
    const doc = run('Fish &amp; chips&nbsp;&mdash; caf&eacute; it&#8217;s &#x2014; &lt;b&gt; &quot;q&quot;');
    expect(doc.text).toBe('Fish & chips — café it’s — <b> "q"');
    expect(doc.flags).toContain('html-removed');
    expect(doc.flags).toContain('html-entities-decoded');
  });

  it('leaves "<" in prose and unterminated entities alone', () => {
    const prose = 'If a < b and b > c then a<b, and x<y or 3<4; AT&T and R&D &copy2020 <3 <notatag here>.';
    const doc = run(prose);
    expect(doc.text).toBe(prose);
    expect(doc.flags).not.toContain('html-removed');
    expect(stripHtml('if a<b and c>d').text).toBe('if a<b and c>d');
  });

  it('keeps the content of an unclosed comment or script rather than losing the rest', () => {
    expect(run('Text <!-- never closed and more text').text).toBe('Text <!-- never closed and more text');
    expect(run('a <script>alert(1) and b').text).toBe('a alert(1) and b');
  });
});

describe('Unicode and whitespace', () => {
  it('normalises to NFC', () => {
    const doc = run('Cafe\u0301 and Ame\u0301lie');
    expect(doc.text).toBe('Café and Amélie');
    expect(doc.text).toBe(doc.text.normalize('NFC'));
    expect(doc.flags).toContain('unicode-normalized');
  });

  it('removes zero-width, BOM and bidi control characters', () => {
    const doc = run('\uFEFFco\u200Bop\u2060erate \u202Egnirts\u202C \u2067iso\u2069 soft\u00ADhyphen x\u200Dy x\u200Cy');
    expect(doc.text).toBe('cooperate gnirts iso softhyphen xy xy');
    expect(doc.flags).toContain('zero-width-removed');
  });

  it('keeps ZWNJ/ZWJ where a script or an emoji sequence needs them', () => {
    const persian = 'می\u200Cخواهم';
    const family = '👨\u200D👩\u200D👧';
    const doc = run(`${persian} ${family}`);
    expect(doc.text).toBe(`${persian} ${family}`);
    expect(doc.flags).not.toContain('zero-width-removed');
  });

  it('removes control characters but keeps newlines; tabs become spaces', () => {
    const doc = run('a\u0007b\u0000c\u001Bd\ne\tf\u007Fg');
    expect(texts(doc)).toEqual(['abcd', 'e fg']);
    expect(doc.flags).toContain('control-chars-removed');
    // C1 controls (reached here only if mojibake repair left them) go too.
    expect(filterChars('x\u0080y\u009Fz\uFFFF').text).toBe('xyz');
  });

  it('turns Unicode spaces into plain spaces, collapses runs, trims lines, normalises line ends', () => {
    const doc = run('  One\u00A0two\u3000three\u2009four   five  \r\n\r\n\r\n\tSix\rSeven\u2028Eight  \n');
    expect(doc.text).toBe('One two three four five\n\nSix\nSeven\nEight');
    expect(texts(doc)).toEqual(['One two three four five', 'Six', 'Seven', 'Eight']);
    checkInvariants(doc);
  });

  it('keeps U+FFFD and flags it, and replaces lone surrogates', () => {
    const doc = run('bad \uFFFD byte, lone \uD800 high and \uDC00 low, pair 😀');
    expect(doc.text).toBe('bad \uFFFD byte, lone \uFFFD high and \uFFFD low, pair 😀');
    expect(doc.flags).toEqual(expect.arrayContaining(['replacement-chars', 'invalid-utf16-replaced']));
    checkInvariants(doc);
  });

  it('keeps the input flags first and adds each flag once', () => {
    const doc = run('a\u200Bb c\u200Bd', {}, ['encoding-guessed']);
    expect(doc.flags[0]).toBe('encoding-guessed');
    expect(doc.flags.filter((f) => f === 'zero-width-removed')).toHaveLength(1);
  });
});

describe('segments and kinds', () => {
  const sample = [
    'Climate Action Summit Opens in New York',
    '',
    'By Jane Doe',
    '',
    'Leaders from around the world gathered on Monday to discuss emissions. The meeting was the first of its kind since the pandemic began, and officials said that progress had been slow.',
    '',
    'children playing in a flooded street',
    'A farmer inspects his dried-out field near Nairobi.',
    '',
    '“We cannot afford to wait any longer.”',
    '',
    'Photo: UN/Mark Garten',
    '00:01:02,500 --> 00:01:04,000',
    'https://example.org/news/article',
    '42',
    '',
    'Why we need more women mediators',
  ].join('\n');

  it('gives one segment per non-empty line, with offsets into the text', () => {
    const doc = run(sample);
    expect(doc.segments).toHaveLength(sample.split('\n').filter((l) => l.trim()).length);
    checkInvariants(doc);
  });

  it('guesses heading, byline, paragraph, caption, quote and other', () => {
    expect(kinds(run(sample))).toEqual([
      'heading',
      'byline',
      'paragraph',
      'caption',
      'caption',
      'quote',
      'byline',
      'other',
      'other',
      'other',
      'heading',
    ]);
  });

  it('treats a quotation over several lines as quote, and the line after it as its attribution', () => {
    const doc = run('"First we recover from the pandemic.\nThen we rebuild our economies.\nAnd we heal the planet."\n- United Nations Secretary-General\n\nThe speech ended there. Delegates applauded for a long time afterwards.');
    expect(kinds(doc)).toEqual(['quote', 'quote', 'quote', 'byline', 'paragraph']);
  });

  it('keeps a line that opens with a quotation and goes on as a paragraph', () => {
    const doc = run('“In life, things do not always go as you want,” a frontline worker tells the Secretary-General during a visit.');
    expect(kinds(doc)).toEqual(['paragraph']);
  });

  it('treats hard-wrapped prose as paragraphs, not captions', () => {
    const doc = run('the comment section of the site\nwas full of people who had opinions\nabout everything and nothing at all.');
    expect(kinds(doc)).toEqual(['paragraph', 'paragraph', 'paragraph']);
  });

  it('a bare name that closes a block is a byline', () => {
    const doc = run('We must ensure that every person is protected by the law, wherever they are.\n\nAudrey Azoulay');
    expect(kinds(doc)).toEqual(['paragraph', 'byline']);
  });
});

describe('web pages', () => {
  const page = [
    '<!DOCTYPE html><html><head><title>Floods in Valencia | Daily Planet</title></head><body>',
    '<nav><a href="/">Home</a> <a href="/world">World</a></nav>',
    '<div class="cookie-banner"><p>We use cookies.</p><div><button>Accept all</button></div></div>',
    '<h1>Flood waters rise in Valencia</h1>',
    '<p>Emergency services evacuated hundreds of residents on Wednesday, the regional government said.</p>',
    '<figure><img src="x.jpg"><figcaption>Residents wade through a flooded street</figcaption></figure>',
    '<div id="share-bar">Share this article: Facebook Twitter</div>',
    '<aside><h2>Related stories</h2><ul><li>Heatwave grips Europe</li></ul></aside>',
    '<p>The army was deployed.</p>',
    '<footer>© 2024 Daily Planet Media Ltd. Privacy Policy</footer>',
    '</body></html>',
  ].join('\n');

  it("drops a page's navigation, banners, share bar, asides and footer, and its title when it has an <h1>", () => {
    const doc = run(page);
    expect(texts(doc)).toEqual([
      'Flood waters rise in Valencia',
      'Emergency services evacuated hundreds of residents on Wednesday, the regional government said.',
      'Residents wade through a flooded street',
      'The army was deployed.',
    ]);
    expect(doc.flags).toContain('html-boilerplate-removed');
    checkInvariants(doc);
  });

  it('takes the kind of a line from its markup: <h1>-<h6> headings, <figcaption> captions', () => {
    expect(kinds(run(page))).toEqual(['heading', 'paragraph', 'caption', 'paragraph']);
    // without markup, the kind is guessed from the shape: a line of six words reads as a heading
    expect(kinds(run('Residents wade through a flooded street'))).toEqual(['heading']);
  });

  it('drops related-story and tag lists, keeps links side by side apart, and reads <li> items as paragraphs', () => {
    const doc = run(
      '<html><body><p class="kicker">Climate crisis</p><h1>Heat grips Europe</h1><ul><li>Water use is limited</li><li>Schools close early</li></ul>' +
        '<section class="more-stories"><a href="/a">FTC sues a broker</a><a href="/b">What happens next</a></section>' +
        '<p><a href="/x">Part one</a><a href="/y">Part two</a></p><div class="tags">Topics: Heatwaves Spain</div></body></html>',
    );
    expect(texts(doc)).toEqual(['Heat grips Europe', 'Water use is limited', 'Schools close early', 'Part one Part two']);
    expect(kinds(doc)).toEqual(['heading', 'paragraph', 'paragraph', 'heading']);
  });

  it("never drops the page itself for a class or id that mentions chrome, nor an element that holds the <h1>", () => {
    for (const open of [
      '<body class="home blog content-sidebar genesis-breadcrumbs-hidden">',
      '<body><form id="aspnetForm">',
      '<body><main class="site-main has-sidebar">',
      '<body><article class="post comments-open">',
      '<body class="no-js ads-enabled">',
      '<body><div class="layout--with-sidebar">',
      '<body><div class="sidebar-wrap">',
    ]) {
      expect(texts(run(`<html>${open}<h1>Title here</h1><p>Hello world, this is the text.</p></body></html>`))).toEqual(['Title here', 'Hello world, this is the text.']);
    }
    // while a class naming chrome by its first or last word still goes
    expect(texts(run('<html><body><div class="site-footer">Footer</div><p>Body text.</p></body></html>'))).toEqual(['Body text.']);
  });

  it('keeps a numbered heading whole, and stays fast on unclosed chrome elements', () => {
    expect(texts(run('<html><body><h3>1. Scope</h3><h3>2. Method</h3><p>Some text.</p></body></html>'))).toEqual(['1. Scope', '2. Method', 'Some text.']);
    // each unclosed <nav> scanned to the end of the page (1.3 s for this one)
    const t0 = performance.now();
    run('<html><body><nav>x' + ' <nav a'.repeat(15_000));
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  it('keeps every element of text that only has a few tags in it (not a whole page)', () => {
    const doc = run('Menu of the day: <nav>soup and bread</nav>, <div class="footer">served at noon</div>.');
    expect(doc.text).toContain('soup and bread');
    expect(doc.text).toContain('served at noon');
    expect(doc.flags).not.toContain('html-boilerplate-removed');
  });
});

describe('news and press-release kinds', () => {
  it("reads a wire story's one-sentence paragraphs as paragraphs, and its credit line as a byline", () => {
    const doc = run(
      [
        'Floods close schools across eastern Spain',
        'Emergency services in Valencia evacuated hundreds of residents on Wednesday as rivers burst their banks.',
        "Spain's weather agency issued a red alert for the province, warning of further downpours.",
        'The regional government said schools would stay closed.',
        '(Reporting by Jane Doe in Madrid; Editing by John Smith)',
      ].join('\n\n'),
    );
    expect(kinds(doc)).toEqual(['heading', 'paragraph', 'paragraph', 'paragraph', 'byline']);
  });

  it('reads dash bullets as paragraphs, and a contact block (its label, name, title and phone) as other', () => {
    const doc = run('Highlights\n- Revenue of $412.5 million, up 18%\n- Raised full-year guidance\n\nMedia Contact:\nSam Rivera\nPress Secretary\n+1 617 555 0100');
    expect(kinds(doc)).toEqual(['heading', 'paragraph', 'paragraph', 'other', 'other', 'other', 'other']);
  });

  it('reads a report title with a colon as a heading, "As of" as a date line, a breadcrumb and a document symbol as other', () => {
    const doc = run(['MOZAMBIQUE: Cabo Delgado Displacement', 'As of 3 March 2025', 'WHO Africa › News › Press releases', 'SC/15890', 'Displacement rose sharply in March. Attacks spread south, the report said.'].join('\n\n'));
    expect(kinds(doc)).toEqual(['heading', 'byline', 'other', 'other', 'paragraph']);
  });

  it("reads a speech's salutations as other, and the speech as paragraphs", () => {
    const doc = run(
      [
        'Your Excellency Ambassador Volkan Bozkir, President of the General Assembly;',
        'Mr. President,',
        'Excellencies,',
        'Distinguished delegates, Ladies and Gentlemen.',
        'I extend cordial greetings from the Government and people of Grenada.',
        'Mr. President, the pandemic has shown that we must act together.',
        'I thank you.',
      ].join('\n\n'),
    );
    expect(kinds(doc)).toEqual(['other', 'other', 'other', 'other', 'paragraph', 'paragraph', 'paragraph']);
  });

  it('reads page furniture and end marks as other, and a headline after header lines and its deck as headings', () => {
    const doc = run(
      [
        'FOR IMMEDIATE RELEASE',
        'Tuesday, October 8, 2024',
        'Former Charity Executive Sentenced for Hurricane Relief Fraud',
        'New chip aims to make large language model inference more sustainable',
        'MIAMI, Oct. 8 – A former executive was sentenced today to 87 months in prison for defrauding a relief programme.',
        'Share this:',
        'Read more: Tybee Island beach renourishment delayed again',
        'We use cookies to improve your experience on our site.',
        '© 2024 Savannah Morning Ledger. All rights reserved.',
        'ENDS',
      ].join('\n\n'),
    );
    expect(kinds(doc)).toEqual(['heading', 'byline', 'heading', 'heading', 'paragraph', 'other', 'other', 'other', 'other', 'other']);
  });

  it('takes the markers off a plain-text list (two items or more), and leaves a lone dash attribution', () => {
    const doc = run('Steps:\n\n1. Ask residents\n2. Measure results\n\n• One\n• Two\n\n"We will rebuild."\n- Jane Roe');
    expect(texts(doc)).toEqual(['Steps:', 'Ask residents', 'Measure results', 'One', 'Two', '"We will rebuild."', '- Jane Roe']);
    expect(kinds(doc).slice(1, 5)).toEqual(['paragraph', 'paragraph', 'paragraph', 'paragraph']);
    expect(kinds(doc)[6]).toBe('byline');
  });

  it('reads a described picture as a caption, a timestamp as a byline, contact lines and a row of links as other', () => {
    const doc = run(
      [
        'Photo: A Sudanese refugee woman carries water near the border crossing at Adre. © UNHCR/Ying Hu',
        'Published 6:45 p.m. ET Oct. 14, 2024',
        'Media Contact: Dana Kowalski, press@northwind.com',
        'In Geneva, Olga Mur, +41 79 200 76 17',
        'Unsubscribe | Update preferences | View in browser',
        'posted underneath against',
      ].join('\n\n'),
    );
    expect(kinds(doc)).toEqual(['caption', 'byline', 'other', 'other', 'other', 'caption']);
  });

  it('reads the turns of a transcript as paragraphs and a stage direction as other', () => {
    const doc = run('Panel on health financing\n\nMODERATOR: Welcome back.\n\nDR. ALAKIJA: By pooling procurement we cut prices.\n\nQ: What happened next?\n\n[APPLAUSE]');
    expect(kinds(doc)).toEqual(['heading', 'paragraph', 'paragraph', 'paragraph', 'other']);
  });

  it('reads a headline opening the text as a heading, an "About" line as a heading and a place with a date as a byline', () => {
    const doc = run('Strong earthquake kills at least 47 in southern Peru, thousands displaced\n\nTallinn, 12 November 2024\n\nThe quake struck on Monday, officials said.\n\nAbout Helix Biosystems, Inc.\n\nHelix develops medicines for skin diseases. It was founded in 2012.');
    expect(kinds(doc)).toEqual(['heading', 'byline', 'paragraph', 'heading', 'paragraph']);
  });
});

describe('odd spans and language', () => {
  it('flags a run of another script inside a Latin paragraph', () => {
    const doc = run('Since then, threats to peace have multiplied. 爆料公社 continues to evolve in new forms across the region.');
    expect(doc.flags).toContain('foreign-script-span');
    expect(doc.language).toBe('en');
  });

  it('does not flag text that is wholly in another script, or a single Greek letter', () => {
    expect(run('這是一個完全用中文寫的段落，沒有任何英文單詞在裡面。').flags).not.toContain('foreign-script-span');
    expect(run('The angle α is measured in degrees for every sample in the study.').flags).not.toContain('foreign-script-span');
  });

  it('identifies English, French, Spanish, German, Russian and Chinese; short text is und', () => {
    expect(run('The Secretary-General called on all parties to respect the ceasefire and to protect civilians in the conflict zone.').language).toBe('en');
    expect(run('Le Secrétaire général a appelé toutes les parties à respecter le cessez-le-feu et à protéger les civils dans la zone de conflit.').language).toBe('fr');
    expect(run('El Secretario General pidió a todas las partes que respeten el alto el fuego y protejan a los civiles en la zona de conflicto.').language).toBe('es');
    expect(run('Der Generalsekretär forderte alle Parteien auf, den Waffenstillstand zu respektieren und die Zivilbevölkerung im Konfliktgebiet zu schützen.').language).toBe('de');
    expect(run('Генеральный секретарь призвал все стороны соблюдать режим прекращения огня и защищать мирное население в зоне конфликта.').language).toBe('ru');
    expect(run('秘书长呼吁各方尊重停火协议，保护冲突地区的平民，并确保人道主义援助能够顺利送达。').language).toBe('zh');
    expect(run('OK').language).toBe('und');
    expect(run('12:30 42 ---').language).toBe('und');
    expect(run('').language).toBe('und');
  });

  it('recognises a short English text by its function words', () => {
    expect(detectLanguage('We, together, can make it happen for the world.')).toBe('en');
  });
});

describe('limits', () => {
  it('cuts a line longer than maxLineLength at sentence ends and keeps offsets valid', () => {
    const sentence = 'This is one sentence of a very long line. ';
    const line = sentence.repeat(100).trim();
    const doc = run(line, { maxLineLength: 500 });
    expect(doc.segments.length).toBeGreaterThan(8);
    expect(doc.flags).toContain('long-line-split');
    for (const s of doc.segments) {
      expect(s.text.length).toBeLessThanOrEqual(500);
      expect(s.text.endsWith('.')).toBe(true);
    }
    expect(doc.text).toBe(line);
    checkInvariants(doc);
  });

  it('cuts a line without spaces without splitting a surrogate pair', () => {
    const doc = run('😀'.repeat(1000), { maxLineLength: 101 });
    checkInvariants(doc);
    expect(doc.segments.map((s) => s.text).join('')).toBe('😀'.repeat(1000));
  });

  it('stops at maxSegments and says so', () => {
    const doc = run(Array.from({ length: 50 }, (_, i) => `Line number ${i} of the document.`).join('\n'), { maxSegments: 10 });
    expect(doc.segments).toHaveLength(10);
    expect(doc.flags).toContain('segments-truncated');
    expect(doc.text.endsWith('Line number 9 of the document.')).toBe(true);
    checkInvariants(doc);
  });

  it('handles 1 MB adversarial lines in linear time', () => {
    const nasty = [
      'a'.repeat(1_000_000),
      '<a href="'.repeat(120_000),
      '<!--'.repeat(250_000),
      '<script>'.repeat(125_000),
      '<p '.repeat(330_000),
      '&amp;'.repeat(200_000),
      ('e\u0301\u200B\u202E' + ' '.repeat(5)).repeat(110_000),
      'Mr. A. B. '.repeat(100_000),
      '"“'.repeat(500_000),
      '.'.repeat(1_000_000) + 'a',
      '"'.repeat(1_000_000) + 'a',
      'a@'.repeat(500_000),
      '<b'.repeat(500_000),
      '\uD800'.repeat(1_000_000),
      'a' + '\u0301'.repeat(1_000_000),
      'a\n'.repeat(300_000),
    ];
    for (const text of nasty) {
      const t0 = performance.now();
      const doc = run(text);
      const ms = performance.now() - t0;
      checkInvariants(doc);
      expect(ms).toBeLessThan(3000);
    }
  });
});

/** Folding as the evaluation kit describes it: NFKD, no accents, quote/dash variants, invisible characters, whitespace, case. */
function fold(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[‘’‚‛′`´]/g, "'")
    .replace(/[“”„‟″«»]/g, '"')
    .replace(/[‐‑‒–—―−]/g, '-')
    .replace(/[\u200B-\u200F\u2060\uFEFF\u00AD\u202A-\u202E\u2066-\u2069]/g, '')
    .replace(/\s+/gu, ' ')
    .trim()
    .toLowerCase();
}

const SHARED = fileURLToPath(new URL('../../shared', import.meta.url));
const SEEDS = `${SHARED}/seeds`;
const GOLD = `${SHARED}/eval/gold/seeds.json`;

describe.skipIf(!existsSync(SEEDS) || !existsSync(GOLD))('sample drop (shared/seeds)', () => {
  interface GoldSegment {
    file: string;
    kind: string;
    contains: string[];
  }
  const files = existsSync(SEEDS) ? readdirSync(SEEDS).filter((f) => f.endsWith('.txt')).sort() : [];
  const gold = existsSync(GOLD) ? (JSON.parse(readFileSync(GOLD, 'utf8')) as { segments: Record<string, GoldSegment> }) : { segments: {} };

  it.each(files)('%s: one segment per non-empty line, each gold line maps to its own segment', (file) => {
    const raw = readFileSync(join(SEEDS, file), 'utf8');
    const doc = run(raw);
    checkInvariants(doc);
    expect(doc.language).toBe('en');
    expect(doc.segments).toHaveLength(raw.split(/\r\n|\r|\n/).filter((l) => l.trim() !== '').length);
    const folded = doc.segments.map((s) => fold(s.text));
    const keys = Object.entries(gold.segments).filter(([key]) => key.startsWith(`${file.slice(0, 3)}:`));
    expect(keys.length).toBeGreaterThan(0);
    // As the scorer maps them: the shortest segment holding all of a key's strings.
    for (const [key, g] of keys) {
      const hits = folded.flatMap((t, i) => (g.contains.every((c) => t.includes(fold(c))) ? [i] : []));
      expect(hits.length, key).toBeGreaterThan(0);
      const shortest = hits.reduce((a, b) => (folded[b]!.length < folded[a]!.length ? b : a));
      expect(shortest, key).toBe(Number(key.split(':')[1]));
    }
  });

  it('flags the foreign-script spans of samples 000 and 002', () => {
    for (const prefix of ['000', '002']) {
      const file = files.find((f) => f.startsWith(prefix));
      if (!file) continue;
      expect(run(readFileSync(join(SEEDS, file), 'utf8')).flags).toContain('foreign-script-span');
    }
  });

  it('agrees with most of the gold kinds (informative: at least 85%)', () => {
    let same = 0;
    let total = 0;
    for (const file of files) {
      const doc = run(readFileSync(join(SEEDS, file), 'utf8'));
      doc.segments.forEach((s, i) => {
        const g = gold.segments[`${file.slice(0, 3)}:${i}`];
        if (!g) return;
        total++;
        if (g.kind === s.kind) same++;
      });
    }
    expect(total).toBeGreaterThan(0);
    expect(same / total).toBeGreaterThanOrEqual(0.85);
  });
});

describe('fuzz', () => {
  /** mulberry32: a small seeded generator, so a failure can be replayed. */
  function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const PIECES = [
    'a', 'Z', ' ', '  ', '\n', '\n\n', '\r\n', '\r', '\t', '.', '. ', '"', '“', '”', '‘', '’', '«', '»', '<', '>', '&',
    '<p>', '</div>', '<br/>', '<script>', '</script>', '<!--', '-->', '<a href="x">', '&amp;', '&nbsp;', '&#8217;',
    '&#0;', '&#xD800;', '\u0301', '\u0300\u0316', '\u200B', '\u200C', '\u200D', '\uFEFF', '\u202E', '\u2066',
    '\u00A0', '\u3000', '\u0000', '\u0007', '\u0085', '\u2028', '\uFFFD', '\uD800', '\uDC00', '😀', '👨‍👩‍👧',
    '春节快乐', 'Привет', 'مرحبا', 'שלום', 'नमस्ते', 'é', 'ß', 'İ', 'ﬁ', 'Å', 'By Jane Doe', 'Photo: X',
    '00:01:02,000 --> 00:01:03,000', 'https://x.org/a', 'Secretary-General', 'the', 'The world is large.',
  ];

  it('300 random inputs: no throw, valid offsets, schema-valid output', () => {
    const next = rng(20240601);
    for (let c = 0; c < 300; c++) {
      const parts: string[] = [];
      const n = Math.floor(next() * 80);
      for (let k = 0; k < n; k++) {
        if (next() < 0.15) parts.push(String.fromCharCode(Math.floor(next() * 0x10000)));
        else parts.push(PIECES[Math.floor(next() * PIECES.length)]!);
      }
      const raw = parts.join('');
      const options = next() < 0.3 ? { maxLineLength: 16 + Math.floor(next() * 40), maxSegments: 1 + Math.floor(next() * 5) } : undefined;
      let doc: CleanDoc | undefined;
      expect(() => {
        doc = run(raw, options);
      }, JSON.stringify(raw)).not.toThrow();
      checkInvariants(doc!);
      expect(doc!.text.includes('\r')).toBe(false);
    }
  });
});
