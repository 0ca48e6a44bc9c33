import { EntitiesDoc, ThemedDoc } from '../../shared/schemas.js';
import type { StageDef } from '../stage.js';
import { tagThemes } from './themes.js';

export const themesStage: StageDef<EntitiesDoc, ThemedDoc> = {
  name: 'themes',
  input: EntitiesDoc,
  output: ThemedDoc,
  run: (doc, { taxonomy }) => tagThemes(doc, taxonomy),
};
