// The theme taxonomy: a YAML file that users edit (config/themes.yaml by default, another one
// with `--themes FILE`). It is validated with zod, then compiled once into lookup tables so
// that tagging a segment is a single pass over its tokens.
//
// Matching rules (documented for taxonomy authors in config/themes.yaml):
// - A term is written in its dictionary form ("refugee", "vaccinate"). A single-word term
//   matches a token whose lemma or lower-cased normal form equals the term or one of its
//   regular plurals ("refugees", "policies"), so proper nouns the lemmatiser leaves alone
//   ("Migrants") still match.
// - A term that ends in `*` matches any word starting with what precedes it ("vaccin*").
// - A multi-word term (a phrase) matches a run of consecutive word tokens, each compared as
//   above. Punctuation inside a phrase or a text is ignored, so "cease-fire" in the taxonomy
//   matches "cease-fire" and "cease fire" in a text.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { tokenize } from '../../shared/nlp.js';

export const DEFAULT_TAXONOMY_PATH = fileURLToPath(new URL('../../../config/themes.yaml', import.meta.url));

const Weight = z.number({ error: 'expected a number' }).finite().min(0, 'expected a weight >= 0').max(100, 'expected a weight <= 100');
const StringArray = z.array(z.string({ error: 'expected a string' }).trim().min(1, 'expected a non-empty term'), {
  error: 'expected an array of strings',
});
const Unit = z.number({ error: 'expected a number' }).gt(0, 'expected a number > 0').lt(1, 'expected a number < 1');

/** Scoring knobs, set under `defaults:` for all themes and overridable per theme where noted. */
export const ScoringDefaults = z.strictObject({
  /** Weight of a term that has no entry in its theme's `weights`. */
  weight: Weight.default(2),
  /** A theme tags a segment when its score reaches this (per theme: `threshold`). */
  threshold: Unit.default(0.45),
  /** Distinct matched terms a theme needs to tag a segment ... (per theme: `minEvidence`) */
  minEvidence: z.number({ error: 'expected a number' }).int('expected an integer').min(1).max(10).default(2),
  /** ... unless one matched term weighs at least this (per theme: `strongWeight`). */
  strongWeight: Weight.default(2),
  /** Weight taken off the raw score by each negative term that does not overlap a match. */
  negativeWeight: Weight.default(1),
  /** score = raw / (raw + saturation): the raw evidence that maps to a score of 0.5. */
  saturation: z.number({ error: 'expected a number' }).gt(0, 'expected a number > 0').default(2),
  /** BM25 term-frequency saturation. */
  k1: z.number({ error: 'expected a number' }).min(0).max(10).default(1.2),
  /** BM25 length normalisation: 0 = none, 1 = full. */
  b: z.number({ error: 'expected a number' }).min(0).max(1).default(0.35),
  /**
   * A theme must also reach this share of the score of the segment's strongest theme, so
   * a word mentioned in passing in a paragraph about something else does not tag it (0 = off).
   */
  relative: z.number({ error: 'expected a number' }).min(0).max(1).default(0),
  /** Reference segment length in words for the length normalisation. */
  avgLength: z.number({ error: 'expected a number' }).gt(0).default(40),
});
export type ScoringDefaults = z.infer<typeof ScoringDefaults>;

export const ThemeDef = z.strictObject({
  id: z.string({ error: 'expected a string' }).regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a lower-case id like "peace-security"'),
  label: z.string({ error: 'expected a string' }).trim().min(1, 'expected a non-empty label'),
  description: z.string({ error: 'expected a string' }).default(''),
  terms: StringArray.min(1, 'expected at least one term'),
  weights: z.record(z.string(), Weight, { error: 'expected a map of term to number' }).default({}),
  negative: StringArray.default([]),
  threshold: Unit.optional(),
  minEvidence: z.number({ error: 'expected a number' }).int('expected an integer').min(1).max(10).optional(),
  strongWeight: Weight.optional(),
  negativeWeight: Weight.optional(),
});
export type ThemeDef = z.infer<typeof ThemeDef>;

export const TaxonomyFile = z.strictObject({
  version: z.literal(1, { error: 'expected 1' }).default(1),
  /**
   * Languages (ISO 639-1) the terms are written in. A document detected as another language
   * gets no themes; one whose language is unknown ("und") is scored. Empty or absent = all.
   */
  languages: z.array(z.string().regex(/^[a-z]{2}$/, 'expected an ISO 639-1 code like "en"'), { error: 'expected a list of language codes' }).default([]),
  defaults: ScoringDefaults.default(ScoringDefaults.parse({})),
  themes: z.array(z.unknown(), { error: 'expected a list of themes' }).min(1, 'expected at least one theme'),
});

// ---------------------------------------------------------------- compiled form

/** How one word of a term is recognised in a token. */
export type WordMatcher = { kind: 'exact'; forms: string[] } | { kind: 'prefix'; prefix: string };

export interface CompiledTerm {
  /** The term as written in the taxonomy; it is what evidence lists. */
  term: string;
  theme: number;
  weight: number;
  negative: boolean;
  words: WordMatcher[];
}

export interface CompiledTheme {
  id: string;
  label: string;
  description: string;
  threshold: number;
  minEvidence: number;
  strongWeight: number;
  negativeWeight: number;
  terms: CompiledTerm[];
}

export interface CompiledTaxonomy {
  themes: CompiledTheme[];
  /** exact word form -> terms whose first word accepts it */
  byFirstForm: Map<string, CompiledTerm[]>;
  /** terms whose first word is a prefix pattern */
  prefixFirst: CompiledTerm[];
  /** longest term in words, to bound phrase matching */
  maxWords: number;
}

export interface Taxonomy {
  /** where it was read from, for messages */
  source: string;
  /** languages the terms are written in; empty = any */
  languages: string[];
  defaults: ScoringDefaults;
  themes: ThemeDef[];
  compiled: CompiledTaxonomy;
}

export class TaxonomyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaxonomyError';
  }
}

/** Regular plurals and the word itself, so a term written as a lemma meets unlemmatised forms. */
export function wordForms(word: string): string[] {
  const forms = new Set([word, `${word}s`]);
  if (/(s|x|z|ch|sh)$/.test(word)) forms.add(`${word}es`);
  if (/[^aeiou]y$/.test(word)) forms.add(`${word.slice(0, -1)}ies`);
  return [...forms];
}

/** The word tokens of a term or a text: lower-cased, punctuation dropped. */
export function isWord(normal: string): boolean {
  return /[\p{L}\p{N}]/u.test(normal);
}

function compileWords(term: string): WordMatcher[] {
  const trimmed = term.trim().toLowerCase();
  const prefix = trimmed.endsWith('*');
  const body = prefix ? trimmed.slice(0, -1) : trimmed;
  const words = tokenize(body)
    .map((t) => t.normal.toLowerCase())
    .filter(isWord);
  return words.map((w, i) =>
    prefix && i === words.length - 1 ? { kind: 'prefix', prefix: w } : { kind: 'exact', forms: wordForms(w) },
  );
}

function formatPath(themes: unknown[], path: PropertyKey[]): string {
  const [first, second, ...rest] = path;
  let where = '';
  let tail: PropertyKey[] = path;
  if (first === 'themes' && typeof second === 'number') {
    const t = themes[second];
    const id = t && typeof t === 'object' && typeof (t as { id?: unknown }).id === 'string' ? (t as { id: string }).id : '?';
    where = `themes[${second}] (${id})`;
    tail = rest;
  }
  for (const p of tail) where += typeof p === 'number' ? `[${p}]` : where ? `.${String(p)}` : String(p);
  return where || '(file)';
}

function fail(source: string, themes: unknown[], path: PropertyKey[], message: string): never {
  throw new TaxonomyError(`${source}: ${formatPath(themes, path)}: ${message}`);
}

/** Validates and compiles a taxonomy given as YAML text. `source` names it in error messages. */
export function parseTaxonomy(yamlText: string, source = '<taxonomy>'): Taxonomy {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (err) {
    throw new TaxonomyError(`${source}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(source, [], [], 'expected a mapping with a `themes:` list');
  const rawThemes = Array.isArray((raw as { themes?: unknown }).themes) ? ((raw as { themes: unknown[] }).themes) : [];

  const file = TaxonomyFile.safeParse(raw);
  if (!file.success) {
    const issue = file.error.issues[0]!;
    fail(source, rawThemes, issue.path, issue.message);
  }
  const defaults = file.data.defaults;

  const themes: ThemeDef[] = [];
  const seen = new Map<string, number>();
  file.data.themes.forEach((t, i) => {
    const parsed = ThemeDef.safeParse(t);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      fail(source, rawThemes, ['themes', i, ...issue.path], issue.message);
    }
    const theme = parsed.data;
    if (seen.has(theme.id)) fail(source, rawThemes, ['themes', i, 'id'], `duplicate id, already used by themes[${seen.get(theme.id)}]`);
    seen.set(theme.id, i);
    const declared = new Set([...theme.terms, ...theme.negative]);
    for (const key of Object.keys(theme.weights)) {
      if (!declared.has(key)) fail(source, rawThemes, ['themes', i, 'weights', key], 'not one of the theme\'s terms or negative terms');
    }
    const termSeen = new Set<string>();
    for (const [field, list] of [['terms', theme.terms], ['negative', theme.negative]] as const) {
      list.forEach((term, j) => {
        const key = term.toLowerCase();
        if (termSeen.has(key)) fail(source, rawThemes, ['themes', i, field, j], `"${term}" is listed twice`);
        termSeen.add(key);
        if (compileWords(term).length === 0) fail(source, rawThemes, ['themes', i, field, j], `"${term}" has no word in it`);
      });
    }
    themes.push(theme);
  });

  return { source, languages: file.data.languages, defaults, themes, compiled: compileTaxonomy(themes, defaults) };
}

/** Builds the lookup tables; done once per taxonomy. */
export function compileTaxonomy(themes: ThemeDef[], defaults: ScoringDefaults): CompiledTaxonomy {
  const compiled: CompiledTaxonomy = { themes: [], byFirstForm: new Map(), prefixFirst: [], maxWords: 1 };
  themes.forEach((t, ti) => {
    const ct: CompiledTheme = {
      id: t.id,
      label: t.label,
      description: t.description,
      threshold: t.threshold ?? defaults.threshold,
      minEvidence: t.minEvidence ?? defaults.minEvidence,
      strongWeight: t.strongWeight ?? defaults.strongWeight,
      negativeWeight: t.negativeWeight ?? defaults.negativeWeight,
      terms: [],
    };
    const add = (term: string, negative: boolean) => {
      const words = compileWords(term);
      const weight = t.weights[term] ?? (negative ? ct.negativeWeight : defaults.weight);
      const c: CompiledTerm = { term, theme: ti, weight, negative, words };
      ct.terms.push(c);
      compiled.maxWords = Math.max(compiled.maxWords, words.length);
      const first = words[0]!;
      if (first.kind === 'prefix') compiled.prefixFirst.push(c);
      else
        for (const f of first.forms) {
          const list = compiled.byFirstForm.get(f);
          if (list) list.push(c);
          else compiled.byFirstForm.set(f, [c]);
        }
    };
    for (const term of t.terms) add(term, false);
    for (const term of t.negative) add(term, true);
    compiled.themes.push(ct);
  });
  return compiled;
}

/** Reads, validates and compiles a taxonomy file (default: config/themes.yaml). */
export function loadTaxonomy(path: string = DEFAULT_TAXONOMY_PATH): Taxonomy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TaxonomyError(`cannot read the theme taxonomy ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseTaxonomy(text, path);
}
