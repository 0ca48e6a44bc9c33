// What every stage shares: a definition (name, input and output schema, pure function) and
// one generic runner that validates in, calls, and validates out. The BullMQ processor and
// the inline transport both go through `runStage`, so they cannot drift apart.
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import type { Settings } from '../shared/config.js';
import type { StageName } from '../shared/queues.js';
import type { DedupIndex } from './dedup/index-types.js';
import type { KnowledgeBase } from './entities/entities.js';
import type { Taxonomy } from './themes/taxonomy.js';

/** Loaded once per process and handed to every stage call. */
export interface StageResources {
  settings: Settings;
  index: DedupIndex;
  kb: KnowledgeBase;
  taxonomy: Taxonomy;
}

export interface StageDef<I, O> {
  name: Exclude<StageName, 'write'>;
  input: z.ZodType<I>;
  output: z.ZodType<O>;
  run(input: I, resources: StageResources): O | Promise<O>;
}

/** A payload that does not match its schema will not get better on retry. */
export class InvalidPayloadError extends UnrecoverableError {
  constructor(
    readonly stage: string,
    readonly direction: 'input' | 'output',
    detail: string,
  ) {
    super(`${stage} ${direction} does not match its schema: ${detail}`);
    this.name = 'InvalidPayloadError';
  }
}

/**
 * What runStage validates. Each payload is checked once per hop: where it arrives from outside
 * the process (a job taken from Redis: `input`), or where it is made (the inline transport:
 * `output`, and the next stage's input is that very object). Checking both ends of a hop
 * parsed every document twice over, and the write stage checks the final document against
 * the output contract anyway.
 */
export interface Checks {
  input: boolean;
  output: boolean;
}

/** Validates the payload and/or the result (see Checks) and runs the stage. */
export async function runStage<I, O>(def: StageDef<I, O>, payload: unknown, resources: StageResources, checks: Checks): Promise<O> {
  let data: I;
  if (!checks.input) data = payload as I;
  else {
    const input = def.input.safeParse(payload);
    if (!input.success) throw new InvalidPayloadError(def.name, 'input', z.prettifyError(input.error));
    data = input.data;
  }
  const result = await def.run(data, resources);
  if (!checks.output) return result;
  const output = def.output.safeParse(result);
  if (!output.success) throw new InvalidPayloadError(def.name, 'output', z.prettifyError(output.error));
  return output.data;
}
