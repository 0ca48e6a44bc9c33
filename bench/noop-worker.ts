// (e) One worker process of the no-op five-stage chain: the same queues, prefix, job options
// and deterministic ids as the pipeline, workers that do nothing but hand the payload on,
// padded to the size the real pipeline's payload has at that stage (ratios measured on (b)).
import { Queue, Worker, type Job } from 'bullmq';
import { connect } from '../src/shared/redis.js';
import { defaultJobOptions, jobId, key, nextStage, queuePrefix, STAGES, type StageName } from '../src/shared/queues.js';

const { redisUrl, namespace, concurrency, ratios } = JSON.parse(process.argv[2]!) as {
  redisUrl: string;
  namespace: string;
  concurrency: number;
  /** payload bytes / document bytes, per stage */
  ratios: Record<string, number>;
};
const connection = connect(redisUrl, 'worker');
const prefix = queuePrefix(namespace);
const queues = Object.fromEntries(STAGES.map((s) => [s, new Queue(s, { connection, prefix, defaultJobOptions: defaultJobOptions(3, 1000) })]));
const doneKey = key(namespace, 'bench', 'done');

interface Payload {
  id: string;
  bytes: number;
  text: string;
  pad?: string;
}

const workers = STAGES.map(
  (stage: StageName) =>
    new Worker(
      stage,
      async (job: Job) => {
        const { ctx, payload } = job.data as { ctx: { run: string }; payload: Payload };
        const next = nextStage(stage);
        if (!next) {
          await connection.incr(doneKey);
          return;
        }
        const want = Math.round((ratios[next] ?? 1) * payload.bytes) - payload.text.length;
        const out: Payload = { id: payload.id, bytes: payload.bytes, text: payload.text, ...(want > 0 ? { pad: 'x'.repeat(want) } : {}) };
        await queues[next]!.add(next, { ctx, payload: out }, { jobId: jobId(ctx.run, payload.id.slice(7), next) });
      },
      { connection, prefix, concurrency, lockDuration: 60_000 },
    ),
);
process.send?.({ type: 'ready' });
process.once('SIGTERM', async () => {
  await Promise.all(workers.map((w) => w.close()));
  await Promise.all(Object.values(queues).map((q) => q.close()));
  connection.disconnect();
  process.exit(0);
});
