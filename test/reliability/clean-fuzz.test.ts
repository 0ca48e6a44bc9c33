// Fuzz of the clean stage's input side: random bytes through decodeBytes and clean(), and
// adversarial Unicode (combining marks, RTL overrides, zero-width joiners, lone surrogates,
// surrogates spelled as HTML character references, 1 MB lines) through clean(). A seeded PRNG
// and a fixed number of cases keep it reproducible and bounded in time. For every output:
// no throw, valid offsets, schema-valid, JSON that round-trips, and no lone surrogate (strict
// UTF-8 consumers cannot read one).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBytes } from '../../src/producers/decode.js';
import { CleanDoc, type CleanInput } from '../../src/shared/schemas.js';
import { clean, type CleanOptions } from '../../src/workers/clean/clean.js';
import { run, settings, tmpDir } from '../helpers/pipeline.js';
import { accountingProblems, prng, type Rng } from './helpers.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function input(rawText: string, flags: string[] = []): CleanInput {
  return { id: `sha256:${'0'.repeat(64)}`, source: { path: 'fuzz.txt', bytes: rawText.length, sha256: '0'.repeat(64), encoding: 'utf-8' }, rawText, flags };
}

/** Returns the first broken invariant, or null (cheap enough for thousands of segments). */
function problem(doc: CleanDoc): string | null {
  const parsed = CleanDoc.safeParse(doc);
  if (!parsed.success) return `schema: ${parsed.error.message.slice(0, 300)}`;
  let prevEnd = 0;
  for (const [i, s] of doc.segments.entries()) {
    if (s.index !== i) return `segment ${i}: index ${s.index}`;
    if (!(s.start >= prevEnd && s.end > s.start && s.end <= doc.text.length)) return `segment ${i}: bad offsets ${s.start}-${s.end}`;
    if (doc.text.slice(s.start, s.end) !== s.text) return `segment ${i}: text.slice(start, end) differs from its text`;
    if (LONE_SURROGATE.test(s.text)) return `segment ${i}: lone surrogate`;
    prevEnd = s.end;
  }
  if (LONE_SURROGATE.test(doc.text)) return 'lone surrogate in text';
  const json = JSON.stringify(doc);
  if (LONE_SURROGATE.test(json)) return 'lone surrogate in JSON';
  // Strict UTF-8 round trip: what a Python/Go/Rust consumer would read back.
  const bytes = Buffer.from(json, 'utf8');
  let back: string;
  try {
    back = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'JSON is not valid UTF-8';
  }
  if (back !== json) return 'JSON does not survive UTF-8';
  const again = JSON.stringify(JSON.parse(back));
  if (again !== json) return 'JSON does not round-trip';
  return null;
}

function check(raw: string, options?: Partial<CleanOptions>, label = ''): CleanDoc {
  let doc: CleanDoc;
  try {
    doc = clean(input(raw), options);
  } catch (err) {
    throw new Error(`clean() threw on case ${label}: ${(err as Error).message}\ninput head: ${JSON.stringify(raw.slice(0, 200))}`);
  }
  const p = problem(doc);
  if (p) throw new Error(`case ${label}: ${p}\ninput head: ${JSON.stringify(raw.slice(0, 200))}`);
  return doc;
}

function randomBytes(r: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = r.int(256);
  return b;
}

const PREFIXES = [[], [0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff], [0x3c, 0x70, 0x3e], [0x54, 0x68, 0x65, 0x20]];

/** Text-like bytes: mostly printable ASCII with spans of random high bytes and UTF-8. */
function textLikeBytes(r: Rng, n: number): Buffer {
  const parts: Buffer[] = [Buffer.from(r.pick(PREFIXES))];
  let size = 0;
  while (size < n) {
    const k = r.int(12);
    const chunk =
      k === 0 ? randomBytes(r, 1 + r.int(3)) :
      k < 4 ? Buffer.from(r.pick(ADVERSARIAL), 'utf8') :
      Buffer.from('The minister said the plan was ready. '.slice(r.int(20)), 'latin1');
    parts.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(parts);
}

const COMBINING = Array.from({ length: 0x70 }, (_, i) => String.fromCharCode(0x300 + i));
const ADVERSARIAL = [
  'a\u0301', 'e' + '\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308'.repeat(20), '\u0301', '\u20DD',
  '\u202E', '\u202D', '\u202A', '\u202C', '\u2066', '\u2067', '\u2069', '\u200F', '\u200E', '\u061C',
  '\u200D', '\u200C', '\u200B', '\u2060', '\uFEFF', '👨\u200D👩\u200D👧', '🏳️\u200D🌈', 'ک\u200Cه', 'क्\u200Dष',
  '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uD83D', '\uDE00', '😀', '𝕏', '\uD83D\uD83D', '\uDE00\uD83D',
  '&#xD800;', '&#55296;', '&#xDC00;', '&#xD83D;&#xDE00;', '&#x1F600;', '&#0;', '&#x110000;', '&#xFFFE;', '&#13;', '&#x2028;',
  '\u0000', '\u0007', '\u001B[31m', '\u0085', '\u2028', '\u2029', '\r\n', '\r', '\n', '\n\n\n', '\t', ' ', '\u00A0', '\u3000',
  '\uFFFD', '\uFFFE', '\uFFFF', '\uFDD0', 'İ', 'ﬁ', 'Å', 'Ω', 'ß', 'ǅ',
  'مرحبا بالعالم', 'שלום עולם', 'Привет', '春节快乐', 'नमस्ते', 'ไทย', '한국어',
  '<p>', '</p>', '<script>alert(1)</script>', '<!--', '-->', '<![CDATA[', ']]>', '&amp;', '&nbsp;', '&', '<', '>',
  'The council met on Tuesday.', ' said the minister.', '"', '“', '”', '.', '!', '?', '…',
];

function adversarialString(r: Rng, pieces: number): string {
  const out: string[] = [];
  for (let i = 0; i < pieces; i++) {
    const k = r.int(10);
    if (k === 0) out.push(String.fromCharCode(r.int(0x10000)));
    else if (k === 1) out.push(String.fromCodePoint(r.int(0x110000)));
    else if (k === 2) out.push(Array.from({ length: 1 + r.int(30) }, () => r.pick(COMBINING)).join(''));
    else out.push(r.pick(ADVERSARIAL));
  }
  return out.join('');
}

describe('clean stage fuzz', () => {
  it('random bytes: decodeBytes never throws; clean() output keeps every invariant', () => {
    const r = prng(0xc1ea11);
    let decoded = 0;
    for (let c = 0; c < 1000; c++) {
      const n = r.int(3) === 0 ? r.int(64) : r.int(6000);
      const bytes = c % 2 === 0 ? randomBytes(r, n) : textLikeBytes(r, n);
      const res = decodeBytes(bytes);
      if (!res.ok) {
        expect(['empty', 'binary', 'undecodable']).toContain(res.code);
        expect(res.message).toMatch(/^[A-Z].*\.$/s);
        continue;
      }
      decoded++;
      expect(typeof res.encoding).toBe('string');
      const doc = check(res.text, undefined, `bytes#${c}`);
      expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    }
    // Most of the text-like cases decode: the fuzz reaches clean(), not only the rejections.
    expect(decoded).toBeGreaterThan(250);
  });

  it('adversarial Unicode: no throw, valid offsets, valid JSON, no lone surrogates', () => {
    const r = prng(0x5eed);
    for (let c = 0; c < 1500; c++) {
      const raw = adversarialString(r, 1 + r.int(200));
      const options = r.int(4) === 0 ? { maxLineLength: 16 + r.int(64), maxSegments: 1 + r.int(20) } : undefined;
      check(raw, options, `unicode#${c}`);
      // The same text as bytes (UTF-8 and UTF-16LE with BOM) through the decoder as well.
      for (const bytes of [Buffer.from(raw, 'utf8'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(raw, 'utf16le')])]) {
        const res = decodeBytes(bytes);
        if (res.ok) check(res.text, undefined, `unicode#${c}/decoded`);
      }
    }
  });

  it('1 MB lines (plain, emoji, combining marks, RTL, lone surrogates): bounded time, split, valid', () => {
    const MB = 1024 * 1024;
    const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
    const lines: Array<[string, string]> = [
      ['no spaces', fill('abcdefghij')],
      ['emoji, no spaces', fill('😀👨\u200D👩\u200D👧')],
      ['combining marks', fill('e\u0301\u0302\u0303')],
      ['RTL override and Arabic words', fill('\u202Eمرحبا بالعالم \u202C')],
      ['lone surrogates between words', fill('word \uD800 \uDC00x\uD83D')],
      ['one long sentence', fill('The council met again. ')],
      ['surrogates as character references', fill('&#xD83D;&#xDE00;&#xD800;')],
    ];
    for (const [label, line] of lines) {
      const t0 = performance.now();
      const doc = check(line, undefined, label);
      const ms = performance.now() - t0;
      expect(ms, `${label} took ${Math.round(ms)} ms`).toBeLessThan(15_000);
      expect(doc.segments.length, label).toBeGreaterThan(1);
      for (const s of doc.segments) expect(s.text.length).toBeLessThanOrEqual(100_000);
    }
    // A small line limit on a shorter piece: many cuts, none between the halves of a pair.
    check(fill('😀a😀').slice(0, 50_000), { maxLineLength: 17, maxSegments: 100_000 }, 'emoji, 17-unit lines');
  }, 120_000);

  it('adversarial files through every stage (inline): output files are strict UTF-8, nothing fails', async () => {
    const r = prng(0xf11e5);
    const drop = tmpDir('textmill-fuzz-drop-');
    const out = tmpDir();
    for (let i = 0; i < 60; i++) {
      const raw = 'The minister spoke in Geneva on Monday. ' + adversarialString(r, 20 + r.int(300)) + '\nMaria Lopez of the Red Cross said aid was ready.';
      const bytes = i % 3 === 2 ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(raw, 'utf16le')]) : Buffer.from(raw, 'utf8');
      writeFileSync(path.join(drop, `fuzz-${i}.txt`), bytes);
    }
    await run(drop, out, settings());
    expect(await accountingProblems(drop, out)).toEqual([]);
    for (const f of ['documents.jsonl', 'rejected.jsonl', 'messages.jsonl']) {
      const bytes = readFileSync(path.join(out, f));
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      for (const line of text.split('\n').filter(Boolean)) {
        expect(LONE_SURROGATE.test(line), f).toBe(false);
        JSON.parse(line);
      }
    }
    const rejected = readFileSync(path.join(out, 'rejected.jsonl'), 'utf8');
    expect(rejected).not.toContain('failed:');
    expect(readFileSync(path.join(out, 'documents.jsonl'), 'utf8').split('\n').filter(Boolean).length).toBeGreaterThan(20);
  }, 60_000);
});
