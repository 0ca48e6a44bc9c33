import { CleanDoc, CleanInput } from '../../shared/schemas.js';
import { RejectError } from '../../shared/errors.js';
import type { StageDef } from '../stage.js';
import { clean } from './clean.js';

export const cleanStage: StageDef<CleanInput, CleanDoc> = {
  name: 'clean',
  input: CleanInput,
  output: CleanDoc,
  run: (input, { settings }) => {
    // One segment over the limit is enough to tell: the file is rejected whole (code
    // too-many-segments) rather than written cut short.
    const doc = clean(input, { maxSegments: settings.maxSegments + 1 });
    if (doc.segments.length > settings.maxSegments) {
      throw new RejectError(
        'too-many-segments',
        `The document has more than ${settings.maxSegments} segments (paragraphs, headings, lines), over the limit (set TEXTMILL_MAX_SEGMENTS to change it).`,
      );
    }
    return doc;
  },
};
