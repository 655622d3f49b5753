import { randomUUID } from 'node:crypto';
import { validate, version } from 'uuid';

// A new record id: a time-ordered UUID, version 7 (RFC 9562), good for InnoDB's clustered index and
// opaque to callers. Made from Node's pooled randomUUID() (a v4: 122 random bits) whose first 48 bits
// become the Unix time in milliseconds and whose version nibble becomes 7; the 12 bits after it
// (rand_a) are a counter (RFC 9562, section 6.2, method 1) so that ids made in one millisecond by this
// process still sort in the order they were made. A batch makes a hundred of them: the uuid package's
// v7 took about 2 µs each (one getRandomValues call per id), this about 0.4 µs.
let lastMs = 0;
let counter = 0;

export function newId(): string {
  const random = randomUUID(); // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx (V: the RFC variant)
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    // A random start in the lower half leaves room for 2048 more ids in this millisecond.
    counter = parseInt(random.slice(15, 18), 16) & 0x7ff;
  } else if (counter < 0xfff) {
    ms = lastMs; // the same millisecond, or the clock went back: keep counting from the last id
    counter++;
  } else {
    ms = ++lastMs; // 4096 ids in one millisecond: borrow the next one
    counter = 0;
  }
  const time = ms.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8)}-7${counter.toString(16).padStart(3, '0')}${random.slice(18)}`;
}

export function isUuid(value: string): boolean {
  return validate(value) && version(value) >= 1;
}
