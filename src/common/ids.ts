import { v7 as uuidv7, validate, version } from 'uuid';

/** A new record id: a time-ordered UUID (v7), good for InnoDB's clustered index, opaque to callers. */
export const newId = (): string => uuidv7();

export function isUuid(value: string): boolean {
  return validate(value) && version(value) >= 1;
}
