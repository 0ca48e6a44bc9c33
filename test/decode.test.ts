import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeBytes, type DecodeResult } from '../src/producers/decode.js';

function okText(r: DecodeResult): { text: string; encoding: string; flags: string[] } {
  if (!r.ok) throw new Error(`expected text, got ${r.code}: ${r.message}`);
  return r;
}

/** Deterministic PRNG (mulberry32), so the random-byte cases are the same on every run. */
function randomBytes(seed: number, n: number): Uint8Array {
  let a = seed >>> 0;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

const SAMPLE = 'Grüße aus Zürich, 世界 and an emoji 😀 (a surrogate pair).\nSecond line.';

describe('decodeBytes: Unicode encodings', () => {
  it('decodes valid UTF-8 without flags', () => {
    const r = okText(decodeBytes(Buffer.from(SAMPLE, 'utf8')));
    expect(r).toEqual({ ok: true, text: SAMPLE, encoding: 'utf-8', flags: [] });
  });

  it('strips a UTF-8 BOM and flags it', () => {
    const r = okText(decodeBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SAMPLE, 'utf8')])));
    expect(r).toEqual({ ok: true, text: SAMPLE, encoding: 'utf-8', flags: ['bom'] });
  });

  it('decodes UTF-16LE and UTF-16BE with a BOM', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SAMPLE, 'utf16le')]);
    const be = Buffer.from(le).swap16(); // FE FF + big-endian code units
    expect(okText(decodeBytes(le))).toEqual({ ok: true, text: SAMPLE, encoding: 'utf-16le', flags: ['bom'] });
    expect(okText(decodeBytes(be))).toEqual({ ok: true, text: SAMPLE, encoding: 'utf-16be', flags: ['bom'] });
  });

  it('recognises UTF-16LE without a BOM from its NUL bytes, surrogate pairs included', () => {
    const text = 'Plain English text stored as UTF-16 without a byte-order mark, with 😀 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢.\r\n';
    const r = okText(decodeBytes(Buffer.from(text, 'utf16le')));
    expect(r).toEqual({ ok: true, text, encoding: 'utf-16le', flags: ['encoding-guessed'] });
    const be = okText(decodeBytes(Buffer.from(text, 'utf16le').swap16()));
    expect(be.text).toBe(text);
    expect(be.encoding).toBe('utf-16be');
  });

  it('decodes UTF-8 with a few corrupt bytes, replacing them and saying so', () => {
    const text = 'Les élèves ont découvert les œuvres de Molière à l’école. Ça a été très réussi. '.repeat(3);
    const bytes = Buffer.from(text, 'utf8');
    bytes[10] = 0xff; // inside ASCII: a stray byte
    bytes[bytes.indexOf(Buffer.from('très', 'utf8')) + 2] = 0x80; // truncates "è"
    const r = okText(decodeBytes(bytes));
    expect(r.encoding).toBe('utf-8');
    expect(r.flags).toContain('invalid-bytes-replaced');
    expect(r.text.match(/\ufffd/g)?.length).toBeGreaterThanOrEqual(2);
    expect(r.text).toContain('Molière à l’école');
  });
});

describe('decodeBytes: legacy encodings', () => {
  it('decodes Windows-1252 with €, curly quotes and œ (not Latin-1, which would give controls)', () => {
    const text =
      'Le billet coûte 20 € pour voir l’œuvre « complète » — c’est “vraiment” bon.\n' +
      'Le cœur de l’affaire : les élèves reçoivent un prix de 5 € chacun, même les sœurs.\n';
    const bytes = iconv.encode(text, 'windows-1252');
    expect(bytes.some((b) => b >= 0x80 && b <= 0x9f)).toBe(true);
    const r = okText(decodeBytes(bytes));
    expect(r.encoding).toBe('windows-1252');
    expect(r.flags).toEqual(['encoding-guessed']);
    expect(r.text).toBe(text);
  });

  it('decodes Latin-1 Portuguese', () => {
    const text =
      'A situação da educação no país é difícil, mas não é impossível.\n' +
      'As crianças estão aprendendo a ler e a escrever com atenção às lições.\n';
    const r = okText(decodeBytes(iconv.encode(text, 'latin1')));
    expect(['iso-8859-1', 'windows-1252']).toContain(r.encoding);
    expect(r.text).toBe(text);
    expect(r.flags).toContain('encoding-guessed');
  });
});

describe('decodeBytes: rejections', () => {
  it('calls 0 bytes, a lone BOM and whitespace empty', () => {
    for (const b of [new Uint8Array(0), Uint8Array.from([0xef, 0xbb, 0xbf]), Uint8Array.from([0xff, 0xfe]), Buffer.from(' \n\t\r\n ')]) {
      const r = decodeBytes(b);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.code).toBe('empty');
    }
  });

  it('recognises a PNG by its signature and says so in a sentence', () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('\0\0\0\rIHDR')]);
    const r = decodeBytes(png);
    expect(r).toEqual({ ok: false, code: 'binary', message: 'The file looks like a PNG image, not text.' });
  });

  it('rejects other magic numbers and NUL bytes in a non-UTF-16 file as binary', () => {
    for (const sig of ['%PDF-1.7\n', 'PK\u0003\u0004rest', '\u001f\u008b\u0008\u0000']) {
      const r = decodeBytes(Buffer.from(sig, 'latin1'));
      expect(r.ok ? 'ok' : r.code).toBe('binary');
    }
    const r = decodeBytes(Buffer.from('some text\0with a NUL byte in an odd place, and more text after it'));
    expect(r.ok ? 'ok' : r.code).toBe('binary');
  });

  it('rejects random bytes as binary, never as some exotic encoding', () => {
    const seen: string[] = [];
    for (const size of [64, 200, 1024, 8192]) {
      for (let seed = 1; seed <= 40; seed++) {
        const r = decodeBytes(randomBytes(seed * 7919 + size, size));
        if (r.ok || r.code !== 'binary') seen.push(`seed ${seed} size ${size}: ${r.ok ? r.encoding : r.code}`);
      }
    }
    expect(seen).toEqual([]);
  });

  it('calls text-like bytes that no encoding makes readable undecodable', () => {
    const parts: number[] = [];
    for (const w of 'the quick brown fox jumps over the lazy dog and keeps running far away'.split(' ')) {
      parts.push(...Buffer.from(w), 0x81, 0x9d, 0x20); // bytes undefined in Windows-1252
    }
    const r = decodeBytes(Uint8Array.from(parts));
    expect(r.ok ? 'ok' : r.code).toBe('undecodable');
  });
});

const messy = fileURLToPath(new URL('../../shared/corpora/messy/', import.meta.url));

describe.skipIf(!existsSync(messy))('decodeBytes on the real files in shared/corpora/messy', () => {
  const decode = (name: string) => okText(decodeBytes(readFileSync(messy + name)));

  it('decodes the three subtitle files (UTF-16LE BOM, UTF-16BE BOM, UTF-8 BOM) to identical text', () => {
    const le = decode('utf16le_bom_subtitles.txt');
    const be = decode('utf16be_bom_subtitles.txt');
    const u8 = decode('utf8_bom_subtitles.txt');
    expect([le.encoding, be.encoding, u8.encoding]).toEqual(['utf-16le', 'utf-16be', 'utf-8']);
    expect(le.text).toBe(u8.text);
    expect(be.text).toBe(u8.text);
    expect(u8.text.startsWith('1\n00:00:06,500 --> 00:00:09,000\n')).toBe(true);
    expect(u8.text.charCodeAt(0)).not.toBe(0xfeff);
  });

  it('decodes the Windows-1252 files with their €, curly quotes, dashes and œ', () => {
    const de = decode('cp1252_de_auslandsschulen_euro.txt');
    expect(de.encoding).toBe('windows-1252');
    expect(de.text).toContain('€');
    expect(de.text).toContain('gehört');
    const quotes = decode('cp1252_smartquotes_dashes_short.txt');
    expect(quotes.text).toContain('“The names Bod, James Bond.”');
    expect(quotes.text).toContain('–');
    expect(quotes.text).toContain('—');
    const fr = decode('cp1252_fr_moliere_oe.txt');
    expect(fr.encoding).toBe('windows-1252');
    expect(fr.text).toMatch(/œ/);
    expect(fr.text).toContain('MOLIÈRE');
    const bbc = decode('cp1252_bbc_forum_html_remnants.txt');
    expect(bbc.text).toContain('£');
    for (const r of [de, quotes, fr, bbc]) {
      expect(r.flags).toContain('encoding-guessed');
      expect(r.text).not.toMatch(/[\u0080-\u009f\ufffd]/);
    }
  });

  it('decodes the Latin-1 Portuguese file', () => {
    const r = decode('latin1_pt_radiacoes_da_noite.txt');
    expect(r.text).toContain('tão bem determinada, com tanta eloquencia e tão profunda observação');
    expect(r.text).not.toMatch(/[\u0080-\u009f\ufffd]/);
  });

  it('decodes the Big5 file to Chinese', () => {
    const r = decode('big5_zh_classical_wikipedia.txt');
    expect(r.encoding).toBe('big5');
    expect(r.text).toContain('維基大典');
    const han = r.text.match(/\p{Script=Han}/gu)?.length ?? 0;
    expect(han / r.text.length).toBeGreaterThan(0.5);
  });

  it('decodes the UTF-16LE HTML without a BOM, with its surrogate pairs', () => {
    const r = decode('utf16le_nobom_plane1_html.txt');
    expect(r.encoding).toBe('utf-16le');
    expect(r.flags).toEqual(['encoding-guessed']);
    expect(r.text.startsWith('<!DOCTYPE HTML')).toBe(true);
    const astral = [...r.text].filter((c) => c.codePointAt(0)! > 0xffff).length;
    expect(astral).toBe(127);
    expect(r.text).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    expect(r.text).toContain('&copy; 2001-2004, Tex Texin');
  });
});
