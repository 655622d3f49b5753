import { RateLimiter } from '../../src/http/rate-limit.js';

describe('RateLimiter (a token bucket per key)', () => {
  let now = 0;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000_000;
  });

  it('lets a key burst up to the limit, then tells how long to wait', () => {
    const limiter = new RateLimiter(60, clock);
    for (let i = 0; i < 60; i++) expect(limiter.take('a').wait).toBe(0);
    expect(limiter.take('a').wait).toBe(1); // 60 a minute: one more in a second
  });

  it('refills at the limit pace, never above the limit', () => {
    const limiter = new RateLimiter(6, clock);
    for (let i = 0; i < 6; i++) limiter.take('a');
    expect(limiter.take('a').wait).toBe(10);
    now += 10_000;
    expect(limiter.take('a').wait).toBe(0);
    expect(limiter.take('a').wait).toBe(10);
    now += 3_600_000;
    for (let i = 0; i < 6; i++) expect(limiter.take('a').wait).toBe(0);
    expect(limiter.take('a').wait).toBeGreaterThan(0);
  });

  it('keeps one allowance per key', () => {
    const limiter = new RateLimiter(1, clock);
    expect(limiter.take('a').wait).toBe(0);
    expect(limiter.take('a').wait).toBe(60);
    expect(limiter.take('b').wait).toBe(0);
  });

  it('tells what is left of the quota and when it is whole again (the RateLimit fields)', () => {
    const limiter = new RateLimiter(60, clock);
    expect(limiter.take('a')).toEqual({ wait: 0, remaining: 59, resetSeconds: 1 });
    for (let i = 0; i < 59; i++) limiter.take('a');
    expect(limiter.take('a')).toEqual({ wait: 1, remaining: 0, resetSeconds: 60 });
  });
});
