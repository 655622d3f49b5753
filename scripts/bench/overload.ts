// Overload: many maximum-size batches at once, the way a buggy client retrying in a loop would send
// them. Used by the bench (peak RSS under this load) and by the overload test (every answer is a 201,
// a 503 or a 429, and the process stays up). The body is built once and sent again and again.
import http from 'node:http';

/**
 * A batch of `count` contacts whose JSON takes just under `bytes`: the largest body that BODY_LIMIT
 * and MAX_BATCH_SIZE let through. Each contact carries the common fields and a long description.
 */
export function maxSizeBatch(run: string, count: number, bytes: number): Buffer {
  const contact = (i: number, description: string) => ({
    externalId: `${run}-${String(i).padStart(6, '0')}`,
    email: `lead-${run}-${i}@example.com`,
    firstName: 'Jane',
    lastName: 'Doe',
    company: 'Acme',
    title: 'Head of Sales',
    linkedinUrl: `https://www.linkedin.com/in/${run}-${i}`,
    description,
  });
  const empty = Buffer.byteLength(JSON.stringify({ contacts: Array.from({ length: count }, (_, i) => contact(i, '')) }));
  // Description characters are ASCII: one byte each. 16 000 is the contract's bound on description.
  const length = Math.max(0, Math.min(16000, Math.floor((bytes - empty - 64) / count)));
  const description = 'x'.repeat(length);
  return Buffer.from(JSON.stringify({ contacts: Array.from({ length: count }, (_, i) => contact(i, description)) }));
}

export interface Answer {
  /** The HTTP status, or the socket error's code when there was no answer. */
  status: number | string;
  retryAfter: string | undefined;
  body: string;
}

/** One POST of `body` on a connection of its own; resolves with whatever came back. */
export function post(url: string, path: string, key: string, body: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const request = http.request(`${url}${path}`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-api-key': key },
    });
    let answered = false;
    request.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'], body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', (error: NodeJS.ErrnoException) => resolve({ status: error.code ?? 'error', retryAfter: undefined, body: '' }));
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      // The answer may have arrived before the connection ended under the upload: keep it.
      if (!answered) resolve({ status: error.code ?? 'error', retryAfter: undefined, body: '' });
    });
    request.end(body);
  });
}

/** `count` POSTs of the same body, all at once. */
export function flood(url: string, key: string, body: Buffer, count: number): Promise<Answer[]> {
  return Promise.all(Array.from({ length: count }, () => post(url, '/contacts', key, body)));
}

/** How many answers of each status: `{ 201: 7, 503: 10, 429: 4 }`. */
export function tally(answers: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) counts[String(answer.status)] = (counts[String(answer.status)] ?? 0) + 1;
  return counts;
}
