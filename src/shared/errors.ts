// Errors a person can act on: a stable code plus one sentence. A bad input file becomes a
// rejected.jsonl line built from one of these; a bad set-up (no Redis, bad config) ends the
// command with the sentence and a non-zero exit code.

/** Why an input file was not turned into a document. Codes are part of the output contract. */
export class RejectError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RejectError';
  }
}

/** The pipeline itself cannot run (no Redis, bad configuration). */
export class SetupError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'SetupError';
  }
}

/**
 * The output folder cannot be written, not even a file's rejected.jsonl line: the run cannot
 * keep its promise (every file exactly once in the output), so it stops with this sentence and
 * exit code 3 rather than wait for files that can never be accounted for.
 */
export class OutputError extends SetupError {
  constructor(message: string) {
    super('output-unwritable', message, 3);
    this.name = 'OutputError';
  }
}
