// Spawning `bin/textmill.js` as a real process, for tests that run producers and workers apart.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './pipeline.js';

export const BIN = path.join(ROOT, 'bin/textmill.js');

export interface TextmillProcess {
  proc: ChildProcess;
  /** everything the process wrote so far (for assertions and failure messages) */
  stdout(): string;
  stderr(): string;
}

/** Starts `textmill <args>` with quiet logs; `env` is added to the test's environment. */
export function textmillProcess(args: string[], env: Record<string, string> = {}): TextmillProcess {
  const proc = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TEXTMILL_LOG_LEVEL: 'warn', ...env },
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  return { proc, stdout: () => out, stderr: () => err };
}

/** The exit code (null when ended by a signal); rejects after `timeoutMs`. */
export function exitOf(p: ChildProcess, timeoutMs = 60_000): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve(p.exitCode);
    const timer = setTimeout(() => reject(new Error(`process ${p.pid} did not exit within ${timeoutMs} ms`)), timeoutMs);
    p.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** SIGKILLs every process of the list that is still running (for afterAll). */
export function killAll(procs: ChildProcess[]): void {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}
