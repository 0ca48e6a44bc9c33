import { DedupDoc, EntitiesDoc } from '../../shared/schemas.js';
import type { StageDef } from '../stage.js';
import { extractEntities } from './entities.js';

export const entitiesStage: StageDef<DedupDoc, EntitiesDoc> = {
  name: 'entities',
  input: DedupDoc,
  output: EntitiesDoc,
  run: (doc, { kb }) => extractEntities(doc, kb),
};
