// (e) One worker process of the no-op five-stage chain: the same queues, prefix, job options
// and deterministic ids as the pipeline, the same batches of documents per job, workers that
// do nothing but hand the payloads on, each padded to the size the real pipeline's payload has
// at that stage (ratios measured on (b)).
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
        const { ctx, key: batch, docs } = job.data as { ctx: { run: string }; key: string; docs: Payload[] };
        const next = nextStage(stage);
        if (!next) {
          await connection.incrby(doneKey, docs.length);
          return;
        }
        const out = docs.map((d): Payload => {
          const want = Math.round((ratios[next] ?? 1) * d.bytes) - d.text.length;
          return { id: d.id, bytes: d.bytes, text: d.text, ...(want > 0 ? { pad: 'x'.repeat(want) } : {}) };
        });
        await queues[next]!.add(next, { ctx, key: batch, docs: out }, { jobId: jobId(ctx.run, batch, next) });
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
