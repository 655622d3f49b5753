// What an error message must never carry: a stack trace, SQL, a driver's error code, a file path.
// Only the service's own words are checked (the `message` of an error body and of each item error),
// not the values a client sent and that come back as `externalId` or `field`.

const LEAKS: [string, RegExp][] = [
  ['a stack trace', /\n\s+at |\bat \S+ \(.*:\d+:\d+\)|^\s*at .*:\d+:\d+/m],
  ['an exception class', /\b(Query|Type|Reference|Range|Syntax)(Failed)?Error\b|EntityNotFound|TypeORM/],
  ['SQL', /\b(SELECT|INSERT INTO|INSERT IGNORE|UPDATE `?\w+`? SET|DELETE FROM|START TRANSACTION|ROLLBACK|COMMIT)\b|`\w+`\.`\w+`/],
  ['a driver error code', /\b(ER_[A-Z_]+|SQLITE_[A-Z_]+|ECONNREFUSED|ECONNRESET|ETIMEDOUT|PROTOCOL_[A-Z_]+)\b/],
  ['a file path', /node_modules|file:\/\/|\/(work|home|usr|tmp|var|opt|app|src|dist)\/|[\w-]+\.(ts|js|mjs|cjs):\d+|[A-Z]:\\/],
];

/** The texts of a response body that the service wrote itself. */
function serviceTexts(body: unknown): string[] {
  if (typeof body === 'string') return [body];
  if (!body || typeof body !== 'object') return [];
  const texts: string[] = [];
  const { message, errors } = body as { message?: unknown; errors?: unknown };
  if (typeof message === 'string') texts.push(message);
  if (Array.isArray(errors)) {
    for (const error of errors) if (typeof error?.message === 'string') texts.push(error.message);
  }
  return texts;
}

/** The leaks found in a body, by kind; empty when it is clean. */
export function findLeaks(body: unknown): string[] {
  return serviceTexts(body).flatMap((text) =>
    LEAKS.filter(([, pattern]) => pattern.test(text)).map(([kind]) => `${kind} in ${JSON.stringify(text.slice(0, 200))}`),
  );
}

export function expectNoLeak(body: unknown): void {
  const leaks = findLeaks(body);
  if (leaks.length > 0) throw new Error(`the answer exposes ${leaks.join('; ')}`);
}
