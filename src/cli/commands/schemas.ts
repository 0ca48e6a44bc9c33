import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { EXPORTED_SCHEMAS } from '../../shared/schemas.js';

/** zod 4 exports JSON Schema itself; `npm run schemas` refreshes schemas/. */
export function writeJsonSchemas(outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  return Object.entries(EXPORTED_SCHEMAS).map(([name, schema]) => {
    const file = path.join(outDir, `${name}.schema.json`);
    const json = z.toJSONSchema(schema, {
      io: 'output',
      unrepresentable: 'any',
    });
    writeFileSync(file, JSON.stringify({ $id: `textmill/${name}`, ...json }, null, 2) + '\n');
    return file;
  });
}

export function registerSchemas(program: Command) {
  program
    .command('schemas')
    .description('write the JSON Schema files of the output records and job payloads')
    .option('--out <dir>', 'folder', 'schemas')
    .action((opts) => {
      for (const f of writeJsonSchemas(opts.out)) console.log(f);
    });
}
