// The `textmill` command. Each subcommand lives in src/cli/commands/.
import { Command } from 'commander';
import { ZodError } from 'zod';
import { SetupError } from '../shared/errors.js';
import { VERSION } from '../shared/version.js';
import { registerIndex } from './commands/index-cmd.js';
import { registerProduce } from './commands/produce.js';
import { registerRun } from './commands/run.js';
import { registerSchemas } from './commands/schemas.js';
import { registerThemes } from './commands/themes.js';
import { registerWatch } from './commands/watch.js';
import { registerWorker } from './commands/worker.js';

const program = new Command();
program.name('textmill').description('Event-driven text-processing pipeline: clean, dedup, entities, themes, JSONL').version(VERSION);
registerRun(program);
registerProduce(program);
registerWorker(program);
registerWatch(program);
registerIndex(program);
registerThemes(program);
registerSchemas(program);
(await import('./commands/dashboard.js')).registerDashboard(program); // dashboard, status, retry

try {
  await program.parseAsync(process.argv);
  process.exit(0);
} catch (err) {
  if (err instanceof SetupError) {
    console.error(`textmill: ${err.message}`);
    process.exit(err.exitCode);
  }
  if (err instanceof ZodError || (err instanceof Error && err.name === 'ConfigError')) {
    console.error(`textmill: bad configuration: ${err.message}`);
    process.exit(2);
  }
  console.error(`textmill: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
