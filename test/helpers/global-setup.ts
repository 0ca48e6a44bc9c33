// One Redis for the whole test run; its URL reaches the tests through vitest's provide/inject.
import type { TestProject } from 'vitest/node';
import { startTestRedis } from './redis-server.js';

export default async function setup(project: TestProject) {
  const redis = await startTestRedis();
  console.log(`[tests] Redis: ${redis.how} at ${redis.url.replace(/\/\/[^@]*@/, '//***@')}`);
  project.provide('redisUrl', redis.url);
  return async () => {
    await redis.stop();
  };
}
