// schemas/*.schema.json are generated from the zod schemas; this keeps them from drifting.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeJsonSchemas } from '../src/cli/commands/schemas.js';
import { tmpDir, ROOT } from './helpers/pipeline.js';

describe('JSON Schema files', () => {
  it('in schemas/ match what the zod schemas generate (run `npm run schemas` after changing them)', () => {
    const dir = tmpDir();
    for (const file of writeJsonSchemas(dir)) {
      const committed = readFileSync(path.join(ROOT, 'schemas', path.basename(file)), 'utf8');
      expect(JSON.parse(committed)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    }
  });

  it('describe the contract fields of a document', () => {
    const doc = JSON.parse(readFileSync(path.join(ROOT, 'schemas/document.schema.json'), 'utf8'));
    expect(doc.required).toEqual(expect.arrayContaining(['schema', 'id', 'source', 'language', 'text', 'segments', 'entities', 'themes', 'flags', 'pipeline']));
  });
});
