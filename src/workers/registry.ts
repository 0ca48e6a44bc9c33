// Stage name -> definition, in pipeline order. The write stage is the sink (write/sink.ts).
import { cleanStage } from './clean/worker.js';
import { dedupStage } from './dedup/worker.js';
import { entitiesStage } from './entities/worker.js';
import type { StageDef } from './stage.js';
import { themesStage } from './themes/worker.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const PURE_STAGES: readonly StageDef<any, any>[] = [cleanStage, dedupStage, entitiesStage, themesStage];

export function stageDef(name: string) {
  const def = PURE_STAGES.find((s) => s.name === name);
  if (!def) throw new Error(`no stage named ${name}`);
  return def;
}
