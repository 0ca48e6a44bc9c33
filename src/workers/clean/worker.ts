import { CleanDoc, CleanInput } from '../../shared/schemas.js';
import type { StageDef } from '../stage.js';
import { clean } from './clean.js';

export const cleanStage: StageDef<CleanInput, CleanDoc> = {
  name: 'clean',
  input: CleanInput,
  output: CleanDoc,
  run: (input, { settings }) => clean(input, { maxSegments: settings.maxSegments }),
};
