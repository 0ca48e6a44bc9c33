import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repairMojibake } from '../src/workers/clean/mojibake.js';

describe('repairMojibake', () => {
  it.each([
    ['The Mona Lisa doesnâ€™t have eyebrows.', 'The Mona Lisa doesn’t have eyebrows.'],
    ['CafÃ© crÃ¨me', 'Café crème'],
    ['Iggy Pop (nÃƒÂ© Jim Osterberg)', 'Iggy Pop (né Jim Osterberg)'], // twice
    ['SÃ£o Paulo, Ã  noite', 'São Paulo, à noite'], // real no-break space after Ã
    ['relatifs Ã l’utilisation', 'relatifs à l’utilisation'], // no-break space became a space
    ['Hi guys í\u00a0½í¸\u008d', 'Hi guys 😍'], // CESU-8 and a Windows-1252 undefined byte (0x8D) as C1
    ['He’s Justinâ\u009d¤', 'He’s Justin❤'],
    ['\u0084Handwerk\u0093', '„Handwerk“'], // Windows-1252 bytes read as Latin-1 C1 controls
    ['Blog Traffic Tip 2 вЂ“ Broadcast', 'Blog Traffic Tip 2 – Broadcast'], // Windows-1251
    ['Le Vigne di Zam√≤', 'Le Vigne di Zamò'], // MacRoman
    ['parlé\u0085 Tu sais', 'parlé… Tu sais'], // only the C1 control, not "parl酠"
  ])('repairs %j', (input, expected) => {
    expect(repairMojibake(input)).toEqual({ text: expected, repaired: true });
  });

  it('leaves correct text in many languages unchanged', () => {
    const clean = [
      'São Paulo é a maior cidade do Brasil; às vezes vamos àquele lugar. IRMÃ E MÃE.',
      'Les élèves ont vu l’œuvre « À bientôt » — déjà vu… CAFÉ” JOSÉ’s',
      'Ärger über Öl, Übermaß und Straße. ÄÖÜ',
      'Съешь же ещё этих мягких французских булок, да выпей чаю. «Ёлка» Рік тому Їжак',
      'Η γλώσσα μου έδωσαν ελληνική',
      '我能吞下玻璃而不伤身体。日本語のテキスト。한국어 문장',
      'أنا قادر على أكل الزجاج و هذا لا يؤلمني. אני יכול לאכול זכוכית',
      'Zażółć gęślą jaźń. Příliš žluťoučký kůň úpěl ďábelské ódy. İstanbul’da ışık. Tiếng Việt có dấu.',
      'Þórður Ægir Ðaði; ¿Qué? ¡Olé! Año; Ăsta ştiinţă; Šveices baņķieri; Šiaip įdomu',
      '£5 and €10 and ¥100, © 2024 Société Générale®, ½ cup, 2³ = 8, 10 µs, ±3°, x × y',
      '√2 ≈ 1.41 ≠ π; ∆x ≤ ε. Emoji 😀👍🏽 ❤️ ✔',
      '┌──┬──┐\n│ a│ b│\n└──┴──┘',
      'plain ASCII text',
      // look a little like mojibake, but are not: each has a valid but absurd "repair"
      'A novel by Charlotte Brontë…”', 'x = √π and ∆° here', 'KYLMÄ\u00a0SÄÄ\u00a0HUOMENNA', 'NESTLÉ® y VOCÊ… y SÓ…',
      'Romanian: NICIODATĂ™ and NICIODATĂ\u00a0', 'Oleg’s band SENSЕ - live', 'a radius of 10 Å— roughly', '├┤a┼┐a┼┐a',
    ];
    for (const text of clean) expect(repairMojibake(text)).toEqual({ text, repaired: false });
  });

  it('costs little on clean text', () => {
    const big = 'Le café est très bon. Ärger über Öl. Съешь же ещё этих булок. 我能吞下玻璃。\n'.repeat(20000);
    const t0 = performance.now();
    expect(repairMojibake(big).repaired).toBe(false);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

const wild = fileURLToPath(new URL('../../shared/corpora/messy/mojibake_ftfy_in_the_wild.json', import.meta.url));

describe.skipIf(!existsSync(wild))('repairMojibake on python-ftfy\'s in-the-wild cases', () => {
  type Case = { label: string; original: string; fixed: string; 'fixed-encoding'?: string };
  // `fixed` is ftfy's fix_text (which also uncurls quotes, unescapes HTML, ...); where the
  // file gives `fixed-encoding`, that is the result of the encoding repair alone, which is
  // what repairMojibake does. ftfy's own test compares fix_encoding with the same field.
  it('repairs at least 90% exactly as the answer key says', () => {
    const cases = JSON.parse(readFileSync(wild, 'utf8')) as Case[];
    expect(cases.length).toBe(70);
    const misses: string[] = [];
    for (const c of cases) {
      const want = c['fixed-encoding'] ?? c.fixed;
      const got = repairMojibake(c.original);
      if (got.text !== want) misses.push(`${c.label}: got ${JSON.stringify(got.text)}`);
      else expect(got.repaired).toBe(want !== c.original);
    }
    const share = (cases.length - misses.length) / cases.length;
    console.log(`mojibake answer key: ${cases.length - misses.length}/${cases.length} = ${(share * 100).toFixed(1)}%`, misses);
    expect(share).toBeGreaterThanOrEqual(0.9);
  });

  it('repairs the same cases as one document (originals file, one case per paragraph)', () => {
    const cases = JSON.parse(readFileSync(wild, 'utf8')) as Case[];
    const doc = readFileSync(new URL('../../shared/corpora/messy/mojibake_ftfy_in_the_wild_originals.txt', import.meta.url), 'utf8');
    const paragraphs = repairMojibake(doc).text.trimEnd().split('\n\n');
    expect(paragraphs.length).toBe(cases.length);
    const hits = cases.filter((c, i) => paragraphs[i] === (c['fixed-encoding'] ?? c.fixed)).length;
    console.log(`as one document: ${hits}/${cases.length}`);
    expect(hits / cases.length).toBeGreaterThanOrEqual(0.9);
  });
});
