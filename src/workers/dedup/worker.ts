import { CleanDoc, DedupDoc } from '../../shared/schemas.js';
import type { StageDef } from '../stage.js';
import { dedup } from './dedup.js';

export const dedupStage: StageDef<CleanDoc, DedupDoc> = {
  name: 'dedup',
  input: CleanDoc,
  output: DedupDoc,
  run: (doc, { index }) => dedup(doc, index),
};
