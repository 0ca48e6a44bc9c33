// Entity stage: people, organisations, places and events found by rules over one wink-nlp
// parse of the cleaned text, with one canonical name per real entity in the document, plus
// wink-nlp's own DATE/TIME/MONEY/... entities and the per-segment normals/lemmas that the theme
// stage needs (so the text is parsed once).
//
// Recall comes from rules: capitalised chunks (proper-noun sequences, joined by hyphens and by
// "of/for/on/and/the/de/..."), titles before a name (learnt as wink custom entities), organisation
// and event head words, "X of Y" patterns, acronyms and their in-text expansions, lower-case place
// nouns ("Arua district") and "in/at/from X". The knowledge base (config/entities.yaml) only
// gives general world knowledge: canonical names, types and aliases, a place gazetteer, given names.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { MONTH_NAMES } from '../../shared/months.js';
import { INTRINSIC_LEXICON, its, lemmasOrNormals, packAnalysis, parseView, readDoc } from '../../shared/nlp.js';
import type { DedupDoc, EntitiesDoc, Entity, Mention, SegmentAnalysis } from '../../shared/schemas.js';

// ------------------------------------------------------------------ knowledge base

const KbEntryInput = z
  .object({
    name: z.string().trim().min(1),
    type: z.string().regex(/^[A-Z][A-Z_]*$/, 'must be an upper-case type such as PERSON, ORG, LOC or EVENT'),
    aliases: z.array(z.string().trim().min(1)).default([]),
  })
  .strict();

const KbFile = z
  .object({
    version: z.literal(1).optional(),
    entities: z.array(z.unknown()).default([]),
    places: z.array(z.string().trim().min(1)).default([]),
    givenNames: z.array(z.string().trim().min(1)).default([]),
    notEntities: z.array(z.string().trim().min(1)).default([]),
  })
  .strict();

export interface KbEntry {
  name: string;
  type: string;
  aliases: string[];
}

export interface KnowledgeBase {
  /** file the knowledge base was read from */
  path: string;
  entries: KbEntry[];
  /** normalised alias (case- and accent-insensitive) -> entry; acronyms are not in here */
  byAlias: Map<string, KbEntry>;
  /** acronym alias without dots, exactly as written in capitals (WHO, UN) -> entry */
  byAcronym: Map<string, KbEntry>;
  /** longest alias, in words: bounds the sub-span search */
  maxWords: number;
  /** normalised given names */
  givenNames: Set<string>;
  /** normalised strings that are never entities */
  notEntities: Set<string>;
}

export class KnowledgeBaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KnowledgeBaseError';
  }
}

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_KB_PATH = resolve(here, '../../../config/entities.yaml');

const ZERO_WIDTH = /[\u00AD\u200B-\u200D\u2060\uFEFF]/g;
/**
 * Normalised form of a name, the same as the evaluation scorer uses: NFKD, no accents, lower
 * case, no possessive 's or apostrophes, other punctuation as spaces, single spaces, no leading "the".
 */
export function normName(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(ZERO_WIDTH, '')
    .toLowerCase()
    .replace(/['\u2018\u2019\u02BC\u2032`\u00B4]s(?![\p{L}\p{N}])/gu, '')
    .replace(/['\u2018\u2019\u02BC\u2032`\u00B4]/gu, '')
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(/^the /, '');
}

const ACRONYM_ALIAS = /^[A-Z][A-Z0-9.&-]*[A-Z0-9]\.?$/;
const isAcronymAlias = (s: string) => ACRONYM_ALIAS.test(s) && /[A-Z].*[A-Z]/.test(s);
const acronymKey = (s: string) => s.replace(/\./g, '');

/** Reads and validates the knowledge base; errors name the file, the entry and the field. */
export function loadKnowledgeBase(path: string = DEFAULT_KB_PATH): KnowledgeBase {
  if (!existsSync(path)) throw new KnowledgeBaseError(`knowledge base ${path} does not exist`);
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new KnowledgeBaseError(`knowledge base ${path} is not valid YAML: ${(err as Error).message}`);
  }
  const top = KbFile.safeParse(raw ?? {});
  if (!top.success) {
    const issue = top.error.issues[0]!;
    throw new KnowledgeBaseError(`knowledge base ${path}: field "${issue.path.join('.') || '(top level)'}" ${issue.message}`);
  }
  const entries: KbEntry[] = [];
  top.data.entities.forEach((e, i) => {
    const r = KbEntryInput.safeParse(e);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const label = e && typeof e === 'object' && typeof (e as { name?: unknown }).name === 'string' ? ` ("${(e as { name: string }).name}")` : '';
      const field = issue.path.length ? issue.path.join('.') : issue.code === 'unrecognized_keys' ? (issue as { keys?: string[] }).keys?.join(', ') ?? '' : '(entry)';
      throw new KnowledgeBaseError(`knowledge base ${path}: entities[${i}]${label}, field "${field}": ${issue.message}`);
    }
    entries.push(r.data);
  });
  for (const p of top.data.places) entries.push({ name: p, type: 'LOC', aliases: [] });

  const byAlias = new Map<string, KbEntry>();
  const byAcronym = new Map<string, KbEntry>();
  let maxWords = 1;
  for (const entry of entries) {
    for (const form of [entry.name, ...entry.aliases]) {
      if (isAcronymAlias(form)) {
        const k = acronymKey(form);
        if (!byAcronym.has(k)) byAcronym.set(k, entry);
        continue;
      }
      const k = normName(form);
      if (!k) continue;
      // the first entry that claims an alias keeps it: hand-written entries come before places
      // ("UN X" and "United Nations X" are one alias, written either way)
      const un = k.startsWith('un ') ? `united nations ${k.slice(3)}` : k.startsWith('united nations ') ? `un ${k.slice(15)}` : null;
      for (const key of un ? [k, un] : [k]) {
        if (!byAlias.has(key)) byAlias.set(key, entry);
        maxWords = Math.max(maxWords, key.split(' ').length);
      }
    }
  }
  return {
    path,
    entries,
    byAlias,
    byAcronym,
    maxWords,
    givenNames: new Set(top.data.givenNames.map(normName)),
    notEntities: new Set(top.data.notEntities.map(normName)),
  };
}

// ------------------------------------------------------------------ word lists of the rules

const set = (s: string) => new Set(s.split(/\s*,\s*/).filter(Boolean));

/** Legal forms that end a company's name: "Apple Inc.", "Siemens AG", "Nestlé S.A." */
const LEGAL_FORMS = set('inc,inc.,incorporated,corp,corp.,ltd,ltd.,limited,llc,llp,lp,plc,gmbh,ag,kgaa,se,sa,s.a.,nv,n.v.,b.v.,s.p.a.,spa,srl,ab,asa,oyj,co.,holdings,pty');
const ORG_HEADS = set(
  'council,councils,organization,organisation,organizations,organisations,agency,bank,fund,programme,program,union,assembly,court,commission,ministry,department,office,institute,institution,university,college,school,foundation,association,federation,committee,group,coalition,alliance,network,forum,panel,board,authority,secretariat,service,corporation,company,party,parliament,congress,senate,tribunal,society,centre,center,partnership,facility,division,bureau,unit,airways,airlines,trust,mission,league,club,academy,observatory,movement,front,army,police,force,forces,agencies,church,hospital,times,post,news,press,administration,centers,centres,library,jail,prison,exchange,courthouse,ledger,gazette,herald,tribune,chronicle,telegraph,extension,chamber,chambers,section,directorate,inspectorate,consortium,cooperative,clinic,museum,embassy,consulate,caucus,corps,brigade,regiment,battalion,navy,conservancy,guild,rovers,wanderers,athletic,albion,hotspur',
);
/**
 * The last word of many a company's name: "Northwind Technologies", "Siemens Energy". Only
 * after a word that is not an ordinary one: "Debt Solutions", "Clean Energy" are no companies.
 */
const COMPANY_HEADS = set(
  'technologies,systems,robotics,pharmaceuticals,therapeutics,biosciences,industries,networks,labs,laboratories,motors,capital,partners,ventures,media,communications,electronics,logistics,entertainment,enterprises,brands,petroleum,semiconductor,semiconductors,software,healthcare,insurance,bancorp,energy',
);
for (const f of [...LEGAL_FORMS, ...COMPANY_HEADS]) ORG_HEADS.add(f);
const isLegalForm = (token: string) => LEGAL_FORMS.has(token) || LEGAL_FORMS.has(`${token}.`);
/** legal forms that follow a comma ("Acme Robotics, Inc."): not "SE" or "SA" ("Africa, SE Asia", "Adelaide, SA") */
const COMMA_FORMS = set('inc,incorporated,ltd,limited,llc,llp,l.p,corp,plc,gmbh,n.v,s.a,b.v,s.p.a');
/** what may follow a company's short name in its full name: "Inc.", "Corporation", "Group" */
const isCompanyEnd = (token: string) => isLegalForm(token) || token === 'corporation' || token === 'company' || token === 'group';
const EVENT_HEADS = set(
  'summit,conference,day,week,games,olympics,olympiad,cup,championship,championships,war,revolution,festival,session,expo,decade,meeting,marathon,massacre,genocide,uprising,earthquake,tsunami,symposium,fair,prix,finals',
);
const LOC_PREFIX = set('lake,mount,mt.,cape,isle,river,port,fort,lac,wadi,wad,jebel,jabal,djebel,khor,bahr');
const EVENT_PREFIX = set('hurricane,cyclone,typhoon,storm,operation,battle,siege');
/** people who work "at" a company: "analysts at Jefferies" */
const WORKERS = set('analyst,analysts,economist,economists,strategist,strategists,researcher,researchers,scientist,scientists,engineer,engineers,executive,executives,partner,partners,director,head,chief,employee,employees,staff,professor,lecturer,student,students,trader,traders,banker,bankers,official,officials,spokesperson,spokesman,spokeswoman');
/** verbs of speech after a person's name: "Mekdes said" */
const SPEECH_VERBS = set('said,says,told,tells,recalled,recalls,explained,explains,added,adds,asked,asks,remembered,remembers,whispered,admitted,admits,insisted,insists');
/** nouns of kin before a person's first name: "her brother Yonas" */
const RELATIVES = set('brother,sister,son,daughter,husband,wife,mother,father,cousin,uncle,aunt,grandmother,grandfather,niece,nephew,neighbour,neighbor,friend');
/** lower-case words a headline's "-ing" verb follows: "Sentenced for Defrauding ..." */
const GERUND_PREPS = set('for,of,by,after,before,while,in,on,from,over,without,with,against,about');
/** "(NASDAQ: NRDV)", "(NYSE: ACME)": a ticker follows the exchange */
const STOCK_EXCHANGES = set('NASDAQ,Nasdaq,NYSE,AMEX,LSE,TSX,TSE,ASX,HKEX,SIX,OTC,OTCQX,OTCQB,Euronext,XETRA');
/** the word before a storm's name, and what may come before it: "Tropical Storm Debby" */
const STORM_WORDS = set('hurricane,cyclone,typhoon,storm,depression');
const STORM_LEADS = set('tropical,super,severe');
const LOC_HEADS = set(
  'ocean,sea,river,lake,mountains,mountain,island,islands,isles,peninsula,gulf,bay,strait,straits,canal,desert,valley,coast,basin,region,district,province,county,delta,plateau,highlands,archipelago,city,town,village,square,street,avenue,park,airport,boulevard,road,arena,stadium,garden,gardens,highway,motorway,expressway,freeway,tunnel',
);
/** "Republic of Cuba": a mention of the place after "of" */
/** names of documents and plans: "Paris Agreement" is no mention of Paris */
const DOC_HEADS = set('paper,update,bulletin,factsheet,roadmap,blueprint,agreement,agreements,convention,treaty,act,protocol,declaration,charter,accord,accords,resolution,plan,agenda,compact,strategy,framework,pathway,report,goals,principles,law,constitution,covenant,statute,initiative,index,guidance,note,vision');
const LOC_OF_HEADS = set('delegation,republic,state,kingdom,commonwealth,principality,sultanate,emirate,federation,government,people,island,islands,city');
/** prepositions before a place rather than a person or a body ("at Acme", "from John Smith" are not) */
const PLACE_PREPS = set('in,near,across,throughout,outside,inside,towards');
/** the last word of a place's name that is no surname: "Arbaat Dam", "Vitality Stadium" */
/** surnames that are ordinary words too: "Chris Wood", "Condoleezza Rice" stay people */
const WORD_SURNAMES = set(
  'smith,brown,black,white,green,gray,grey,young,king,wood,woods,stone,hill,hills,rice,bush,gates,price,ford,page,bell,hunt,cook,walker,baker,fisher,hunter,bishop,knight,mason,turner,carter,miller,parker,cooper,ward,hall,lane,long,little,love,moon,rose,fox,wolf,lamb,bond,frost,snow,winter,west,north,south,marsh,mills,banks,rivers,fields,wells,day,may,chase,cross,field,ball,grant,lord,pope,short,strong,sharp,wise,rich,noble,sterling,gold,silver,steel,booth,butler,carpenter,singer,porter,taylor,tailor,weaver,sawyer,shepherd,archer,bowman,fowler,glass,hope,joy,faith,major,marshall,street,park,ring,page,head,cash,rain,storm,fry,bean,rice,lee,peace,crane,swan,finch,drake,nash,pierce,newman,freeman,goodman,english,french,irish,welsh,holland,england,law,power,powers,best,hart,hay,moss,reed,bloom,bird,sparrow,burns,barnes,ash,oakes,coleman,wolfe,lyons,roach',
);
const PLACE_WORDS = set('dam,stadium,arena,bridge,station,mall,plaza,harbour,harbor,port,tower,palace,cathedral,mosque,temple,campus');
/** lower-case nouns after an unknown capitalised name that make it a place: "Arua district" */
const LOC_NOUNS = set('crossing,checkpoint,district,province,region,county,municipality,village,town,city,camp,settlement,governorate,prefecture,island,river,valley,state,oblast,department');
/** lower-case nouns before "of" and a place's name: "the port of Arguineguín" */
const PLACE_OF_NOUNS = set('city,town,village,port,island,islands,region,province,district,county,capital,municipality,governorate,prefecture,commune,suburb,suburbs,outskirts,neighbourhood,neighborhood,state,oblast,department,coast,shores,streets');
const CONNECTORS = set('against,of,for,on,and,the,de,del,della,da,das,do,dos,di,du,des,la,van,von,der,den,ten,ter,bin,ibn,al,el,y,&');
const PREPS = set('of,for,on,against');
/** Longest capitalised chunk analysed as one (see DocReader.boundedChunk). */
const MAX_CHUNK = 32;
/** after a surname: "Thomas R. Whitfield Jr.", "John F. Kennedy III" */
const NAME_SUFFIXES = set('Jr.,Jr,Sr.,Sr,II,III,IV');
const SUFFIX_TOKENS = set('jr,sr,ii,iii,iv');
const NAME_PARTICLES = set('de,del,della,da,das,do,dos,di,du,des,la,van,von,der,den,ten,ter,bin,ibn,al,el,y');
const MONTHS_DAYS = set(
  'january,february,march,april,may,june,july,august,september,october,november,december,jan,feb,mar,apr,jun,jul,aug,sep,sept,oct,nov,dec,monday,tuesday,wednesday,thursday,friday,saturday,sunday',
);
/**
 * Verbs of title-case headlines, never part of a name: "Hochul Announces $50 Million ...",
 * "Acme Robotics Reports Record Results", "Governor Newsom Signs Climate Bill".
 */
const HEADLINE_VERBS = set(
  'announces,unveils,launches,reports,signs,says,wins,names,appoints,acquires,completes,expands,opens,releases,introduces,celebrates,awards,joins,receives,hosts,urges,warns,approves,invests,secures,raises,confirms,delivers,welcomes,highlights,applauds,commends,declares,reaffirms,condemns,extends,proposes,requests,honors,honours,recognizes,recognises,visits,meets,calls,beat,beats,defeats,say,rules,finds,faces,seeks,backs,rejects,slams,sues,plans,vows,cuts,hikes,lifts,drops,falls,rises,jumps,surges,slumps,tops,go,goes,hit,hits,kills,strikes,threatens,blocks,bans,orders,agrees,adopts,elects,wins,loses,ends,starts,marks,returns,sets,keeps,takes,makes,gets,gives',
);
/** Letters after a name: degrees and honours, no organisations. */
const POSTNOMINALS = set('M.D.,MD,Ph.D.,PhD,MBA,MPH,RN,DDS,Esq.,OBE,CBE,MBE,KBE,DBE,FRS,QC,KC,CPA');
/** Time zones after a time ("5:00 p.m. ET") are no organisations. */
const TIME_ZONES = set('ET,EST,EDT,CT,CST,CDT,MT,MST,MDT,PT,PST,PDT,GMT,UTC,BST,CET,CEST,EET,EEST,IST,JST,AEST,AEDT,HKT,SGT');
/** A dateline's state or country abbreviation: "ALBANY, N.Y. —", "PALO ALTO, Calif. —" */
const DATELINE_ABBR = /^(?:(?:\p{Lu}\.){2,}|\p{Lu}\p{Ll}{1,4}\.)$/u;
/** US states by postal code and AP abbreviation (without dots, upper case): "NY", "N.Y.", "Calif." */
const US_STATE_ABBR = new Map<string, string>();
for (const [name, ...abbrs] of [
  ['Alabama', 'AL', 'ALA'], ['Alaska', 'AK'], ['Arizona', 'AZ', 'ARIZ'], ['Arkansas', 'AR', 'ARK'], ['California', 'CA', 'CALIF'],
  ['Colorado', 'CO', 'COLO'], ['Connecticut', 'CT', 'CONN'], ['Delaware', 'DE', 'DEL'], ['Florida', 'FL', 'FLA'], ['Georgia', 'GA'],
  ['Hawaii', 'HI'], ['Idaho', 'ID'], ['Illinois', 'IL', 'ILL'], ['Indiana', 'IN', 'IND'], ['Iowa', 'IA'], ['Kansas', 'KS', 'KAN'],
  ['Kentucky', 'KY'], ['Louisiana', 'LA'], ['Maine', 'ME'], ['Maryland', 'MD'], ['Massachusetts', 'MA', 'MASS'],
  ['Michigan', 'MI', 'MICH'], ['Minnesota', 'MN', 'MINN'], ['Mississippi', 'MS', 'MISS'], ['Missouri', 'MO'], ['Montana', 'MT', 'MONT'],
  ['Nebraska', 'NE', 'NEB'], ['Nevada', 'NV', 'NEV'], ['New Hampshire', 'NH'], ['New Jersey', 'NJ'], ['New Mexico', 'NM'],
  ['New York State', 'NY'], ['North Carolina', 'NC'], ['North Dakota', 'ND'], ['Ohio', 'OH'], ['Oklahoma', 'OK', 'OKLA'],
  ['Oregon', 'OR', 'ORE'], ['Pennsylvania', 'PA'], ['Rhode Island', 'RI'], ['South Carolina', 'SC'], ['South Dakota', 'SD'],
  ['Tennessee', 'TN', 'TENN'], ['Texas', 'TX', 'TEX'], ['Utah', 'UT'], ['Vermont', 'VT'], ['Virginia', 'VA'], ['Washington', 'WA', 'WASH'],
  ['West Virginia', 'WV'], ['Wisconsin', 'WI', 'WIS'], ['Wyoming', 'WY', 'WYO'], ['Washington, D.C.', 'DC'],
]) for (const a of abbrs) US_STATE_ABBR.set(a!, name!);
const US_STATE_NAMES = new Set([...US_STATE_ABBR.values()].map((n) => n.toLowerCase()));
/** capitalised words that never make a person name */
const NOT_NAME_WORDS = set('day,week,year,years,month,morning,evening,north,south,east,west,northern,southern,eastern,western,central,international,national,global,world,new,happy,dear,welcome,thanks,thank');
const LEAD_WORDS = set('this,that,these,those,our,my,his,her,their,its,your,we,a,an,many,several,some,all,most,few,other,both,each,every,such,any,no,more,fellow,dear,happy');
const LEAD_POS = set('DET,PRON,VERB,AUX,ADV,ADP,SCONJ,CCONJ,INTJ,PART');
const LOC_WEAK_PREPS = set('in,at,from,near,across,throughout,inside,outside,towards');
/** honorifics: any capitalised word after one of these is a person's name */
const HONORIFICS = ['mr', 'mr.', 'mrs', 'mrs.', 'ms', 'ms.', 'miss', 'mx', 'mx.', 'dr', 'dr.', 'prof', 'prof.', 'professor', 'sir', 'dame', 'madam', 'madame',
  'honourable', 'honorable', 'hon.', 'hon', 'rt. hon.', 'right honourable', 'right honorable', 'h.e.', 'his excellency', 'her excellency', 'his majesty', 'her majesty', 'his royal highness', 'her royal highness', 'his holiness'];
/** offices addressed after an honorific, with no name: "Mr. President", "Madam Chair" (not "Mr. King") */
const ADDRESSED_OFFICES = set('president,vice-president,vice president,chair,chairman,chairwoman,chairperson,speaker,secretary-general,secretary - general,secretary,minister,prime minister,ambassador,mayor,governor,moderator,commissioner,director,director-general,director - general,co-chair,co - chair,deputy');
/** role titles: a name after one of these is a person's (a lone word only if it is not a common word) */
const ROLE_TITLES = [
  'president', 'vice-president', 'vice president', 'secretary-general', 'deputy secretary-general', 'under-secretary-general',
  'assistant secretary-general', 'director-general', 'deputy director-general', 'executive director', 'high commissioner',
  'special envoy', 'special representative', 'special rapporteur', 'prime minister', 'deputy prime minister', 'foreign minister',
  'minister', 'ambassador', 'king', 'queen', 'prince', 'princess', 'emperor', 'empress', 'pope', 'sheikh', 'emir', 'sultan',
  'chancellor', 'senator', 'governor', 'mayor', 'judge', 'chief', 'chairman', 'chairwoman', 'chairperson', 'speaker',
  'archbishop', 'bishop', 'cardinal', 'rev.', 'reverend', 'commissioner', 'envoy', 'colonel', 'captain', 'lieutenant', 'admiral',
  'general secretary', 'secretary', 'spokesperson', 'spokesman', 'spokeswoman', 'novelist', 'author', 'activist', 'photographer',
  'ceo', 'cfo', 'coo', 'cto', 'chief executive', 'chief executive officer', 'chief financial officer', 'chief operating officer',
  'managing director', 'founder', 'co-founder', 'chair',
  'chief medical officer', 'chief technology officer', 'chief scientific officer', 'chief science officer', 'chief commercial officer',
  'chief marketing officer', 'chief information officer', 'chief strategy officer', 'chief investment officer', 'chief legal officer',
  'general counsel', 'executive vice president', 'senior vice president', 'majority leader', 'minority leader', 'senate majority leader',
  'house speaker', 'administrator', 'manager', 'head coach', 'coach',
  'secretary of state', 'attorney general', 'chief justice', 'detective', 'sergeant', 'detective sergeant', 'inspector',
  // UN field and agency titles: "UN High Commissioner for Refugees Filippo Grandi", "WFP Country Director Wanja Kaaria"
  'high commissioner for refugees', 'un high commissioner for refugees', 'united nations high commissioner for refugees',
  'high commissioner for human rights', 'un high commissioner for human rights', 'united nations high commissioner for human rights',
  'resident coordinator', 'humanitarian coordinator', 'resident and humanitarian coordinator', 'un resident coordinator',
  'un humanitarian coordinator', 'un resident and humanitarian coordinator', 'country director', 'regional director',
  'resident representative', 'country representative', 'deputy director', 'director',
  'trial attorney', 'trial attorneys',
  // US justice press releases: "Acting United States Attorney Ellison C. Travis", "U.S. District Judge Shelly D. Dick"
  'attorney', 'district attorney', 'assistant district attorney', 'u.s. attorney', 'united states attorney',
  'assistant u.s. attorney', 'assistant united states attorney', 'acting u.s. attorney', 'acting united states attorney',
  'lieutenant general', 'lieutenant-general', 'major general', 'major-general', 'brigadier general', 'brigadier-general',
  'brigadier', 'air marshal', 'field marshal', 'vice admiral', 'rear admiral', 'lt. gen.', 'maj. gen.', 'brig. gen.',
  'prosecutor', 'district judge', 'u.s. district judge', 'united states district judge', 'chief u.s. district judge',
  'senior u.s. district judge', 'magistrate judge', 'u.s. magistrate judge', 'united states magistrate judge',
  'circuit judge', 'chief judge', 'special agent', 'sheriff',
  // abbreviated (US news): "Sen. Chuck Schumer", "Gov. Gavin Newsom", "Lt. Col. Sarah Brown"
  'sen.', 'gov.', 'rep.', 'gen.', 'lt.', 'col.', 'lt. col.', 'sgt.', 'capt.', 'adm.', 'maj.', 'cmdr.', 'det.', 'supt.', 'insp.',
];

// Titles are found by a longest-match walk over each document's tokens (their normal forms)
// rather than by wink-nlp's custom entities: learnt patterns made every readDoc run a second
// automaton, which nearly doubled the cost of parsing a document for what is a word-list lookup.
interface TitleNode {
  next: Map<string, TitleNode>;
  honorific?: boolean;
}

function buildTitleTrie(): TitleNode {
  const root: TitleNode = { next: new Map() };
  // each title is tokenised as wink tokenises text ("Secretary-General" is secretary, -, general);
  // hyphenated titles also match with a space
  const tokensOf = (t: string) => readDoc(t).tokens().out(its.normal as never) as unknown as string[];
  const add = (t: string, honorific: boolean) => {
    let node = root;
    for (const w of tokensOf(t)) {
      let nx = node.next.get(w);
      if (!nx) node.next.set(w, (nx = { next: new Map() }));
      node = nx;
    }
    node.honorific ??= honorific;
  };
  for (const [list, honorific] of [[HONORIFICS, true], [ROLE_TITLES, false]] as const) {
    for (const t of list) {
      add(t, honorific);
      if (t.includes('-')) add(t.replace(/-/g, ' '), honorific);
    }
  }
  return root;
}
const TITLES = buildTitleTrie();

/** Titles in a token sequence: the longest from each position, not overlapping, left to right. */
function findTitles(lower: string[]): { start: number; end: number; honorific: boolean }[] {
  const out: { start: number; end: number; honorific: boolean }[] = [];
  for (let i = 0; i < lower.length; i++) {
    // "900 ms. After that": milliseconds, not "Ms."
    if ((lower[i] === 'ms.' || lower[i] === 'ms') && /\d$/.test(lower[i - 1] ?? '')) continue;
    let node: TitleNode | undefined = TITLES;
    let best: { end: number; honorific: boolean } | null = null;
    for (let j = i; j < lower.length; j++) {
      node = node.next.get(lower[j]!);
      if (!node) break;
      if (node.honorific !== undefined) best = { end: j, honorific: node.honorific };
    }
    if (best) {
      out.push({ start: i, ...best });
      i = best.end; // spans [start, end] include their last token
    }
  }
  return out;
}

/** wink-nlp entity types that are kept as they are */
const KEPT_TYPES = new Set(['DATE', 'TIME', 'DURATION', 'MONEY', 'PERCENT', 'CARDINAL', 'ORDINAL', 'URL', 'EMAIL']);

// ------------------------------------------------------------------ common-word lookup

// Whether a lower-case word is an ordinary English word (in wink's lexicon and not a proper noun)
// is looked up once per distinct word per process and cached: it tells a sentence-initial "Healing"
// or "Global Compact" from a name such as "Trygve" or "Dinnoo".
const wordCache = new Map<string, { common: boolean; pos: string }>();
function wordInfo(lower: string): { common: boolean; pos: string } {
  let r = wordCache.get(lower);
  if (r !== undefined) return r;
  const t = readDoc(lower).tokens();
  const ids = t.out(its.uniqueId as never) as unknown as number[];
  const pos = t.out(its.pos as never) as unknown as string[];
  r = { common: ids.length === 1 && ids[0]! < INTRINSIC_LEXICON && pos[0] !== 'PROPN' && pos[0] !== 'X', pos: pos[0] ?? '' };
  if (wordCache.size > 100_000) wordCache.clear();
  wordCache.set(lower, r);
  return r;
}

function isCommonWord(lower: string): boolean {
  return wordInfo(lower).common;
}

/** An ordinary word read on its own as a noun ("grid", "forest"; not "lie", "may"). */
function isCommonNoun(lower: string): boolean {
  const w = wordInfo(lower);
  return w.common && w.pos === 'NOUN';
}

// ------------------------------------------------------------------ per-document extraction

interface RawMention {
  type: string;
  /** name without titles */
  name: string;
  kb?: KbEntry;
  start: number;
  end: number;
  /** an acronym mention: may be tied to an expansion */
  acronym?: string;
}

interface Bare {
  text: string;
  start: number;
  end: number;
  /** the unexplained name this word is one of ("Capital" of "Sequoia Capital"), as normal tokens and offsets */
  chunk?: { key: string; start: number; end: number };
  /** a person's first name used alone ("Mekdes said"): a person of its own if it names nothing else */
  person?: boolean;
}

const CAP = /^\p{Lu}/u;
const ACRONYM = /^[A-Z][A-Z&]*[A-Z](\d{1,4})?$|^([A-Z]\.){2,}$/;
const ACRONYM_NUM = /^[A-Z]{2,}\d{1,4}$/;
const YEAR = /^(1[5-9]|20)\d\d$/;
const INITIAL = /^\p{Lu}\.$/u;
const POSSESSIVE = /^['’]s$/;

class DocReader {
  readonly v: string[];
  readonly lower: string[];
  readonly pos: string[];
  readonly type: string[];
  readonly sp: string[];
  readonly start: number[];
  readonly end: number[];
  readonly lemma: string[];
  readonly sentStart: Uint8Array;
  /** token index -> end token index of a title starting there; negative for role titles */
  readonly title = new Map<number, { end: number; honorific: boolean }>();
  readonly mentions: RawMention[] = [];
  readonly bare: Bare[] = [];
  /** acronym -> the mention of its expansion: "World Health Organization (WHO)" */
  readonly expansions = new Map<string, RawMention>();
  readonly numeric: { type: string; start: number; end: number; s: number; e: number }[] = [];
  /** acronyms spelt out in brackets somewhere in the text: "Federal Emergency Management Agency (FEMA)" */
  readonly defined = new Set<string>();
  /** acronyms of terms, spelt out in lower case somewhere: "gender-based violence (GBV)" */
  readonly terms = new Set<string>();
  /** tokens no name may hold: a dateline's state abbreviation */
  readonly skip = new Set<number>();
  /** first and last token of each dateline's place in capitals ("ALBANY", "SAN FRANCISCO") */
  readonly datelines = new Map<number, number>();

  constructor(
    readonly text: string,
    readonly kb: KnowledgeBase,
    /** the rules are for English: in a document in another language only knowledge-base names count */
    readonly kbOnly = false,
    /** character ranges where only knowledge-base names count (title-case headlines: see titleCaseHeadings) */
    readonly kbOnlyRanges: readonly [number, number][] = [],
  ) {
    // offsets come from the token values and spaces, so a parse view of the same length serves
    const doc = readDoc(parseView(text));
    const tokens = doc.tokens();
    const out = <T>(f: unknown) => tokens.out(f as never) as unknown as T[];
    this.v = out<string>(its.value);
    this.sp = out<string>(its.precedingSpaces);
    this.lower = out<string>(its.normal);
    // wink-nlp has no lemma for some tokens: "cannot" before punctuation ("We cannot," said
    // ...) stays one token whose lemma is undefined. Such a token is its own lemma.
    this.lemma = lemmasOrNormals(out<string | undefined>(its.lemma), this.lower);
    this.pos = out<string>(its.pos);
    this.type = out<string>(its.type);
    const n = this.v.length;
    this.start = new Array<number>(n);
    this.end = new Array<number>(n);
    let off = 0;
    for (let i = 0; i < n; i++) {
      off += this.sp[i]!.length;
      this.start[i] = off;
      off += this.v[i]!.length;
      this.end[i] = off;
    }
    this.sentStart = new Uint8Array(n + 1);
    const sentSpans = doc.sentences().out(its.span as never) as unknown as [number, number][];
    for (const [s] of sentSpans) {
      // a sentence starts at its first token, and after opening quotes or brackets
      let i = s;
      this.sentStart[i] = 1;
      while (i < n && this.type[i] === 'punctuation') this.sentStart[++i] = 1;
    }
    // a line break (wink keeps it as a token of its own, or in the spaces) starts a sentence too
    for (let i = 0; i < n; i++) {
      if (this.sp[i]!.includes('\n') || (i > 0 && this.type[i - 1] === 'tabCRLF')) {
        let j = i;
        this.sentStart[j] = 1;
        while (j < n && this.type[j] === 'punctuation') this.sentStart[++j] = 1;
      }
    }
    for (const t of findTitles(this.lower)) this.title.set(t.start, { end: t.end, honorific: t.honorific });
    // (after a capitalised name: "gigawatts (GW)" defines a unit, not an organisation; a match
    // starts at a word's start, or a run of 100,000 capitals took 11 s)
    for (const m of text.matchAll(/(?<![\p{L}\p{M}.'’-])\p{Lu}[\p{L}\p{M}.'’-]*\s+\(((?:\p{Lu}\.?){2,10})\)/gu)) this.defined.add(acronymKey(m[1]!));
    // "gender-based violence (GBV)", "human papillomavirus (HPV)": the short form of a term, which
    // stays no name wherever it is used again in the text
    for (const m of text.matchAll(/(?<![\p{L}\p{M}.'’-])\p{Ll}[\p{L}\p{M}'’-]*\s+\(((?:\p{Lu}\.?){2,10}s?)\)/gu)) this.terms.add(acronymKey(m[1]!));
    this.findDatelines();
    const ents = doc.entities();
    const eSpans = ents.out(its.span as never) as unknown as [number, number][];
    const eTypes = ents.out(its.type as never) as unknown as string[];
    eSpans.forEach(([s, e], k) => {
      const t = eTypes[k]!;
      if (KEPT_TYPES.has(t)) this.numeric.push({ type: t, start: this.start[s]!, end: this.end[e]!, s, e });
    });
  }

  /**
   * News datelines: a place in capitals opening a line, then a comma or a bracket ("ALBANY, N.Y.
   * —", "WASHINGTON (Reuters) -", "BOSTON, Oct. 24, 2024 /PRNewswire/ --"). The place is a
   * place, not an acronym, and the state abbreviation after it is no name of its own.
   */
  private findDatelines(): void {
    const n = this.v.length;
    for (let i = 0; i < n; i++) {
      if (!(i === 0 || this.sp[i]!.includes('\n') || this.type[i - 1] === 'tabCRLF')) continue;
      let e = i;
      while (e < n && /^\p{Lu}{2,}$/u.test(this.v[e]!) && (e === i || this.sp[e] === ' ')) e++;
      e--;
      if (e < i || !(this.v[e]!.length >= 3 || e > i)) continue;
      // not an organisation's acronym ("UNICEF, WFP and UNHCR said"), nor a word ("BREAKING —")
      if (e === i && (this.defined.has(this.v[i]!) || (this.kb.byAcronym.get(this.v[i]!)?.type ?? 'LOC') !== 'LOC' || isCommonWord(this.lower[i]!))) continue;
      if (!this.datelineAfter(e + 1)) continue;
      const next = this.v[e + 1]!;
      this.datelines.set(i, e);
      if (next === ',' && DATELINE_ABBR.test(this.v[e + 2] ?? '') && !MONTHS_DAYS.has(this.lower[e + 2]!.replace(/\.$/, ''))) this.skip.add(e + 2);
    }
  }

  /**
   * What follows a dateline's place at token k: a dash; a comma and a state abbreviation, a date
   * or a dash soon after ("ALBANY, N.Y. —", "BOSTON, Oct. 24"); a bracket, then a dash after it
   * ("WASHINGTON (Reuters) -"). "GUTERRES (through interpreter):" is no dateline.
   */
  private datelineAfter(k: number): boolean {
    const isDash = (t: string | undefined) => t !== undefined && /^[-–—]+$/.test(t);
    const next = this.v[k];
    if (isDash(next)) return true;
    if (next === ',') {
      const w = this.v[k + 1] ?? '';
      if (DATELINE_ABBR.test(w) || monthOf(w) !== undefined || /^\d/.test(w)) return true;
      // ("PASADENA, California, 3 March 2025 —": a state and a date before the dash)
      for (let j = k + 1; j <= k + 8 && j < this.v.length && !this.sp[j]!.includes('\n'); j++) if (isDash(this.v[j])) return true;
      return false;
    }
    if (next === '(') {
      for (let j = k + 1; j <= k + 5 && j < this.v.length; j++) if (this.v[j] === ')') return isDash(this.v[j + 1]);
    }
    return false;
  }

  private isNameTok(i: number): boolean {
    const v = this.v[i]!;
    if (!CAP.test(v) || this.type[i] === 'punctuation') return false;
    if (MONTHS_DAYS.has(this.lower[i]!.replace(/\.$/, '')) || HEADLINE_VERBS.has(this.lower[i]!) || this.skip.has(i)) return false;
    if (v.length === 1 && this.pos[i] === 'PRON') return false; // "I"
    if (this.sp[i] === '' && /^(?:ST|ND|RD|TH)$/i.test(v) && /\d$/.test(this.v[i - 1] ?? '')) return false; // "1250TH"
    if (/^No\.?$/.test(v) && /^\d/.test(this.v[i + 1] ?? '')) return false; // "Update No. 3"
    return true;
  }

  private noBreak(i: number): boolean {
    return !this.sp[i]!.includes('\n') && !this.sentStart[i];
  }

  /** Finds the capitalised chunks and analyses each. */
  run(): void {
    const n = this.v.length;
    this.spelledOutKnown();
    let i = 0;
    while (i < n) {
      if (!this.isNameTok(i)) {
        i++;
        continue;
      }
      const s = i;
      let e = i;
      let j = i + 1;
      while (j < n && this.noBreak(j)) {
        const v = this.v[j]!;
        if (this.isNameTok(j)) {
          e = j;
          j++;
          continue;
        }
        // hyphen joiner: Iran-Iraq, Secretary-General, "Secretary- General"
        if ((v === '-' || v === '‑') && this.sp[j] === '' && j + 1 < n && this.isNameTok(j + 1) && this.sp[j + 1]!.length <= 1 && !this.sp[j + 1]!.includes('\n')) {
          e = j + 1;
          j += 2;
          continue;
        }
        // a particle between hyphens: "Port-au-Prince", "Aix-en-Provence", "Dar-es-Salaam"
        if ((v === '-' || v === '‑') && this.sp[j] === '' && j + 3 < n && /^\p{Ll}{1,4}$/u.test(this.v[j + 1]!) && this.sp[j + 1] === '' && (this.v[j + 2] === '-' || this.v[j + 2] === '‑') && this.sp[j + 2] === '' && this.sp[j + 3] === '' && this.isNameTok(j + 3)) {
          e = j + 3;
          j += 4;
          continue;
        }
        // a legal form after a comma: "Acme Robotics, Inc."
        if (v === ',' && j + 1 < n && this.sp[j + 1] === ' ' && /^\p{Lu}/u.test(this.v[j + 1]!) && COMMA_FORMS.has(this.lower[j + 1]!.replace(/\.$/, ''))) {
          e = j + 1;
          j += 2;
          continue;
        }
        // a possessive inside a name: "St. Mary's Hospital", "Women's World Cup" (not "China's
        // Foreign Ministry": a known name before it owns what follows)
        if (POSSESSIVE.test(v) && this.sp[j] === '' && this.possessiveJoins(s, e, j)) {
          e = j + 1;
          j += 2;
          continue;
        }
        // initials: Jeffrey D. Sachs
        if (INITIAL.test(v)) {
          e = j;
          j++;
          continue;
        }
        // connectors followed by a capitalised word: of, for, the, and, de ...
        if (CONNECTORS.has(v) && v === v.toLowerCase()) {
          let k = j;
          while (k < n && k - j < 3 && CONNECTORS.has(this.v[k]!) && this.noBreak(k)) k++;
          // "Group of 77", "Group of 20": a number after "of" ends the name
          if (v === 'of' && k === j + 1 && k < n && /^\d{1,3}$/.test(this.v[k]!) && this.sp[k] === ' ') {
            e = k;
            j = k + 1;
            continue;
          }
          if (k < n && this.noBreak(k) && this.isNameTok(k) && k - j <= 2) {
            j = k;
            continue;
          }
        }
        break;
      }
      this.boundedChunk(s, e);
      i = e + 1;
    }
  }

  /**
   * A known body's acronym in brackets after its name spelt out in full: "UN Relief and Works
   * Agency for Palestine Refugees in the Near East (UNRWA)". The name is that body, whatever
   * words it holds ("in the Near East" is no place of its own); its tokens are taken out of the
   * chunks the rules read.
   */
  private spelledOutKnown(): void {
    for (let i = 2; i + 2 < this.v.length; i++) {
      if (this.v[i] !== '(' || this.v[i + 2] !== ')' || !ACRONYM.test(this.v[i + 1]!)) continue;
      const entry = this.kb.byAcronym.get(acronymKey(this.v[i + 1]!));
      if (!entry) continue;
      const { keys, longest } = spelledOutKeys(entry);
      // (the longest: "United Nations World Food Programme", not its "World Food Programme")
      let from = -1;
      for (let p = i - 1; p >= 0 && i - p <= longest + 2 && !this.sp[p + 1]?.includes('\n'); p--) {
        if (/^\p{Lu}/u.test(this.v[p]!) && this.lower[p] !== 'the' && keys.has(unKey(this.spanKey(p, i - 1)))) from = p;
      }
      if (from < 0) continue;
      this.emit(entry.type, from, i - 1, entry.name, entry);
      for (let k = from; k < i; k++) this.skip.add(k);
    }
  }

  /**
   * The possessive at j joins s..e and the capitalised words after it into one name: they end
   * in a head word (a body's, a place's or an event's) and s..e is no known name of its own.
   */
  private possessiveJoins(s: number, e: number, j: number): boolean {
    const n = this.v.length;
    // (nor a body before it: "the Criminal Division's Fraud Section" is a section of a division)
    if (j + 1 >= n || this.sp[j + 1] !== ' ' || !this.isNameTok(j + 1) || this.kbMatch(s, e) !== undefined || ORG_HEADS.has(this.lower[e]!)) return false;
    let last = j + 1;
    for (let k = j + 2; k < n && k <= j + 6 && this.noBreak(k); k++) {
      if (this.isNameTok(k)) last = k;
      else if (!CONNECTORS.has(this.v[k]!)) break;
    }
    const head = this.lower[last]!;
    if (ORG_HEADS.has(head) || LOC_HEADS.has(head) || EVENT_HEADS.has(head) || PLACE_WORDS.has(head)) return true;
    // ... or they make a known name: "Cox's Bazar" (also after an "and": "Rafah and Cox's Bazar")
    let from = s;
    for (let k = s; k < j; k++) if (CONNECTORS.has(this.v[k]!)) from = k + 1;
    for (let k = last; k > j; k--) if (this.kbMatch(from, k) !== undefined) return true;
    return false;
  }

  /**
   * A chunk of more than MAX_CHUNK tokens is no single name ("Kenya Uganda Tanzania ..." on one
   * line, a title-case banner): it is analysed in windows, cut before an "and", "of" ... in the
   * second half of a window where there is one. Analysed whole, such a chunk took time in more
   * than the square of its length (2,000 place names joined by "and": 69 s for 20 KB).
   */
  private boundedChunk(s: number, e: number): void {
    while (e - s + 1 > MAX_CHUNK) {
      let next = s + MAX_CHUNK;
      for (let k = next - 1; k > s + MAX_CHUNK / 2; k--) {
        if (CONNECTORS.has(this.v[k]!)) {
          next = k;
          break;
        }
      }
      this.chunk(s, next - 1);
      s = next;
    }
    this.chunk(s, e);
  }

  /** Word i can be a surname: capitalised, and no place, body or event word ("Smith", not "Tech" or "Valley"). */
  private surnameAt(i: number): boolean {
    const w = this.lower[i]!;
    return /^\p{Lu}\p{Ll}/u.test(this.v[i]!) && !ORG_HEADS.has(w) && !LOC_HEADS.has(w) && !EVENT_HEADS.has(w) && !DOC_HEADS.has(w) && !this.kbMatch(i, i) && !NOT_NAME_WORDS.has(w);
  }

  /**
   * "University of Oxford and Harvard University": a named body before the "and" and another
   * after it, each with its own head word ("Department of Health and Human Services" has one).
   */
  private twoBodies(s: number, e: number, andAt: number, headIdx: number): boolean {
    return headIdx < andAt && ORG_HEADS.has(this.lower[headIdx]!) && ORG_HEADS.has(this.lower[e]!) && e > andAt + 1 && this.kbMatch(s, e) === undefined;
  }

  /** Every word of a chunk before its head is an ordinary word (or a connector): "Debt Solutions". */
  private ordinaryBefore(words: number[], headIdx: number): boolean {
    return words.every((i) => i >= headIdx || isCommonWord(this.lower[i]!) || CONNECTORS.has(this.v[i]!));
  }

  /** The text names s..e with a legal form after it somewhere: "Acme Robotics" of "Acme Robotics, Inc." */
  private legalFormAfter = new Map<string, boolean>();
  private hasLegalFormAfter(s: number, e: number): boolean {
    const name = this.text.slice(this.start[s]!, this.end[e]!);
    let known = this.legalFormAfter.get(name);
    if (known === undefined) this.legalFormAfter.set(name, (known = this.scanLegalFormAfter(name)));
    return known;
  }

  /** (once per name and document: the scan reads the whole text) */
  private scanLegalFormAfter(name: string): boolean {
    let from = this.text.indexOf(name);
    while (from >= 0) {
      const after = /^,? (\p{Lu}[\p{L}.]*)/u.exec(this.text.slice(from + name.length, from + name.length + 16));
      if (after && isLegalForm(after[1]!.toLowerCase())) return true;
      from = this.text.indexOf(name, from + 1);
    }
    return false;
  }

  /** Token i is followed by a verb or a possessive: the subject of its sentence ("China said"). */
  private subjectAt(i: number): boolean {
    const pos = this.pos[i + 1];
    return pos === 'VERB' || pos === 'AUX' || /^['’]s$/.test(this.v[i + 1] ?? '');
  }

  /** A chunk s..e: splits off titles, then analyses the parts. */
  private chunk(s: number, e: number): void {
    // a title just before the chunk in lower case ("chief", "novelist") gives evidence too
    let titleBefore: { start: number; honorific: boolean } | null = null;
    for (const [ts, t] of this.title) {
      if (t.end === s - 1 && ts < s) titleBefore = { start: ts, honorific: t.honorific };
    }
    let k = s;
    let partStart = s;
    let evidence = titleBefore;
    while (k <= e) {
      // ("Port-au-Prince": a title word inside a hyphenated name is none)
      const t = this.sp[k] === '' && (this.v[k - 1] === '-' || this.v[k - 1] === '‑') ? undefined : this.title.get(k);
      // A title right after a title is a name ("Mr. King", "President Bishop"), except an
      // honorific after an honorific: "H.E. Mr. John Smith", "Prof. Dr. Hans Mueller" are one
      // person's titles, and the mention keeps both.
      // ... and so are "H.E. Ambassador X" (an office after an honorific, a name after it) and
      // "Minister Dr. X" (an honorific after an office)
      const stacked =
        k === partStart &&
        evidence !== null &&
        t !== undefined &&
        ((evidence.honorific && t.honorific) || (t.end < e && !CONNECTORS.has(this.v[t.end + 1]!) && (evidence.honorific || t.honorific)));
      // "Mr. President,", "Madam Chair": an honorific and an office, addressed; no name
      if (t && !t.honorific && k === partStart && evidence?.honorific && t.end === e && ADDRESSED_OFFICES.has(this.lower.slice(k, t.end + 1).join(' '))) return;
      if (t && t.end <= e && (k === s || k > partStart || !evidence || stacked)) {
        if (k > partStart) this.analyze(partStart, k - 1, evidence, false);
        evidence = { start: stacked ? evidence!.start : k, honorific: t.honorific };
        k = t.end + 1;
        partStart = k;
        // "President of the General Assembly": no name follows the title; but "Under-Secretary-
        // General for Humanitarian Affairs Tom Fletcher": a portfolio, then the name
        if (k <= e && CONNECTORS.has(this.v[k]!)) {
          // (up to the next title or "and": "... Tom Fletcher and Special Envoy for Syria Geir Pedersen")
          let end = k + 1;
          while (end < e && !this.title.has(end + 1) && this.v[end + 1] !== 'and') end++;
          const p = this.nameAtEnd(k, end);
          if (p !== null && evidence !== null) {
            if (p > k) this.analyze(k, p - 1, null, true);
            this.emit('PERSON', p, end, this.nameText(p, end), undefined, evidence.start);
            k = end + 1;
            partStart = k;
          }
          evidence = null;
        }
        continue;
      }
      k++;
    }
    if (partStart <= e) this.analyze(partStart, e, evidence, false);
  }

  /**
   * Where a person's name starts at the end of k..e, after an office's portfolio: two to four
   * words, none ordinary (but given names), none a known name, no connector ("Tom Fletcher" of
   * "for Humanitarian Affairs Tom Fletcher", "Geir Pedersen" of "for Syria Geir Pedersen").
   */
  private nameAtEnd(k: number, e: number): number | null {
    const nameWord = (i: number) =>
      (/^\p{Lu}\p{Ll}/u.test(this.v[i]!) || INITIAL.test(this.v[i]!)) &&
      !CONNECTORS.has(this.v[i]!) &&
      (this.kb.givenNames.has(normName(this.v[i]!)) || INITIAL.test(this.v[i]!) || (!isCommonWord(this.lower[i]!) && this.kbMatch(i, i) === undefined));
    let p = e + 1;
    while (p - 1 > k && e - (p - 1) < 4 && nameWord(p - 1)) p--;
    if (e - p < 1 || INITIAL.test(this.v[p]!)) return null;
    // ("Governor of Cabo Delgado": the end is a known place)
    for (let q = p; q < e; q++) if (this.kbMatch(q, e) !== undefined) return null;
    return p;
  }

  private textOf(s: number, e: number): string {
    return this.text.slice(this.start[s], this.end[e]);
  }

  private kbMatch(s: number, e: number): KbEntry | undefined {
    if (s === e || (e === s + 1 && this.v[e] === '.')) {
      const v = this.v[s]!;
      if (ACRONYM.test(v)) return this.kb.byAcronym.get(acronymKey(v)) ?? (v.length > 4 ? this.kb.byAlias.get(normName(v)) : undefined);
    }
    return this.kb.byAlias.get(this.spanKey(s, e));
  }

  private norms: (string | undefined)[] = [];
  /** normName of the text s..e, from cached per-token normal forms */
  private spanKey(s: number, e: number): string {
    let key = '';
    for (let i = s; i <= e; i++) {
      let t = this.norms[i];
      if (t === undefined) t = this.norms[i] = normName(this.v[i]!);
      if (!t || (key === '' && t === 'the')) continue;
      key = key ? `${key} ${t}` : t;
    }
    return key;
  }

  private emit(type: string, s: number, e: number, name: string, kb?: KbEntry, mentionStart?: number): RawMention {
    const m: RawMention = { type, name, kb, start: this.start[mentionStart ?? s]!, end: this.end[e]! };
    if (s === e && ACRONYM.test(this.v[s]!)) m.acronym = acronymKey(this.v[s]!);
    this.mentions.push(m);
    // "World Health Organization (WHO)": the acronym in brackets names this entity
    const n = this.v.length;
    // ("European Space Agency's (ESA)": a possessive between them)
    const poss = POSSESSIVE.test(this.v[e + 1] ?? '') && this.sp[e + 1] === '' ? 1 : 0;
    if (e + 3 + poss < n && this.v[e + 1 + poss] === '(' && this.v[e + 3 + poss] === ')' && ACRONYM.test(this.v[e + 2 + poss]!) && s < e) {
      e += poss;
      // ("the twenty-seventh Conference of the Parties to the UNFCCC (COP27)": an event's short
      // name with a number names the event before the body it belongs to)
      let named: RawMention | undefined = m;
      if (ACRONYM_NUM.test(this.v[e + 2]!) && type !== 'EVENT') {
        named = undefined;
        for (let k = this.mentions.length - 2; k >= 0 && !named; k--) {
          const o = this.mentions[k]!;
          if (o.end > m.start || m.start - o.end > 120) break;
          if (o.type === 'EVENT') named = o;
        }
      }
      if (named) this.expansions.set(acronymKey(this.v[e + 2]!), named);
    }
    return m;
  }

  private trim(s: number, e: number): [number, number] {
    for (;;) {
      while (s <= e && (CONNECTORS.has(this.v[s]!) || this.lower[s] === 'the' || this.v[s] === '-' || this.v[s] === ',')) s++;
      // "This International Migrants Day", "Join the UN ...": determiners, pronouns and a
      // sentence-opening verb are not part of a name
      if (s < e && this.sentStart[s] && (LEAD_POS.has(this.pos[s]!) || LEAD_WORDS.has(this.lower[s]!)) && !this.kb.byAcronym.has(this.v[s]!) && isCommonWord(this.lower[s]!)) {
        s++;
        this.sentStart[s] = 1;
        continue;
      }
      // "... Sentenced for Defrauding Hurricane Relief Program": a verb's -ing form opening a
      // chunk of a title-case headline is no part of a name
      if (s < e && this.pos[s] === 'VERB' && /^\p{Lu}\p{Ll}+ing$/u.test(this.v[s]!) && isCommonWord(this.lower[s]!) && GERUND_PREPS.has(this.v[s - 1] ?? '') && this.kbMatch(s, e) === undefined) {
        s++;
        continue;
      }
      // "– On the International Day ...": a preposition opening a clause after a dash or a colon
      if (s < e && this.pos[s] === 'ADP' && isCommonWord(this.lower[s]!) && /^[-–—:;"“(]$/u.test(this.v[s - 1] ?? '')) {
        s++;
        continue;
      }
      // "SOURCE Helix Biosystems", "CONTACT Jane Roe": a label in capitals before a name
      // "NGO Women's Refugee Commission": a kind of body before its name
      if (s < e && /^(?:NGO|INGO|CSO|CBO)s?$/.test(this.v[s]!) && /^\p{Lu}/u.test(this.v[s + 1]!)) {
        s++;
        continue;
      }
      // (a label is a word: "AI Safety Summit" keeps its AI)
      if (s < e && /^\p{Lu}{4,}$/u.test(this.v[s]!) && /\p{Ll}/u.test(this.v[s + 1]!) && !this.kb.byAcronym.has(this.v[s]!) && !this.defined.has(this.v[s]!) && isCommonWord(this.lower[s]!)) {
        s++;
        continue;
      }
      break;
    }
    while (e >= s && (CONNECTORS.has(this.v[e]!) || this.v[e] === '-')) e--;
    return [s, e];
  }

  /** Classifies the words s..e of a chunk; `partial` when part of it was explained already. */
  private analyze(s0: number, e0: number, title: { start: number; honorific: boolean } | null, partial: boolean): void {
    const [s, e] = this.trim(s0, e0);
    if (s > e) return;
    if (this.datelines.get(s) === e) {
      // (by its words, not as an acronym: "LIMA" is Lima)
      const place = this.kb.byAlias.get(this.spanKey(s, e));
      const name = this.v.slice(s, e + 1).map((w) => w[0] + w.slice(1).toLowerCase()).join(' ');
      return void (place?.type === 'LOC' ? this.emit('LOC', s, e, place.name, place) : this.emit('LOC', s, e, name));
    }
    // "US dollars", "US$": a currency, no place
    if (s === e && (this.v[s] === 'US' || this.v[s] === 'U.S.') && /^(?:dollars?|\$)$/i.test(this.v[s + 1] ?? '')) return;
    const kb = this.kbMatch(s, e);
    if (kb && !(s === e && this.kb.notEntities.has(normName(this.v[s]!)))) {
      // a lone common word at a sentence start ("Nice", "Chad") is not taken from the gazetteer,
      // unless a verb or a possessive follows it: "China said", "Turkey's agency", "Japan is"
      if (!(s === e && this.sentStart[s] && kb.type === 'LOC' && isCommonWord(this.lower[s]!) && !this.subjectAt(s))) {
        this.emit(kb.type, s, e, kb.name, kb);
        return;
      }
    }
    if (this.kb.notEntities.has(this.spanKey(s, e))) return;
    // (in a title-case headline, a name after a title still counts, "Address by the Honourable Mia
    // Amor Mottley", and so does a body's name: "State Department for Basic Education")
    if (this.kbOnly || (!title && this.kbOnlyRanges.some(([a, b]) => this.start[s]! >= a && this.end[e]! <= b) && !this.namesBody(s, e))) {
      const sub = s < e ? this.longestKbSub(s, e) : null;
      if (sub) {
        this.emit(sub[2].type, sub[0], sub[1], sub[2].name, sub[2]);
        if (sub[0] > s) this.analyze(s, sub[0] - 1, null, true);
        if (sub[1] < e) this.analyze(sub[1] + 1, e, null, true);
      }
      return;
    }
    if (s === e) return this.single(s, title, partial);
    // "Our Assembly", "This Council": a determiner and a lone head word refer to a named body
    if (e === s + 1 && LEAD_WORDS.has(this.lower[s]!) && (ORG_HEADS.has(this.lower[e]!) || EVENT_HEADS.has(this.lower[e]!))) {
      this.bare.push({ text: this.v[e]!, start: this.start[e]!, end: this.end[e]! });
      return;
    }

    const words: number[] = [];
    for (let i = s; i <= e; i++) if (this.type[i] !== 'punctuation') words.push(i);
    const firstPrep = words.find((i) => PREPS.has(this.v[i]!));
    // an "and the" joins two names ("the Gates Foundation and the Wellcome Trust") where a lone
    // "and" may be inside one ("Food and Drug Administration"): it is the one to split at
    const ands = words.filter((i) => this.v[i] === 'and' || this.v[i] === '&');
    const andAt = ands.find((i) => this.lower[i + 1] === 'the') ?? ands[0];
    const headIdx = firstPrep !== undefined ? prevWord(words, firstPrep) : e;
    const head = this.lower[headIdx] ?? '';
    const first = this.lower[s]!;

    // a known name with connectors inside the chunk: "member State Saint Vincent and the Grenadines"
    if (firstPrep !== undefined || andAt !== undefined) {
      const sub = this.longestKbSub(s, e);
      if (sub && words.some((i) => i > sub[0] && i < sub[1] && CONNECTORS.has(this.v[i]!))) {
        const [i, j, entry] = sub;
        this.emit(entry.type, i, j, entry.name, entry);
        if (i > s) this.analyze(s, i - 1, title, true);
        if (j < e) this.analyze(j + 1, e, null, true);
        return;
      }
    }
    if (DOC_HEADS.has(head) && !title) {
      // (a known body's acronym in a document's title is still that body: "UNHCR Emergency Update")
      for (const i of words) {
        if (ACRONYM.test(this.v[i]!) && this.kb.byAcronym.has(acronymKey(this.v[i]!))) this.analyze(i, i, null, true);
        else if (ACRONYM_NUM.test(this.v[i]!)) this.single(i, null, true);
      }
      return;
    }

    // "Peru and the Security Council", "Namibia and Lebanon", "Apple Inc. and Microsoft Corp.",
    // "Northwind Technologies and Contoso Systems": the and joins two names (a name's head word
    // before it ends the first one)
    // ("Goldman Sachs & Co. LLC": an "& Co." is part of the name)
    const formsOnlyAfter = andAt !== undefined && words.some((i) => i > andAt) && words.every((i) => i <= andAt || isLegalForm(this.lower[i]!));
    // "Helios Grid and Northwind Robotics": two or more words before the "and" and a body's head
    // word after it (one word before it is part of the name: "Food and Drug Administration")
    // (a proper name after it: "IGAD Climate Prediction and Applications Centre" is one)
    const twoNames = andAt !== undefined && firstPrep === undefined && words.filter((i) => i < andAt).length >= 2 && headIdx === e && ORG_HEADS.has(head) && !isLegalForm(head) && !isCommonWord(this.lower[andAt + 1] ?? '');
    // "Peace and Security Council", "Trade and Development Board": one ordinary word and "and"
    // open one name, even when the rest is a known one
    // (after a known body's short name: "AU Peace and Security Council")
    const opener = this.kbMatch(s, s) !== undefined && ACRONYM.test(this.v[s]!) ? s + 1 : s;
    const oneWordBefore = andAt !== undefined && andAt === opener + 1 && isCommonWord(this.lower[opener]!) && this.lower[andAt + 1] !== 'the' && ORG_HEADS.has(head) && headIdx === e;
    // "Hurricane Maria and Hurricane Dorian", "Lake Victoria and Lake Tanganyika": the first word again after the "and"
    const sameLead = andAt !== undefined && andAt > s + 1 && (this.lower[andAt + 1] === this.lower[s] || (LOC_PREFIX.has(this.lower[s]!) && LOC_PREFIX.has(this.lower[andAt + 1] ?? '')));
    const splitAnd = andAt !== undefined && !formsOnlyAfter && !oneWordBefore && (twoNames || sameLead || this.kbMatch(s, andAt - 1) !== undefined || this.lower[andAt + 1] === 'the' || (ORG_HEADS.has(this.lower[andAt - 1] ?? '') && !(COMPANY_HEADS.has(this.lower[andAt - 1] ?? '') && firstPrep !== undefined && firstPrep < andAt)) || LOC_HEADS.has(this.lower[andAt - 1] ?? '') || this.twoBodies(s, e, andAt, headIdx) || this.kbMatch(andAt + 1, e) !== undefined || (firstPrep !== undefined && andAt > firstPrep && !ORG_HEADS.has(head) && !EVENT_HEADS.has(head)));
    if (splitAnd && andAt !== undefined) {
      this.analyze(s, andAt - 1, title, partial);
      this.analyze(andAt + 1, e, null, partial);
      return;
    }

    // ("Hurricane Relief Program" is a body's name)
    if (EVENT_PREFIX.has(first) && !PREPS.has(this.v[s + 1] ?? '') && !(ORG_HEADS.has(head) && headIdx > s)) return void this.event(s, e);
    // "Tropical Storm Debby", "Super Typhoon Haiyan"
    if (STORM_LEADS.has(first) && STORM_WORDS.has(this.lower[s + 1] ?? '') && e > s + 1) return void this.event(s, e);
    // ("Mount Sinai Hospital": a body named after a place is a body)
    if (LOC_PREFIX.has(first) && firstPrep === undefined && !title && !ORG_HEADS.has(head)) return void this.emit('LOC', s, e, this.nameText(s, e));
    if (firstPrep !== undefined && LOC_OF_HEADS.has(head)) {
      const right = this.trim(firstPrep + 1, e);
      const place = this.kbMatch(right[0], right[1]);
      if (place && place.type === 'LOC') return void this.emit('LOC', s, e, place.name, place);
    }
    if (headIdx !== s || firstPrep !== undefined) {
      if (EVENT_HEADS.has(head) && !(head === 'day' && headIdx === s)) return void this.event(s, e);
      if (ORG_HEADS.has(head) && !title && !(COMPANY_HEADS.has(head) && this.ordinaryBefore(words, headIdx) && !this.hasLegalFormAfter(s, e))) {
        return void this.emit('ORG', s, e, this.nameText(s, e));
      }
      // "Pacific Island countries": a place name used as a modifier is no mention
      // ("CFO Linda Park": after a title, a name ending like a place is a person's)
      if (LOC_HEADS.has(head) && !title) {
        if (headIdx === e && this.pos[e + 1] === 'NOUN' && this.sp[e + 1] === ' ' && this.v[e + 1] === this.lower[e + 1]) return;
        return void this.emit('LOC', s, e, this.nameText(s, e));
      }
    }

    // "UN Messengers of Peace": a name under a known organisation is one of its bodies
    const lead = this.kbMatch(s, s);
    if (lead?.type === 'ORG' && !title && (e - s >= 2 || firstPrep !== undefined) && !words.slice(1).some((i) => this.title.has(i))) {
      return void this.emit('ORG', s, e, this.nameText(s, e));
    }

    if (firstPrep !== undefined || andAt !== undefined) {
      // no head: the parts between connectors are names of their own. A part after "of", "for",
      // "on" or "the" is a piece of a longer name; one joined by "and" alone is a name as much as
      // the first ("Mary Jones and John Smith": both people; John Smith was dropped as a piece).
      let p = s;
      let piece = partial;
      for (let i = s; i <= e; i++) {
        if (CONNECTORS.has(this.v[i]!) && !NAME_PARTICLES.has(this.v[i]!)) {
          if (i > p) this.analyze(p, i - 1, p === s ? title : null, piece);
          if (this.v[i] !== 'and' && this.v[i] !== '&') piece = true;
          p = i + 1;
        }
      }
      if (p <= e) this.analyze(p, e, null, piece);
      return;
    }

    // a known name inside the chunk: "Happy Lunar New Year", "UN Photo", "Pakistan-India Crossing"
    const sub = this.longestKbSub(s, e);
    // "Georgia Smith", "Chad Smith": a given name that is also a place, then a surname
    if (sub && sub[0] === s && sub[1] === s && sub[2].type === 'LOC' && e - s <= 2 && this.kb.givenNames.has(normName(this.v[s]!)) && this.surnameAt(e)) {
      return this.personOrPlace(s, e, title, partial);
    }
    // "Patricia Scotland", "Mary Jordan": a given name, then a place's name as a surname
    if (sub && sub[0] === e && sub[1] === e && sub[2].type === 'LOC' && e === s + 1 && this.kb.givenNames.has(normName(this.v[s]!)) && !this.kbMatch(s, s)) {
      return void this.emit('PERSON', s, e, this.nameText(s, e), undefined, title?.start);
    }
    if (sub) {
      const [i, j] = sub;
      let [, , entry] = sub;
      // "Goldman Sachs & Co. LLC": the legal form after a known company is part of its name
      let end = j;
      if (entry.type === 'ORG' && j < e && words.filter((k) => k > j).every((k) => isLegalForm(this.lower[k]!) || this.v[k] === '&')) end = e;
      const m = this.emit(entry.type, i, j, entry.name, entry);
      m.end = this.end[end]!;
      if (i > s) this.analyze(s, i - 1, title, true);
      if (end < e) this.analyze(end + 1, e, null, true);
      return;
    }
    // acronyms inside an unexplained chunk: "UN75 Dialogue"
    const acr = words.find((i) => ACRONYM.test(this.v[i]!));
    if (acr !== undefined && !title) {
      this.single(acr, null, true);
      if (acr > s) this.analyze(s, acr - 1, null, true);
      if (acr < e) this.analyze(acr + 1, e, null, true);
      return;
    }
    this.personOrPlace(s, e, title, partial);
  }

  private personOrPlace(s: number, e: number, title: { start: number; honorific: boolean } | null, partial: boolean): void {
    const words: number[] = [];
    for (let i = s; i <= e; i++) if (this.type[i] !== 'punctuation' || INITIAL.test(this.v[i]!)) words.push(i);
    if (title) return void this.emit('PERSON', s, e, this.nameText(s, e), undefined, title.start);
    if (this.placeNoun(s, e)) return;
    // "Cap-Haïtien", "Saint-Denis": one hyphenated word is no first name and surname; after
    // "in", "from" ... it is a place
    let spaced = false;
    for (let i = s + 1; i <= e; i++) if (this.sp[i] !== '') spaced = true;
    if (!spaced) {
      if (!partial && !this.sentStart[s] && LOC_WEAK_PREPS.has(this.lower[s - 1] ?? '')) return void this.emit('LOC', s, e, this.nameText(s, e));
      return this.pieces(s, e, words);
    }
    if (!partial && this.placeOfBefore(s) && words.some((i) => !isCommonWord(this.lower[i]!))) return void this.emit('LOC', s, e, this.nameText(s, e));
    // "Arguineguín, Gran Canaria", "Goma, North Kivu": a name after a place and a comma is the
    // larger place it lies in
    if (!partial && this.v[s - 1] === ',' && !this.kb.givenNames.has(normName(this.v[s]!)) && this.placeEndsAt(s - 2, e)) return void this.emit('LOC', s, e, this.nameText(s, e));
    // "Santa Clara, California", "Camana, Peru": a name, a comma, then a known state or country
    // (not a byline: "By Priya Sharma, Kathmandu")
    if (!partial && this.v[e + 1] === ',' && this.lower[s - 1] !== 'by' && (!this.kb.givenNames.has(normName(this.v[s]!)) || this.stateAt(e + 2) !== undefined) && this.placeAfterComma(e + 2)) return void this.emit('LOC', s, e, this.nameText(s, e));
    const nameWords = words.filter((i) => !NAME_PARTICLES.has(this.v[i]!) && !INITIAL.test(this.v[i]!) && !NAME_SUFFIXES.has(this.v[i]!));
    const shapeOk = nameWords.every((i) => /^\p{Lu}(?:['’]\p{Lu})?[\p{Ll}'’\-\p{M}]+$/u.test(this.v[i]!) && !NOT_NAME_WORDS.has(this.lower[i]!) && !ORG_HEADS.has(this.lower[i]!) && !EVENT_HEADS.has(this.lower[i]!));
    if (!shapeOk || nameWords.length < 2 || nameWords.length > 4) return this.pieces(s, e, nameWords);
    // a capitalised common word opening a sentence is not part of the name (but the first half
    // of a hyphenated name is: "Jean-Claude Juncker said")
    const hyphenated = this.v[s + 1] === '-' && this.sp[s + 1] === '';
    if (this.sentStart[s] && !hyphenated && isCommonWord(this.lower[s]!) && !this.kb.givenNames.has(normName(this.v[s]!))) {
      return this.analyze(s + 1, e, null, partial);
    }
    const given = this.kb.givenNames.has(normName(this.v[nameWords[0]!]!));
    const unknown = nameWords.some((i) => !isCommonWord(this.lower[i]!));
    // "Lumenfield Learning", "Getty Images", "Arbaat Dam": a name ending in an ordinary plural,
    // -ing word or building word is a company's or a place's, not a person's ("Trygve Lie" is one)
    const last = this.lower[nameWords[nameWords.length - 1]!]!;
    // (plurals of six letters or more: "Banks", "Parks" are surnames too)
    // "Helios Grid", "Nottingham Forest": an unknown first word (no given name) before an
    // ordinary noun that is no common surname names a company, a club or a place
    const ordinaryLast =
      nameWords.length === 2 &&
      !given &&
      isCommonWord(last) &&
      (/^.{4,}[^s]s$|ing$/.test(last) || PLACE_WORDS.has(last) || (!isCommonWord(this.lower[nameWords[0]!]!) && !WORD_SURNAMES.has(last) && isCommonNoun(last)));
    // ... and such a name doing something is most likely a company's or a club's
    if (ordinaryLast && !partial && !/^.{4,}[^s]s$|ing$/.test(last) && !PLACE_WORDS.has(last) && this.subjectAt(e)) return void this.emit('ORG', s, e, this.nameText(s, e));
    // "in Baton Rouge", "near Old Trafford": an unknown two-word name after a place preposition
    if (!partial && !given && unknown && nameWords.length === 2 && !this.sentStart[s] && PLACE_PREPS.has(this.lower[s - 1] ?? '')) return void this.emit('LOC', s, e, this.nameText(s, e));
    if (!partial && (given || unknown) && !ordinaryLast) return void this.emit('PERSON', s, e, this.nameText(s, e));
    this.pieces(s, e, nameWords);
  }

  /** The words of an unexplained name s..e, each a bare word that knows the name it came from. */
  private pieces(s: number, e: number, nameWords: number[]): void {
    const chunk = nameWords.length > 1 ? { key: this.spanKey(s, e), start: this.start[s]!, end: this.end[e]! } : undefined;
    for (const i of nameWords) this.bare.push({ text: this.v[i]!, start: this.start[i]!, end: this.end[i]!, ...(chunk ? { chunk } : {}) });
  }

  /** A known place (a country, a state) starts at token i: "California", "New Mexico", "Peru". */
  private placeAfterComma(i: number): boolean {
    if (this.stateAt(i) !== undefined) return true;
    if (i >= this.v.length || !this.isNameTok(i) || !this.noBreak(i)) return false;
    let j = i;
    while (j + 1 < this.v.length && j - i < 3 && this.isNameTok(j + 1) && this.noBreak(j + 1)) j++;
    for (let k = j; k >= i; k--) if (this.kbMatch(i, k)?.type === 'LOC') return true;
    return false;
  }

  /** The US state token i abbreviates: "NY", "N.Y.", "Calif." (not "OK" or "IN" in running text: only after a comma). */
  private stateAt(i: number): string | undefined {
    const v = this.v[i];
    if (v === undefined || this.v[i - 1] !== ',' || !(v.includes('.') || /^[A-Z]{2}$/.test(v)) || ((POSTNOMINALS.has(v) || POSTNOMINALS.has(v.replace(/\.$/, ''))) && !this.lastMentionAt(i - 2, 'LOC'))) return undefined;
    return US_STATE_ABBR.get(v.replace(/\./g, '').toUpperCase());
  }

  /** A US state's name at token i, ending a clause: "Texas," of "Austin, Texas, and ...". */
  private stateNameAt(i: number): boolean {
    for (const j of [i, i + 1]) {
      if (US_STATE_NAMES.has(this.spanKey(i, j)) && /^[,.;)]$/.test(this.v[j + 1] ?? '.')) return true;
    }
    return false;
  }

  /** "the port of Arguineguín", "the town of Sumy": a place noun and "of" before token s. */
  private placeOfBefore(s: number): boolean {
    return s >= 2 && this.v[s - 1] === 'of' && PLACE_OF_NOUNS.has(this.v[s - 2]!) && this.sp[s] === ' ' && this.sp[s - 1] === ' ';
  }

  /**
   * Token i follows a place in a list: "and"/"or" after it, or a comma after it with the list
   * going on after token i ("Lamu, Kilifi and ..."; not "in Geneva, Tedros said").
   */
  private nextInPlaceList(i: number): boolean {
    const sep = this.v[i - 1];
    if (!this.lastMentionAt(i - 2, 'LOC')) return false;
    // (not "we met in Geneva and Guterres spoke": a name doing something is no place)
    if (sep === 'and' || sep === 'or') return !this.subjectAt(i);
    return sep === ',' && [',', 'and', 'or'].includes(this.v[i + 1] ?? '');
  }

  /** s..e ends in a body's head word (before its first "of", "for" ...) and holds a word that is no ordinary one. */
  private namesBody(s: number, e: number): boolean {
    let head = e;
    for (let i = s + 1; i <= e; i++) {
      if (PREPS.has(this.v[i]!)) {
        head = i - 1;
        break;
      }
    }
    if (!ORG_HEADS.has(this.lower[head]!)) return false;
    for (let i = s; i <= e; i++) if (this.type[i] === 'word' && !CONNECTORS.has(this.v[i]!) && !isCommonWord(this.lower[i]!)) return true;
    return false;
  }

  /** The last mention found is of this type and ends at token i. */
  private lastMentionAt(i: number, type: string): boolean {
    const m = this.mentions[this.mentions.length - 1];
    return i >= 0 && m !== undefined && m.type === type && m.end === this.end[i];
  }

  /**
   * The last mention found is a place's and ends at token i, in the middle of a sentence ("In
   * Lagos, Wole Soyinka ..." opens one), and the name after the comma (s..e) ends a clause.
   */
  private placeEndsAt(i: number, e: number): boolean {
    if (!this.lastMentionAt(i, 'LOC')) return false;
    const placeStart = this.mentions[this.mentions.length - 1]!.start;
    let first = i;
    while (first > 0 && this.start[first]! > placeStart) first--;
    if (this.sentStart[first] || this.sentStart[first - 1]) return false;
    // ("the Minister for Foreign Affairs of Norway, Espen Barth Eide,": an office's country, then its holder)
    if (this.lower[first - 1] === 'of' && !PLACE_OF_NOUNS.has(this.lower[first - 2] ?? '')) return false;
    const next = this.v[e + 1];
    if (next === undefined || next === '.' || next === ';' || next === ')') return true;
    // after a comma: not "Rapporteur ... in Iran, Mai Sato, said" (a person in apposition, then
    // the verb), nor "In N'Djamena, Aristophane Ngargoune, Senior Communications Associate" (a
    // capital after the comma is a title's)
    const after = this.pos[e + 2];
    return next === ',' && !LEAD_WORDS.has(this.lower[e + 2] ?? '') && this.lower[e + 2] !== 'the' && after !== 'VERB' && after !== 'AUX' && !/^\p{Lu}/u.test(this.v[e + 2] ?? '');
  }

  /** "Arua district", "Imvepi refugee settlement": an unknown name before a place noun. */
  private placeNoun(s: number, e: number): boolean {
    const n = this.v.length;
    let j = e + 1;
    if (j < n && this.sp[j] === ' ' && this.lower[j] === 'refugee') j++;
    if (j < n && this.sp[j] === ' ' && LOC_NOUNS.has(this.v[j]!) && (this.v[j] !== 'crossing' || this.lower[s - 1] === 'the') && !isCommonWord(this.lower[e]!) && !this.sentStart[s]) {
      this.emit('LOC', s, j, this.textOf(s, j));
      return true;
    }
    return false;
  }

  private single(i: number, title: { start: number; honorific: boolean } | null, partial: boolean): void {
    const v = this.v[i]!;
    const lower = this.lower[i]!;
    // "Brooklyn, NY", "Baton Rouge, La.": a US state's abbreviation after a place and a comma
    const state = this.stateAt(i);
    if (state && !this.lastMentionAt(i - 2, 'PERSON') && (this.lastMentionAt(i - 2, 'LOC') || this.isNameTok(i - 2))) {
      const entry = this.kb.byAlias.get(normName(state));
      return void this.emit('LOC', i, i, entry?.type === 'LOC' ? entry.name : state, entry?.type === 'LOC' ? entry : undefined);
    }
    if (this.kb.notEntities.has(normName(v))) return;
    if (ACRONYM.test(v) && !title) {
      // "Nordvale Technologies, Inc. (NASDAQ: NRDV)": a ticker names the company before it
      if (this.v[i - 1] === ':' && STOCK_EXCHANGES.has(this.v[i - 2] ?? '') && this.v[i - 3] === '(') {
        const open = this.start[i - 3]!;
        let company: RawMention | undefined;
        for (let k = this.mentions.length - 1; k >= 0 && !company; k--) {
          const m = this.mentions[k]!;
          if (m.end <= open) company = m.type === 'ORG' && open - m.end <= 2 ? m : undefined;
          if (m.end <= open) break;
        }
        if (company) this.expansions.set(acronymKey(v), company);
        if (company) this.emit('ORG', i, i, v);
        return;
      }
      // "PSC/PR/COMM.1200", "A/RES/78/1": a piece of a document's code
      if ((this.sp[i] === '' && /[/\d]$/.test(this.v[i - 1] ?? '')) || (this.sp[i + 1] === '' && /^[./]?\d|^\//.test(this.v[i + 1] ?? ''))) return;
      // "EUR 5.2 million": a currency code before an amount is part of the amount (MONEY)
      if (CURRENCY_CODES.has(v) && /^\d/.test(this.v[i + 1] ?? '')) return;
      if (TIME_ZONES.has(v) && this.numeric.some((x) => x.type === 'TIME' && x.e === i - 1)) return;
      if (POSTNOMINALS.has(v)) return; // "Thomas Reinholt, M.D., Ph.D."
      // "gigawatts (GW)", "artificial intelligence (AI)": the short form of a term, not of a name
      if (this.v[i - 1] === '(' && this.v[i + 1] === ')' && /^\p{Ll}/u.test(this.v[i - 2] ?? '')) return;
      if (this.terms.has(acronymKey(v)) && !this.defined.has(acronymKey(v)) && !this.kb.byAcronym.has(acronymKey(v))) return;
      if (/^(?:FY|Q[1-4]|H[12])\d*$/.test(v)) return; // "FY2024": a period (a DATE)
      // an acronym the text spells out somewhere ("... Agency (FEMA)") is one, whatever it looks like
      const defined = this.defined.has(acronymKey(v));
      // "MODERATOR:", "SMITH:" opening a line: a speaker's label; a name may be the surname of one
      if (!defined && this.sentStart[i] && this.v[i + 1] === ':') {
        if (!isCommonWord(lower)) this.bare.push({ text: v, start: this.start[i]!, end: this.end[i]! });
        return;
      }
      // a heading or a shout in capitals is no row of acronyms
      if (!defined && (this.capsNeighbour(i - 1) || this.capsNeighbour(i + 1))) return;
      // "THE", "AND", "RESPONSE", "FUNDING": a word in capitals (a heading, a shout)
      if (!defined && isCommonWord(lower) && !ACRONYM_NUM.test(v)) return;
      // "500 GW", "40 MB": a unit after a number
      if (!defined && /\d$/.test(this.v[i - 1] ?? '') && !YEAR.test(this.v[i - 1] ?? '') && this.sp[i] === ' ') return;
      if (/^[A-Z]+s$/.test(v)) return;
      this.emit(ACRONYM_NUM.test(v) ? 'EVENT' : 'ORG', i, i, v);
      return;
    }
    if (title) {
      // ("Honourable Participants", "Distinguished Delegates": a plural of an ordinary noun is no name)
      // (after "Mr." or "Dr." it is a surname: "Mrs. Banks")
      const plural = !/^(?:mr|mrs|ms|miss|mx|dr|prof)\.?$/.test(this.lower[title.start]!) && lower.length > 4 && lower.endsWith('s') && isCommonWord(lower) && isCommonNoun(lower.slice(0, -1));
      if ((title.honorific && !plural) || !isCommonWord(lower)) this.emit('PERSON', i, i, v, undefined, title.start);
      return;
    }
    if (this.placeNoun(i, i)) return;
    // "Austin, Texas", "Albany, N.Y.": a town before a comma and its state
    if (!partial && /^\p{Lu}\p{Ll}+$/u.test(v) && this.v[i + 1] === ',' && (this.stateAt(i + 2) !== undefined || this.stateNameAt(i + 2))) return void this.emit('LOC', i, i, v);
    if (!partial && /^\p{Lu}\p{Ll}/u.test(v) && !isCommonWord(lower) && this.placeOfBefore(i)) return void this.emit('LOC', i, i, v);
    const prev = i > 0 ? this.lower[i - 1]! : '';
    // the next item of a list of places: "in Sake and Minova", "in Lamu, Kilifi and Garissa"
    if (!this.sentStart[i] && /^\p{Lu}\p{Ll}+$/u.test(v) && !isCommonWord(lower) && !this.kb.givenNames.has(normName(v)) && this.nextInPlaceList(i)) {
      this.emit('LOC', i, i, v);
      return;
    }
    // "analysts at Jefferies", "a researcher at Anthropic": a workplace, no place
    if (!partial && prev === 'at' && WORKERS.has(this.lower[i - 2] ?? '') && !isCommonWord(lower) && /^\p{Lu}/u.test(v)) {
      this.emit('ORG', i, i, v);
      return;
    }
    if (!partial && !this.sentStart[i] && LOC_WEAK_PREPS.has(prev) && !isCommonWord(lower) && !this.kb.givenNames.has(normName(v)) && /^\p{Lu}\p{Ll}+$/u.test(v)) {
      this.emit('LOC', i, i, v);
      return;
    }
    if (this.sentStart[i] && isCommonWord(lower)) return;
    // a person named by a first name alone: "Mekdes said", "Mekdes, 24, returned", "her brother Yonas"
    // (a bare word that becomes a person of its own when it names nothing else in the document:
    // "Tedros said" after "Tedros Adhanom Ghebreyesus", "Northgate added" after "Northgate Energy")
    if (!partial && /^\p{Lu}\p{Ll}+$/u.test(v) && !isCommonWord(lower) && this.kbMatch(i, i) === undefined && this.firstNameOnly(i)) {
      return void this.bare.push({ text: v, start: this.start[i]!, end: this.end[i]!, person: true });
    }
    this.bare.push({ text: v, start: this.start[i]!, end: this.end[i]! });
  }

  /** Token i is a person's first name used alone: a speech verb or an age after it, a relative's noun before it. */
  private firstNameOnly(i: number): boolean {
    const next = this.lower[i + 1] ?? '';
    if (SPEECH_VERBS.has(next)) return true;
    if (next === ',' && /^\d{1,2}$/.test(this.v[i + 2] ?? '') && this.v[i + 3] === ',') return true;
    return RELATIVES.has(this.lower[i - 1] ?? '');
  }

  /** an all-capital word next to an acronym that is an ordinary word or one more of a run ("LE MORT DE") */
  private capsNeighbour(i: number, depth = 0): boolean {
    const v = this.v[i];
    if (v === undefined || this.type[i] !== 'word' || !/^\p{Lu}{2,}$/u.test(v) || this.kb.byAcronym.has(v)) return false;
    return isCommonWord(this.lower[i]!) || (depth === 0 && (this.capsNeighbour(i - 1, 1) || this.capsNeighbour(i + 1, 1)));
  }

  private event(s: number, e: number): void {
    // an ordinal before and a year after belong to the event: "26th Conference of the Parties", "Summit 2021"
    let ms = s;
    const ord = this.numeric.find((x) => x.type === 'ORDINAL' && x.e === s - 1);
    if (ord && this.sp[s] === ' ') ms = ord.s;
    // (wink-nlp reads "113th" as "1" and "13th")
    while (ord && ms > 0 && this.sp[ms] === '' && /^\d+$/.test(this.v[ms - 1]!)) ms--;
    let me = e;
    if (e + 1 < this.v.length && YEAR.test(this.v[e + 1]!) && this.sp[e + 1] === ' ') me = e + 1;
    const m = this.emit('EVENT', ms, e, this.nameText(ms, e));
    m.end = this.end[me]!;
  }

  private longestKbSub(s: number, e: number): [number, number, KbEntry] | null {
    const maxLen = Math.min(e - s, this.kb.maxWords * 2 + 1);
    for (let len = maxLen; len >= 0; len--) {
      for (let i = s; i + len <= e; i++) {
        const j = i + len;
        // (a name starts at its first word, not at the "the" that spanKey lets a match skip)
        if (this.type[i] === 'punctuation' || this.type[j] === 'punctuation' || this.lower[i] === 'the' || CONNECTORS.has(this.v[i]!)) continue;
        const entry = this.kbMatch(i, j);
        if (entry && !(i === j && this.kb.notEntities.has(normName(this.v[i]!)))) return [i, j, entry];
      }
    }
    return null;
  }

  /** The name as written, without a leading "The" and trailing punctuation. */
  private nameText(s: number, e: number): string {
    return this.textOf(s, e).replace(/^the\s+/i, '').replace(/\s+/g, ' ');
  }
}

function prevWord(words: number[], at: number): number {
  const k = words.indexOf(at);
  return k > 0 ? words[k - 1]! : at;
}

// ------------------------------------------------------------------ canonical entities

interface Group {
  type: string;
  kb?: KbEntry;
  names: string[];
  mentions: Mention[];
  tokens: string[];
  merged?: Group;
}

function levenshtein(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]!);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** Small edit distance between two normalised words: 1 from 5 letters, 2 from 7. */
function closeWord(a: string, b: string): boolean {
  if (a === b) return true;
  const len = Math.min(a.length, b.length);
  if (len < 5 || a[0] !== b[0]) return false;
  const max = len >= 7 ? 2 : 1;
  return levenshtein(a, b, max) <= max;
}

function endsWith(long: string[], short: string[], fuzzy: boolean): boolean {
  if (short.length > long.length) return false;
  const off = long.length - short.length;
  return short.every((w, i) => (fuzzy ? closeWord(w, long[off + i]!) : w === long[off + i]));
}

/** "John Mahama" is "John Dramani Mahama" without the middle name: same first and last word, the rest in order. */
function withoutMiddle(long: string[], short: string[]): boolean {
  // ... or without a second surname: "José Rubén Zamora" is "José Rubén Zamora Marroquín"
  if (short.length >= 3 && long.length === short.length + 1 && short.every((t, i) => t === long[i])) return true;
  if (short.length < 2 || long.length <= short.length || short[0] !== long[0] || short.at(-1) !== long.at(-1)) return false;
  let k = 1;
  for (let i = 1; i < long.length - 1 && k < short.length - 1; i++) if (long[i] === short[k]) k++;
  return k === short.length - 1;
}

const root = (g: Group): Group => {
  while (g.merged) g = g.merged;
  return g;
};

function mergeInto(from: Group, to: Group): void {
  if (from === to) return;
  to.mentions.push(...from.mentions);
  to.names.push(...from.names);
  from.merged = to;
}

function canonicalName(g: Group): string {
  if (g.kb) return g.kb.name;
  const counts = new Map<string, number>();
  for (const n of g.names) counts.set(n, (counts.get(n) ?? 0) + 1);
  const words = (s: string) => normName(s).split(' ').length;
  const nonAscii = (s: string) => s.replace(/[\x00-\x7F]/g, '').length;
  return [...counts.entries()].sort((a, b) => words(b[0]) - words(a[0]) || b[1] - a[1] || nonAscii(b[0]) - nonAscii(a[0]) || a[0].localeCompare(b[0]))[0]![0];
}

/** "un childrens fund" -> "united nations childrens fund": the normal key names are compared by */
const unKey = (name: string) => normName(name).replace(/^(?:the )?(?:un|u n) /, 'united nations ');

/** The spelt-out names of a known body (unKey), and the longest one's length in words, once per entry. */
const spelledOut = new WeakMap<KbEntry, { keys: Set<string>; longest: number }>();
function spelledOutKeys(entry: KbEntry): { keys: Set<string>; longest: number } {
  let r = spelledOut.get(entry);
  if (!r) {
    const keys = new Set([entry.name, ...entry.aliases].filter((a) => /\p{Ll}/u.test(a)).map(unKey));
    spelledOut.set(entry, (r = { keys, longest: Math.max(0, ...[...keys].map((k) => k.split(' ').length)) }));
  }
  return r;
}

function buildEntities(r: DocReader): Entity[] {
  // an expansion in the text of a known acronym is that known body when its name is a variant
  // of the body's ("UN Children's Fund (UNICEF)", "United Nations World Food Programme (WFP)";
  // not "International Chamber of Commerce (ICC)", which is no court)
  for (const [acr, exp] of r.expansions) {
    const entry = exp.kb ? undefined : r.kb.byAcronym.get(acr);
    if (!entry || entry.type !== exp.type) continue;
    const key = unKey(exp.name);
    if ([entry.name, ...entry.aliases].some((a) => a.length > 4 && /\p{Ll}/u.test(a) && (key.endsWith(unKey(a)) || unKey(a) === key))) {
      // (and so is the same name written out elsewhere in the document)
      for (const m of r.mentions) if (!m.kb && m.type === exp.type && unKey(m.name) === key) Object.assign(m, { kb: entry, name: entry.name });
    }
  }
  // acronyms tied to their expansion in the text, which outranks the knowledge base's reading
  for (const m of r.mentions) {
    if (!m.acronym) continue;
    const exp = r.expansions.get(m.acronym);
    if (exp && exp !== m && (!m.kb || exp.kb !== m.kb)) {
      m.type = exp.type;
      m.name = exp.name;
      m.kb = exp.kb;
    }
  }
  const groups = new Map<string, Group>();
  const keyOf = (m: RawMention) => {
    if (m.kb) return `kb:${m.kb.type}:${m.kb.name}`;
    let k = normName(m.name);
    if (m.type !== 'PERSON') k = k.replace(/^(un|u n) /, 'united nations ');
    return `${m.type}:${k}`;
  };
  for (const m of r.mentions) {
    const key = keyOf(m);
    let g = groups.get(key);
    if (!g) {
      // (a person's "Jr." or "III" is no surname: "Whitfield" is Thomas R. Whitfield Jr.)
      g = { type: m.type, kb: m.kb, names: [], mentions: [], tokens: key.slice(key.indexOf(':') + 1).split(' ').filter((t) => m.type !== 'PERSON' || !SUFFIX_TOKENS.has(t)) };
      if (m.kb) g.tokens = normName(m.kb.name).split(' ');
      groups.set(key, g);
    }
    g.names.push(m.name);
    g.mentions.push({ text: r.text.slice(m.start, m.end), start: m.start, end: m.end });
  }
  const all = [...groups.values()];
  const byLength = [...all].sort((a, b) => b.tokens.length - a.tokens.length || b.mentions.length - a.mentions.length);

  // organisations and events: "Security Council" is the "UN Security Council" of the same text
  for (const g of byLength) {
    if (g.kb || g.type === 'PERSON' || g.tokens.length < 2) continue;
    const targets = new Set(byLength.filter((o) => o !== g && o.type === g.type && o.tokens.length > g.tokens.length && endsWith(o.tokens, g.tokens, false)).map(root));
    if (targets.size === 1) mergeInto(g, [...targets][0]!);
  }
  // a company without its legal form: "Acme Robotics" is the "Acme Robotics, Inc." of the same text
  const withForm = new Map<string, Group>(); // "acme robotics" -> the group of "Acme Robotics, Inc."
  for (const o of byLength) {
    const k = o.tokens.slice(0, -1).join(' ');
    if (o.type === 'ORG' && o.tokens.length > 1 && isCompanyEnd(o.tokens.at(-1)!) && !withForm.has(k)) withForm.set(k, o);
  }
  for (const g of byLength) {
    if (g.kb || g.type !== 'ORG' || g.merged) continue;
    const full = withForm.get(g.tokens.join(' '));
    if (full && full !== g) mergeInto(g, root(full));
  }
  // people: surname alone, misspellings, the same name with and without accents or middle names
  // one storm named as it grew: "Tropical Storm Debby", then "Hurricane Debby"
  const storms = new Map<string, Group>();
  for (const g of byLength) {
    if (g.type !== 'EVENT' || g.kb || g.merged || g.tokens.length < 2 || !STORM_WORDS.has(g.tokens[g.tokens.length - 2]!)) continue;
    const name = g.tokens[g.tokens.length - 1]!;
    const first = storms.get(name);
    if (first) mergeInto(g, root(first));
    else storms.set(name, g);
  }
  const people = byLength.filter((g) => g.type === 'PERSON' && !g.merged);
  // twice: a surname that fits a name and its misspelling is resolved once the two are merged
  for (const g of [...people, ...people].reverse()) {
    if (g.merged) continue;
    const targets = new Set(
      people
        .filter((o) => o !== g && !o.merged && (o.tokens.length > g.tokens.length || (o.tokens.length === g.tokens.length && o.mentions.length > g.mentions.length)))
        .filter((o) => endsWith(o.tokens, g.tokens, false) || endsWith(o.tokens, g.tokens, true) || withoutMiddle(o.tokens, g.tokens))
        .map(root),
    );
    // "Dr. Tedros" after "Tedros Adhanom Ghebreyesus": a lone first name of exactly one person
    if (targets.size === 0 && g.tokens.length === 1) {
      for (const o of people) if (o !== g && !o.merged && o.tokens.length > 1 && o.tokens[0] === g.tokens[0]) targets.add(root(o));
    }
    if (targets.size === 1) mergeInto(g, [...targets][0]!);
  }
  // a lone capitalised word that is the end of a name in this document ("Guterres", "Dorian")
  const live = all.filter((g) => !g.merged);
  const chunksNamed = new Set<string>();
  const firstNames = new Map<string, Group>();
  for (const b of r.bare) {
    const w = normName(b.text);
    if (!w || r.kb.notEntities.has(w)) continue;
    if (b.chunk) {
      // a word of a longer unexplained name: the name as a whole may be one found elsewhere
      // ("Helios Grid" before "Helios Grid will ..."), but its words are no mentions of other
      // names ending alike ("Capital" of "Sequoia Capital" is not Intel Capital)
      const whole = live.filter((g) => g.tokens.join(' ') === b.chunk!.key);
      const at = `${b.chunk.start}:${b.chunk.end}`;
      if (whole.length === 1 && !chunksNamed.has(at)) {
        chunksNamed.add(at);
        whole[0]!.mentions.push({ text: r.text.slice(b.chunk.start, b.chunk.end), start: b.chunk.start, end: b.chunk.end });
      }
      if (whole.length > 0) continue;
    }
    let hits = live.filter((g) => g.type === 'PERSON' && g.tokens[g.tokens.length - 1] === w);
    if (hits.length === 0) hits = live.filter((g) => g.type === 'PERSON' && g.tokens.length > 1 && closeWord(w, g.tokens[g.tokens.length - 1]!));
    if (b.chunk) {
      if (hits.length === 1) hits[0]!.mentions.push({ text: b.text, start: b.start, end: b.end });
      continue;
    }
    // "the Council" after "Human Rights Council"; not an ordinary word that only ends the name
    // ("Health" of a topic label is no mention of the Ministry of Health)
    const headWord = ORG_HEADS.has(w) || LOC_HEADS.has(w) || EVENT_HEADS.has(w) || !isCommonWord(w);
    if (hits.length === 0 && headWord) hits = live.filter((g) => g.type !== 'PERSON' && g.tokens.length > 1 && g.tokens[g.tokens.length - 1] === w && w.length > 3);
    // a company's short name: "Globex" after "Globex Corp."
    // ("Northgate" after "Northgate Energy Corporation")
    if (hits.length === 0) hits = live.filter((g) => g.type === 'ORG' && !g.kb && g.tokens.length >= 2 && g.tokens[0] === w && w.length > 2 && g.tokens.slice(1).every((t) => isCompanyEnd(t) || COMPANY_HEADS.has(t)));
    // a first name that is no common one, alone: "Tedros" after "Tedros Adhanom Ghebreyesus"
    if (hits.length === 0 && !r.kb.givenNames.has(w) && !isCommonWord(w)) hits = live.filter((g) => g.type === 'PERSON' && !g.kb && g.tokens.length >= 2 && g.tokens[0] === w);
    // a one-word place or body named again: "Albany" after the dateline "ALBANY, N.Y. —"
    if (hits.length === 0) hits = live.filter((g) => g.type !== 'PERSON' && !g.kb && g.tokens.length === 1 && g.tokens[0] === w);
    if (hits.length === 1) hits[0]!.mentions.push({ text: b.text, start: b.start, end: b.end });
    else if (hits.length === 0 && b.person) {
      let g = firstNames.get(w);
      if (!g) {
        firstNames.set(w, (g = { type: 'PERSON', names: [b.text], mentions: [], tokens: [w] }));
        live.push(g);
      }
      g.mentions.push({ text: b.text, start: b.start, end: b.end });
    }
  }
  const out: Entity[] = [];
  for (const g of live) {
    g.mentions.sort((a, b) => a.start - b.start);
    const mentions = g.mentions.filter((m, i) => i === 0 || m.start !== g.mentions[i - 1]!.start || m.end !== g.mentions[i - 1]!.end);
    out.push({ type: g.type, name: canonicalName(g), mentions });
  }
  out.sort((a, b) => a.mentions[0]!.start - b.mentions[0]!.start);
  return out;
}

// ------------------------------------------------------------------ dates, numbers, times

/**
 * 1-12 for a month's name or its abbreviation of at least three letters ("Sept.", "Dec"), else
 * undefined: a word that only starts like one ("Marathon", "Junk") is no month.
 */
const monthOf = (w: string): number | undefined => {
  const x = w.toLowerCase().replace(/\.$/, '');
  if (x.length < 3) return undefined;
  const i = MONTH_NAMES.findIndex((m) => m.startsWith(x));
  return i < 0 ? undefined : i + 1;
};
const pad = (n: number) => String(n).padStart(2, '0');
/** "YYYY-MM-DD" when that day exists (1 to 28-31, leap years counted), else undefined. */
function isoDay(y: number, m: number, d: number): string | undefined {
  if (m < 1 || m > 12 || d < 1 || d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return undefined;
  return `${String(y).padStart(4, '0')}-${pad(m)}-${pad(d)}`;
}

/** ISO 8601 value of a date expression where it can be resolved without a reference date. */
export function isoDate(text: string): string | undefined {
  const t = text
    .trim()
    .replace(/^(by|on|in|since|from|until|till|of|during|before|after|early|late|mid|the)\s+/i, '')
    .replace(/[,]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  // a day that does not exist ("31 February 2021", "2021-13-45") gets no value
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (m) return isoDay(+m[1]!, +m[2]!, +m[3]!);
  m = /^(\d{1,2})(?:st|nd|rd|th)?(?: of)? ([A-Za-z]+\.?) (\d{4})$/.exec(t);
  if (m && monthOf(m[2]!)) return isoDay(+m[3]!, monthOf(m[2]!)!, +m[1]!);
  m = /^([A-Za-z]+\.?) (\d{1,2})(?:st|nd|rd|th)? (\d{4})$/.exec(t);
  if (m && monthOf(m[1]!)) return isoDay(+m[3]!, monthOf(m[1]!)!, +m[2]!);
  m = /^([A-Za-z]+\.?) (\d{4})$/.exec(t);
  if (m && monthOf(m[1]!)) return `${m[2]}-${pad(monthOf(m[1]!)!)}`;
  m = /^(\d{4})$/.exec(t);
  if (m) return m[1];
  m = /^(\d{4})s$/.exec(t);
  if (m) return m[1]!.slice(0, 3);
  return undefined;
}

/** ISO 4217 codes of the currencies most often written before an amount ("EUR 5.2 million"). */
const CURRENCY_CODES = set('EUR,USD,GBP,JPY,CHF,CNY,RMB,INR,CAD,AUD,NZD,SEK,NOK,DKK,ZAR,BRL,MXN,RUB,KRW,HKD,SGD,TRY,PLN,NGN,KES');
/** A currency symbol or code right before an amount: wink-nlp reads "€2.4 billion" and "EUR 5 million" as plain numbers. */
const CURRENCY_BEFORE = new RegExp(`(?:[€£¥₹₩₽₺₪₦]|\\b(?:${[...CURRENCY_CODES].join('|')}) ?)$`);

const MONTH_ABBR = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\\.?';
/**
 * Full dates wink-nlp reads in pieces: "Sept. 30, 2026" comes out as the number 30 and the year
 * 2026 ("Jan. 5, 2027" does not).
 */
const FULL_DATE = new RegExp(`\\b(?:${MONTH_ABBR} \\d{1,2}(?:st|nd|rd|th)?,? \\d{4}|\\d{1,2}(?:st|nd|rd|th)? ${MONTH_ABBR},? \\d{4})\\b`, 'g');
/**
 * Telephone numbers, which wink-nlp reads as a row of numbers: an international prefix, an
 * area code in brackets, or three groups joined by the same dash or dot ("617-555-0100").
 */
const PHONE = /(?<![\w+])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]\d{2,4}){1,4}|\(\d{2,4}\) ?\d{3,4}[ .-]\d{3,4}|\d{3}(?<sep>[.-])\d{3}\k<sep>\d{4})(?![\w-])/g;

/** "Sept. 28" (AP style, no year): wink-nlp reads some abbreviations, not "Sept." */
const MONTH_DAY = new RegExp(`\\b${MONTH_ABBR} \\d{1,2}(?:st|nd|rd|th)?\\b(?![,.]? ?\\d)(?!:)`, 'g');
/** Quarters, halves and fiscal years: "Q3 2024", "H1 2025", "FY2024", "fiscal 2025", "the 2023-24 school year", "the 2040s" */
const PERIOD =
  /\b(?:(?:(?:Q[1-4]|H[12]) (?=FY))?(?:Q[1-4]|H[12]|FY) ?(?:19|20)\d{2}(?:[-–/]\d{2,4})?|fiscal (?:year )?(?:19|20)\d{2}(?:[-–/]\d{2,4})?|(?:19|20)\d{2}[-–/](?:\d{2}|(?:19|20)\d{2})(?= (?:school |academic |financial |fiscal |budget |crop |growing )?(?:year|season)\b)|(?:1[5-9]|20)\d0s)\b/g;
/** "a 60-day state of emergency": wink-nlp gives the number and the unit apart */
const HYPHEN_DURATION = /\b\d+(?:\.\d+)?-(?:second|minute|hour|day|week|month|year|decade)s?\b(?!-old)/g;
/** "0842 GMT", "15.32 BST": a clock time with its zone */
const ZONED_TIME = /\b(?:[01]?\d|2[0-3])[.:]?[0-5]\d ?(?:GMT|UTC|BST|CET|CEST|EST|EDT|ET|PT|PST|PDT)\b/g;
/** a unit alone ("a year", "each month", "/year"): a rate or a figure of speech, not a duration worth an entity */
const BARE_UNIT = /^(?:(?:an?|the|each|every|per|one)\s+)?(?:year|month|week|day|hour|minute|second|decade|century)s?$/i;
/** currencies written after an amount that wink-nlp leaves a plain number: "1.2 trillion pesos" */
const CURRENCY_AFTER = /^ (?:pesos|rupees|rupiah|naira|shillings|rand|reais|yuan|renminbi|francs|dinars|dirhams|lira|rubles|roubles|hryvnias|zlotys|kronor|kroner|krona|baht|ringgit|taka|cedis|birr|euros|dollars)\b/;

type Numeric = { type: string; start: number; end: number };

/** wink-nlp's numeric entities, with full dates and phone numbers put together where it read them in pieces. */
function numericSpans(r: DocReader): Numeric[] {
  const own: Numeric[] = [];
  // characters already taken by a span of our own (a lookup per match, not a scan of the list:
  // 40,000 "Q3 2024" made that quadratic)
  let taken: Uint8Array | null = null;
  const free = (start: number, end: number) => {
    if (!taken) return true;
    for (let k = start; k < end; k++) if (taken[k]) return false;
    return true;
  };
  const add = (type: string, re: RegExp, ok: (m: RegExpMatchArray) => boolean = () => true) => {
    for (const m of r.text.matchAll(re)) {
      const start = m.index!;
      const end = start + m[0].length;
      if (!ok(m) || !free(start, end)) continue;
      own.push({ type, start, end });
      (taken ??= new Uint8Array(r.text.length)).fill(1, start, end);
    }
  };
  add('DATE', FULL_DATE, (m) => isoDate(m[0]) !== undefined);
  add('DATE', MONTH_DAY, (m) => monthOf(m[0].split(' ')[0]!) !== undefined);
  add('DATE', PERIOD);
  add('DURATION', HYPHEN_DURATION);
  add('TIME', ZONED_TIME);
  // nine digits or more, and not a row of years ("(2019) 2020-2021")
  add('PHONE', PHONE, (m) => m[0].replace(/\D/g, '').length >= 9 && !(m[0].match(/\d+/g) ?? []).every((g) => YEAR.test(g)));
  const winks = r.numeric.filter((x) => !(x.type === 'DURATION' && BARE_UNIT.test(r.text.slice(x.start, x.end))));
  if (own.length === 0) return winks;
  return [...winks.filter((x) => free(x.start, x.end)), ...own].sort((a, b) => a.start - b.start);
}

function numericEntities(r: DocReader, named: Entity[]): Entity[] {
  const taken = named.flatMap((e) => e.mentions).sort((a, b) => a.start - b.start);
  const overlaps = (s: number, e: number) => taken.some((m) => m.start < e && s < m.end);
  const groups = new Map<string, Entity>();
  for (const n of numericSpans(r)) {
    let x = n;
    // "since January": a point in time, which wink-nlp calls a duration
    const since = x.type === 'DURATION' ? /^since\s+(\S+)/i.exec(r.text.slice(x.start, x.end)) : null;
    if (since && (monthOf(since[1]!) !== undefined || YEAR.test(since[1]!))) {
      x = { ...x, type: 'DATE' };
    }
    if (x.type === 'CARDINAL') {
      const cur = CURRENCY_BEFORE.exec(r.text.slice(Math.max(0, x.start - 4), x.start));
      if (cur) x = { ...x, type: 'MONEY', start: x.start - cur[0].length };
      const after = CURRENCY_AFTER.exec(r.text.slice(x.end, x.end + 12));
      if (after) x = { ...x, type: 'MONEY', end: x.end + after[0].length };
      // "512p", "4.8p per share": pence
      else if (/^p\b/.test(r.text.slice(x.end, x.end + 2)) && /^\d/.test(r.text.slice(x.start, x.end))) x = { ...x, type: 'MONEY', end: x.end + 1 };
    }
    // "£3.2bn", "$310m": wink-nlp ends the amount before the short scale word
    if (x.type === 'MONEY') {
      const scale = /^(?:bn|mn|m|tn|trn|k|B|M|K|T)\b/.exec(r.text.slice(x.end, x.end + 4));
      if (scale) x = { ...x, end: x.end + scale[0].length };
    }
    if (overlaps(x.start, x.end)) continue;
    const text = r.text.slice(x.start, x.end);
    const value = x.type === 'DATE' ? isoDate(text) : undefined;
    const name = text.replace(/^(by|on|in|since|from|until|of|at)\s+/i, '').replace(/\s+/g, ' ');
    const key = `${x.type}:${value ?? name.toLowerCase()}`;
    let g = groups.get(key);
    if (!g) {
      g = { type: x.type, name, ...(value ? { value } : {}), mentions: [] };
      groups.set(key, g);
    }
    g.mentions.push({ text, start: x.start, end: x.end });
  }
  return [...groups.values()];
}

// ------------------------------------------------------------------ stage entry point

/** Per segment, the lower-cased normal and the lemma of each word token, from the same parse. */
function segmentAnalysis(r: DocReader, doc: DedupDoc): SegmentAnalysis[] {
  const out: SegmentAnalysis[] = [];
  let i = 0;
  const n = r.v.length;
  for (const seg of doc.segments) {
    while (i < n && r.end[i]! <= seg.start) i++;
    let j = i;
    const normals: string[] = [];
    const lemmas: string[] = [];
    while (j < n && r.start[j]! < seg.end) {
      // A space inside a token would shift the space-separated lists against each other.
      if (r.type[j] === 'word' && r.start[j]! >= seg.start && !/\s/.test(r.lower[j]!) && !/\s/.test(r.lemma[j]!)) {
        normals.push(r.lower[j]!.toLowerCase());
        lemmas.push(r.lemma[j]!.toLowerCase());
      }
      j++;
    }
    out.push(packAnalysis(normals, lemmas));
  }
  return out;
}

/**
 * Headings in title case ("Rohingya Women Turn Scraps of Land Into Gardens"): every word is
 * capitalised, so the rules would read the whole line as names. Only known names count there;
 * the names a headline holds come again in the text below it.
 */
function titleCaseHeadings(doc: DedupDoc): [number, number][] {
  const out: [number, number][] = [];
  for (const seg of doc.segments) {
    if (seg.kind !== 'heading') continue;
    const words = seg.text.match(/\p{L}[\p{L}\p{M}'’-]{3,}/gu) ?? [];
    if (words.length < 4) continue;
    const capitalised = words.filter((w) => /^\p{Lu}/u.test(w)).length;
    // (not a heading in capitals: "MINISTRY OF HEALTH" is read by the rules for capitals)
    if (capitalised === words.length && seg.text !== seg.text.toUpperCase()) out.push([seg.start, seg.end]);
  }
  return out;
}

export function extractEntities(doc: DedupDoc, kb: KnowledgeBase): EntitiesDoc {
  const r = new DocReader(doc.text, kb, doc.language !== 'en' && doc.language !== 'und', titleCaseHeadings(doc));
  r.run();
  const named = buildEntities(r);
  const entities = [...named, ...numericEntities(r, named)];
  return { ...doc, entities, analysis: segmentAnalysis(r, doc) };
}

/** Only the entities of a text (used by the evaluation script and the benchmark). */
export function entitiesOfText(text: string, kb: KnowledgeBase): Entity[] {
  const r = new DocReader(text, kb);
  r.run();
  const named = buildEntities(r);
  return [...named, ...numericEntities(r, named)];
}
