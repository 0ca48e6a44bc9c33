import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ThemedDoc, type EntitiesDoc } from '../src/shared/schemas.js';
import { DEFAULT_GOLD, DEFAULT_SEEDS_DIR, evaluateSeeds } from '../src/workers/themes/eval-seeds.js';
import { loadTaxonomy, parseTaxonomy, TaxonomyError, type Taxonomy } from '../src/workers/themes/taxonomy.js';
import { analyseText, explainThemes, scoreSegment, tagThemes } from '../src/workers/themes/themes.js';

const CONTRACT_IDS = [
  'peace-security',
  'health',
  'climate-environment',
  'human-rights',
  'migration-displacement',
  'digital-technology',
  'economy-development',
  'un-institutions',
  'gender-equality',
  'education-culture',
];

const taxonomy = loadTaxonomy();

/** A valid EntitiesDoc whose segments are `texts`, analysed as the entity stage would. */
function makeDoc(texts: string[]): EntitiesDoc {
  let text = '';
  const segments = texts.map((t, index) => {
    const start = text.length ? text.length + 2 : 0;
    text = text.length ? `${text}\n\n${t}` : t;
    return { index, kind: 'paragraph' as const, text: t, start, end: start + t.length, cluster: `c${index}`, duplicateOf: null };
  });
  const hex = 'a'.repeat(64);
  return {
    id: `sha256:${hex}`,
    source: { path: 'x.txt', bytes: text.length, sha256: hex, encoding: 'utf-8' },
    language: 'en',
    text,
    segments,
    flags: [],
    nearDuplicateOf: null,
    entities: [],
    analysis: texts.map(analyseText),
  };
}

function themesOf(text: string, tax: Taxonomy = taxonomy): string[] {
  return tagThemes(makeDoc([text]), tax).segments[0]!.themes;
}

function writeTmp(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'textmill-themes-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('default taxonomy', () => {
  it('has exactly the ten theme ids of the output contract, each with a label and terms', () => {
    expect(taxonomy.themes.map((t) => t.id).sort()).toEqual([...CONTRACT_IDS].sort());
    for (const t of taxonomy.themes) {
      expect(t.label.length).toBeGreaterThan(0);
      expect(t.terms.length).toBeGreaterThan(10);
    }
  });
});

// Hand-written sentences, not taken from the sample: [theme, sentences that should tag it,
// sentences that should not].
const CASES: [string, string[], string[]][] = [
  [
    'peace-security',
    [
      'The warring parties agreed to a ceasefire brokered by regional mediators.',
      'Peacekeepers were deployed after armed groups attacked villages near the border.',
      'The treaty bans nuclear weapons and calls for disarmament talks.',
      'Families fled as gang violence spread through the capital.',
      'Deminers cleared explosive ordnance from the fields before planting.',
    ],
    [
      'She finally found peace of mind after retiring to the countryside.',
      'Employers raised their social security contributions this year.',
      'The two retailers are locked in a price war over winter coats.',
    ],
  ],
  [
    'health',
    [
      'Hospitals are overwhelmed as the measles outbreak spreads and vaccination rates fall.',
      'Nurses and doctors on the front line of the pandemic need protective equipment.',
      'Mental health services remain out of reach for many young people.',
    ],
    [
      'Investors worry about the financial health of the banking sector.',
      'The file was deleted by a computer virus.',
    ],
  ],
  [
    'climate-environment',
    [
      'Rising greenhouse gas emissions are pushing global temperatures to record highs.',
      'Deforestation and plastic pollution threaten marine and forest biodiversity.',
      'The country pledged to phase out coal and reach net zero by 2050.',
      'Residents were evacuated as torrential rain caused rivers to burst their banks.',
      'A strong earthquake struck the region overnight, triggering landslides.',
      'Negotiators at COP29 in Baku agreed a new finance goal.',
    ],
    [
      'The political climate in the capital remains tense ahead of the vote.',
      'The proposal caused a storm of protest in parliament.',
      'It is in human nature to seek company.',
    ],
  ],
  [
    'migration-displacement',
    [],
    [
      'The database migration to PostgreSQL finished overnight, and the schema migration ran without downtime.',
    ],
  ],
  [
    'human-rights',
    [
      'Activists denounced the torture of detainees and called for an end to racial discrimination.',
      'Hate speech and xenophobia online must be confronted to protect human dignity.',
      'Journalists must be free to work: freedom of expression is a fundamental right.',
      'The activist was sentenced to death after a trial that lasted one hour.',
      'The jailed journalist has spent two years in pretrial detention; colleagues went into exile.',
    ],
    ['The publisher holds the intellectual property rights to the novel.'],
  ],
  [
    'migration-displacement',
    [
      'Thousands of refugees crossed into the neighbouring country seeking asylum.',
      'Remittances sent home by migrant workers support millions of families.',
      'Floods have displaced more than a million people, many of whom live in camps for internally displaced persons.',
    ],
    [
      'The company completed its data migration to the new servers over the weekend.',
      'Trade across borders grew last year.',
    ],
  ],
  [
    'digital-technology',
    [
      'Artificial intelligence and social media are reshaping how people get news on the internet.',
      'Closing the digital divide means affordable broadband for rural schools.',
      'Cyberattacks on hospitals have doubled, exposing patient data.',
      'A quarter of jobs are exposed to generative AI and large language models.',
    ],
    ['He joined a virtual meeting with the board on Monday.'],
  ],
  [
    'economy-development',
    [
      'Rising debt and inflation are pushing millions of families into extreme poverty.',
      'Financing for development is key to achieving the Sustainable Development Goals by 2030.',
      'The economy shrank as unemployment rose and investment dried up.',
      'Net profit rose and the board approved a dividend and a share buyback.',
      'Regulators cleared the merger after the takeover bid won antitrust approval.',
    ],
    ['Scientists study the development of the embryo in its first days.', 'Smugglers exploit migrants for profit, a non-profit group said.'],
  ],
  [
    'un-institutions',
    [
      'The General Assembly adopted a resolution on reform, reaffirming the principles of the UN Charter.',
      'Member States marked the 75th anniversary of the United Nations with a renewed commitment to multilateralism.',
      'Let me end by reaffirming our commitment to the United Nations, the foremost forum for all issues.',
    ],
    [
      'The Secretary-General arrived in Geneva on Tuesday.',
      'United Nations Secretary-General',
    ],
  ],
  [
    'gender-equality',
    [
      'Closing the gender gap in pay and ending violence against women are priorities.',
      'Women and girls must take part in every peace process as negotiators and mediators.',
      'The new credit line is reserved for women farmers and rural women\'s associations.',
      'Women carry the main burden of food production and unpaid care.',
    ],
    [
      'A girl and her brother walked to the market.',
      'The old woman sold bread at the market.',
    ],
  ],
  [
    'education-culture',
    [
      'Millions of children are out of school, and teachers lack basic learning materials.',
      'UNESCO works to protect cultural heritage and the diversity of languages.',
      'Families gathered for the Diwali festival, a celebration of light and tradition.',
      'The Biennale exhibition awarded its Golden Lion to a curator and her artwork.',
    ],
    [
      'A culture of impunity has allowed the abuses to continue.',
      'UNESCO Director-General',
    ],
  ],
];

describe('tagThemes per theme on hand-written sentences', () => {
  for (const [id, positives, negatives] of CASES) {
    describe(id, () => {
      for (const s of positives) it(`tags: ${s}`, () => expect(themesOf(s)).toContain(id));
      for (const s of negatives) it(`does not tag: ${s}`, () => expect(themesOf(s)).not.toContain(id));
    });
  }
});

describe('weak terms mentioned in passing', () => {
  it('a weak term does not tag on its own, however often it is repeated', () => {
    expect(themesOf('Online, online, online: everything is online now.')).not.toContain('digital-technology');
    expect(themesOf('The Secretary-General of the United Nations, the Secretary-General said.')).not.toContain('un-institutions');
  });

  it('the same weak term tags when other evidence of the theme backs it up', () => {
    expect(themesOf('Children now learn online, on tablets and smartphones, with software made for schools.')).toContain('digital-technology');
  });

  it('a strong term in a long paragraph about something else does not tag (relative rule)', () => {
    const paragraph =
      'The central bank raised interest rates again as inflation climbed, public debt reached a record share of GDP, ' +
      'and the finance ministry cut the budget for infrastructure investment, warning that economic growth, exports ' +
      'and employment would all slow; one official, a former teacher, said the fiscal plan would be revised.';
    const themes = themesOf(paragraph);
    expect(themes).toContain('economy-development');
    expect(themes).not.toContain('education-culture');
  });

  it('one term in a list of topics of other themes does not tag its theme; the same term on its own does', () => {
    const listed = themesOf('The issues we face, such as eradicating poverty, providing quality education and taking climate action, need multilateral answers.');
    expect(listed).not.toContain('education-culture');
    expect(themesOf('Schools reopened and education resumed for most children.')).toContain('education-culture');
    // two terms of the theme are no passing mention
    expect(themesOf('We fight poverty, quality education for teachers and climate action.')).toContain('education-culture');
  });

  it('minEvidence from the taxonomy decides: a theme requiring two terms is not tagged by one strong term', () => {
    const tax = parseTaxonomy(`
themes:
  - id: sport
    label: Sport
    terms: [football, goal, stadium]
    weights: { football: 3 }
    minEvidence: 2
    strongWeight: 10
`);
    expect(themesOf('Football.', tax)).toEqual([]);
    expect(themesOf('Football fans filled the stadium.', tax)).toEqual(['sport']);
  });
});

describe('matching', () => {
  const tax = parseTaxonomy(`
defaults: { relative: 0 }
themes:
  - id: t
    label: T
    terms: [cease-fire, "vaccin*", refugee, human rights, rights]
    weights: { rights: 1 }
    negative: [property rights, spam]
`);

  it('matches phrases across punctuation, prefixes, and plural forms the lemmatiser leaves alone', () => {
    const hits = (text: string) => scoreSegment(analyseText(text), tax)[0]?.hits.map((h) => h.term) ?? [];
    expect(hits('A cease fire held.')).toEqual(['cease-fire']);
    expect(hits('A cease-fire held.')).toEqual(['cease-fire']);
    expect(hits('Vaccinated, vaccines, vaccination.')).toEqual(['vaccin*']);
    expect(hits('Refugees arrived.')).toEqual(['refugee']);
  });

  it('the longest term wins within a theme, and negatives cancel what they overlap', () => {
    const s = scoreSegment(analyseText('Human rights and property rights.'), tax)[0]!;
    expect(s.hits.map((h) => h.term)).toEqual(['human rights']);
    expect(s.suppressed).toEqual(['rights']);
  });

  it('a negative term elsewhere in the segment lowers the score', () => {
    const plain = scoreSegment(analyseText('Refugees arrived.'), tax)[0]!;
    const withSpam = scoreSegment(analyseText('Refugees arrived. Spam.'), tax)[0]!;
    expect(withSpam.penalties).toEqual(['spam']);
    expect(withSpam.score).toBeLessThan(plain.score);
  });

  it('scores from doc.analysis, not by parsing the text again', () => {
    const doc = makeDoc(['Nothing to see here.']);
    doc.analysis = [analyseText('Refugees and migrants fled the fighting and sought asylum.')];
    expect(tagThemes(doc, taxonomy).segments[0]!.themes).toContain('migration-displacement');
    const noAnalysis = makeDoc(['Refugees and migrants sought asylum.']);
    noAnalysis.analysis = [];
    expect(tagThemes(noAnalysis, taxonomy).segments[0]!.themes).toEqual([]);
  });
});

describe('document themes', () => {
  const doc = makeDoc([
    'Refugees and migrants were among the hardest hit by the pandemic, losing jobs and income.',
    'Vaccines must reach migrants regardless of their legal status, and health systems must include them.',
    'Host communities showed solidarity with displaced families.',
    'Photo: a girl waves.',
  ]);
  const themed = tagThemes(doc, taxonomy);

  it('matches the ThemedDoc schema, with scores in [0, 1]', () => {
    expect(ThemedDoc.safeParse(themed).success).toBe(true);
    expect(themed.themes.length).toBeGreaterThan(0);
    for (const t of themed.themes) {
      expect(t.score).toBeGreaterThanOrEqual(0);
      expect(t.score).toBeLessThanOrEqual(1);
      expect(t.evidence.length).toBeGreaterThan(0);
    }
    for (const s of scoreSegment(analyseText(doc.segments[1]!.text), taxonomy)) {
      expect(s.score).toBeGreaterThanOrEqual(0);
      expect(s.score).toBeLessThanOrEqual(1);
    }
  });

  it('sorts document themes by score, highest first, the dominant theme on top', () => {
    const scores = themed.themes.map((t) => t.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(themed.themes[0]!.id).toBe('migration-displacement');
    expect(themed.themes[0]!.evidence).toContain('migrant');
  });

  it('derives document themes from segment evidence, and a caption with nothing gets nothing', () => {
    const segmentIds = new Set(themed.segments.flatMap((s) => s.themes));
    for (const t of themed.themes) expect(segmentIds.has(t.id)).toBe(true);
    expect(themed.segments[3]!.themes).toEqual([]);
    expect(themed.segments[1]!.themes).toEqual(expect.arrayContaining(['health', 'migration-displacement']));
  });

  it('gives a segment of kind other (furniture, contacts, salutations) no themes, and no evidence to the document', () => {
    const doc = makeDoc(['Your Excellency, President of the General Assembly of the United Nations;', 'Schools reopened and education resumed for most children.']);
    doc.segments[0]!.kind = 'other';
    const themed = tagThemes(doc, taxonomy);
    expect(themed.segments[0]!.themes).toEqual([]);
    expect(themed.themes.map((t) => t.id)).not.toContain('un-institutions');
    expect(themed.segments[1]!.themes).toContain('education-culture');
    doc.segments[0]!.kind = 'paragraph';
    expect(tagThemes(doc, taxonomy).segments[0]!.themes).toContain('un-institutions');
  });

  it('an empty document has no themes', () => {
    expect(tagThemes(makeDoc([]), taxonomy).themes).toEqual([]);
  });
});

describe('bad taxonomy files', () => {
  const good = (extra = '') => `
themes:
  - id: peace
    label: Peace
    terms: [ceasefire]
  - id: health
    label: Health
    terms: [pandemic]${extra}
`;

  it('names the theme and the field when terms is not a list', () => {
    const path = writeTmp('bad.yaml', good().replace('terms: [pandemic]', 'terms: pandemic'));
    expect(() => loadTaxonomy(path)).toThrow(TaxonomyError);
    expect(() => loadTaxonomy(path)).toThrow(/bad\.yaml: themes\[1\] \(health\)\.terms: expected an array of strings/);
  });

  it('names the theme and the field for other mistakes', () => {
    expect(() => parseTaxonomy(good().replace('terms: [pandemic]', 'terms: [pandemic, 3]'))).toThrow(
      /themes\[1\] \(health\)\.terms\[1\]: expected a string/,
    );
    expect(() => parseTaxonomy(good('\n    threshold: 1.5'))).toThrow(/themes\[1\] \(health\)\.threshold: expected a number < 1/);
    expect(() => parseTaxonomy(good('\n    weights: { vaccine: 3 }'))).toThrow(/themes\[1\] \(health\)\.weights\.vaccine: not one of the theme's terms/);
    expect(() => parseTaxonomy(good('\n    weights: { pandemic: high }'))).toThrow(/themes\[1\] \(health\)\.weights\.pandemic: expected a number/);
    expect(() => parseTaxonomy(good('\n    negatives: [x]'))).toThrow(/themes\[1\] \(health\).*negatives/);
    expect(() => parseTaxonomy(good().replace('id: health', 'id: peace'))).toThrow(/themes\[1\] \(peace\)\.id: duplicate id/);
    expect(() => parseTaxonomy(good().replace('    label: Health\n', ''))).toThrow(/themes\[1\] \(health\)\.label/);
    expect(() => parseTaxonomy('themes: [')).toThrow(/not valid YAML/);
    expect(() => parseTaxonomy('defaults: { threshold: 0.5 }')).toThrow(/themes/);
  });

  it('reports a missing file with its path', () => {
    expect(() => loadTaxonomy('/nonexistent/themes.yaml')).toThrow(/\/nonexistent\/themes\.yaml/);
  });
});

describe('explainThemes', () => {
  it('says per segment which themes fire, with the evidence, and which do not and why', () => {
    const report = explainThemes(
      'The ceasefire held while vaccines reached refugees in the camps.\nA girl waves at the camera.',
      taxonomy,
    );
    expect(report).toMatch(/\[1\]/);
    expect(report).toMatch(/\[2\]/);
    expect(report).toMatch(/\+ peace-security .*TAGGED/);
    expect(report).toContain('"ceasefire"');
    expect(report).toMatch(/- gender-equality .*not tagged: weak evidence/);
    expect(report).toMatch(/document:\n\s+\S+/);
  });

  it('can cut the text into sentences', () => {
    const report = explainThemes('The ceasefire held. Vaccines reached the camps.', taxonomy, { by: 'sentence' });
    expect(report).toMatch(/\[2\] "Vaccines reached the camps\."/);
  });
});

const SHARED = fileURLToPath(new URL('../../shared', import.meta.url));
describe.skipIf(!existsSync(DEFAULT_SEEDS_DIR) || !existsSync(DEFAULT_GOLD))('sample drop (shared test data)', () => {
  it('reaches segment-level theme F1 >= 0.85 on the seeds gold', () => {
    const r = evaluateSeeds(taxonomy);
    expect(r.segments).toBeGreaterThan(90);
    expect(r.f1).toBeGreaterThanOrEqual(0.85);
  });

  it.skipIf(!existsSync(join(SHARED, 'eval/gold/ungdc.json')))('stays reasonable on held-out UN General Debate speeches', () => {
    const r = evaluateSeeds(taxonomy, join(SHARED, 'corpora/ungdc'), join(SHARED, 'eval/gold/ungdc.json'));
    expect(r.f1).toBeGreaterThanOrEqual(0.7);
  });
});

describe('languages', () => {
  it('gives no themes to a document in a language the taxonomy is not written in, and scores "und"', () => {
    const doc = makeDoc(['Refugees and migrants sought asylum after the war.']);
    expect(tagThemes({ ...doc, language: 'fr' }, taxonomy).themes).toEqual([]);
    expect(tagThemes({ ...doc, language: 'fr' }, taxonomy).segments[0]!.themes).toEqual([]);
    expect(tagThemes({ ...doc, language: 'und' }, taxonomy).segments[0]!.themes).toContain('migration-displacement');
  });
});
