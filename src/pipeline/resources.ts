// Loads what the stages need once per process: knowledge base, taxonomy, dedup index.
import type { Settings } from '../shared/config.js';
import type { DedupIndex } from '../workers/dedup/index-types.js';
import { loadKnowledgeBase } from '../workers/entities/entities.js';
import type { StageResources } from '../workers/stage.js';
import { loadTaxonomy } from '../workers/themes/taxonomy.js';

/** The dedup index's options from the settings (the similarity threshold, when set). */
export function indexOptions(settings: Settings): { params?: { threshold: number } } {
  return settings.dedupThreshold === undefined ? {} : { params: { threshold: settings.dedupThreshold } };
}

export function loadResources(settings: Settings, index: DedupIndex): StageResources {
  return {
    settings,
    index,
    kb: loadKnowledgeBase(settings.entitiesFile),
    taxonomy: loadTaxonomy(settings.themesFile),
  };
}
