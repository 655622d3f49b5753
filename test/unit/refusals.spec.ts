import { toErrorResponse } from '../../src/errors/error-response.js';

// What mysql2 and TypeORM throw, as they throw it: a pool whose queue is full, a server that is away.
const poolQueueFull = Object.assign(new Error('Queue limit reached.'), {});
const connectionRefused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });
const wrapped = (driverError: Error) => Object.assign(new Error(`QueryFailedError: ${driverError.message}`), { driverError });

describe('honest refusals', () => {
  it('says busy, not "database unavailable", when the pool queue is full: the database is up', () => {
    for (const error of [poolQueueFull, wrapped(poolQueueFull)]) {
      const answer = toErrorResponse(error, 7);
      expect(answer).toMatchObject({ status: 503, headers: { 'Retry-After': '7' }, reason: 'pool_queue_full' });
      expect(answer.body).toEqual({ error: 'service_unavailable', message: expect.stringMatching(/^The service is busy .*retry after 7 s/) });
    }
  });

  it('says "database unavailable" when the database cannot be reached', () => {
    for (const error of [connectionRefused, wrapped(connectionRefused)]) {
      const answer = toErrorResponse(error, 7);
      expect(answer).toMatchObject({ status: 503, headers: { 'Retry-After': '7' }, reason: 'database_unavailable' });
      expect(answer.body.message).toMatch(/^The database is unavailable; retry after 7 s\.$/);
    }
  });

  it('keeps an error message within the contract’s 1000 characters', () => {
    const answer = toErrorResponse(Object.assign(new Error('x'), { type: 'entity.parse.failed' }), 5);
    expect(answer.body.message.length).toBeLessThanOrEqual(1000);
  });
});
