import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { KeyRateLimiter } from '../../src/http/rate-limit.js';

const REDIS_URL = 'redis://127.0.0.1:6379';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const prefix = () => `test-rl-${randomBytes(6).toString('hex')}`;

describe('KeyRateLimiter', () => {
  const opened: KeyRateLimiter[] = [];
  const limiter = (options: ConstructorParameters<typeof KeyRateLimiter>[0]) => {
    const made = new KeyRateLimiter(options);
    opened.push(made);
    return made;
  };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((made) => made.close()));
  });

  describe('without Redis (one process)', () => {
    it('lets a key make its requests of the minute, then tells how long to wait', async () => {
      const memory = limiter({ perMinute: 5 });
      for (let i = 0; i < 5; i++) expect((await memory.take('a')).wait).toBe(0);
      const wait = (await memory.take('a')).wait;
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(60);
    });

    it('tells what is left of the quota and when the window ends (the RateLimit fields)', async () => {
      const memory = limiter({ perMinute: 60 });
      expect(await memory.take('a')).toEqual({ wait: 0, remaining: 59, resetSeconds: 60 });
      for (let i = 0; i < 59; i++) await memory.take('a');
      const refused = await memory.take('a');
      expect(refused.remaining).toBe(0);
      expect(refused.wait).toBe(refused.resetSeconds);
      expect(refused.wait).toBeGreaterThanOrEqual(1);
    });

    it('keeps one allowance per key', async () => {
      const memory = limiter({ perMinute: 1 });
      expect((await memory.take('a')).wait).toBe(0);
      expect((await memory.take('a')).wait).toBeGreaterThan(0);
      expect((await memory.take('b')).wait).toBe(0);
    });
  });

  describe('with Redis at 127.0.0.1:6379', () => {
    it('shares one allowance between limiters, as between replicas', async () => {
      const keyPrefix = prefix();
      const replicas = [limiter({ perMinute: 6, redisUrl: REDIS_URL, keyPrefix }), limiter({ perMinute: 6, redisUrl: REDIS_URL, keyPrefix })];
      expect(await Promise.all(replicas.map((replica) => replica.ready()))).toEqual([true, true]);
      const answers: number[] = [];
      for (let i = 0; i < 12; i++) answers.push((await replicas[i % 2].take('key')).wait);
      expect(answers.filter((wait) => wait === 0)).toHaveLength(6);
      expect(answers.slice(6).every((wait) => wait >= 1 && wait <= 60)).toBe(true);
      // Another key, and the same key under another prefix, have allowances of their own.
      expect((await replicas[0].take('other')).wait).toBe(0);
      const elsewhere = limiter({ perMinute: 6, redisUrl: REDIS_URL, keyPrefix: prefix() });
      await elsewhere.ready();
      expect((await elsewhere.take('key')).wait).toBe(0);
    });

    it('counts concurrent requests from many limiters exactly', async () => {
      const keyPrefix = prefix();
      const replicas = Array.from({ length: 4 }, () => limiter({ perMinute: 20, redisUrl: REDIS_URL, keyPrefix }));
      await Promise.all(replicas.map((replica) => replica.ready()));
      const answers = await Promise.all(Array.from({ length: 60 }, async (_, i) => (await replicas[i % 4].take('key')).wait));
      expect(answers.filter((wait) => wait === 0)).toHaveLength(20);
    });
  });

  describe('with Redis unreachable', () => {
    it('fails open to a count in this process, and reports each request it could not count', async () => {
      const errors: Error[] = [];
      const port = await closedPort();
      const away = limiter({ perMinute: 3, redisUrl: `redis://127.0.0.1:${port}`, keyPrefix: prefix(), onStoreError: (error) => errors.push(error) });
      expect(await away.ready(300)).toBe(false);
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push((await away.take('key')).wait);
      expect(answers.slice(0, 3)).toEqual([0, 0, 0]);
      expect(answers[3]).toBeGreaterThanOrEqual(1);
      expect(errors).toHaveLength(4);
      expect(errors[0]).toBeInstanceOf(Error);
    });
  });
});
