// ISO 8601 times as Enginy sends them: a date-time with or without an offset (none means UTC), or a
// bare date (midnight UTC). Only the calendar forms a database can order: no week or ordinal dates.
import { ValidateBy, type ValidationOptions } from 'class-validator';
import { PATTERN_WORDS } from '../http/dto-rules.js';

/** The contract's `pattern` of these times (schema IsoTime, parameter dueBefore), character for character. */
export const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

/** The years a DATETIME column holds on every database here, and that make sense for a CRM. */
const FIRST_YEAR = 1970;
const LAST_YEAR = 9999;

/** The instant `text` names, or undefined when it is not an ISO 8601 date or date-time this service takes. */
export function parseIsoTime(text: string): Date | undefined {
  const match = ISO_TIME.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', , sign, offsetHours = '0', offsetMinutes = '0'] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  if (year < FIRST_YEAR || year > LAST_YEAR || hour > 23 || minute > 59 || second > 59) return undefined;
  if (Number(offsetHours) > 14 || Number(offsetMinutes) > 59) return undefined;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const date = new Date(local);
  // Date.UTC rolls 2026-02-30 over to March: a day that does not exist is not a date.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  const offset = (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60000 * (sign === '-' ? -1 : 1);
  const instant = new Date(local - offset);
  const instantYear = instant.getUTCFullYear();
  return instantYear < FIRST_YEAR || instantYear > LAST_YEAR ? undefined : instant;
}

PATTERN_WORDS.set(ISO_TIME.source, 'an ISO 8601 date-time or date (such as 2026-11-28T10:15:00Z or 2026-11-28)');

/** class-validator: a string that parseIsoTime() takes. */
export function IsIsoTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIsoTime',
      constraints: [ISO_TIME],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseIsoTime(value) !== undefined,
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be an ISO 8601 date-time or date (such as 2026-11-28T10:15:00Z or 2026-11-28), years ${FIRST_YEAR} to ${LAST_YEAR}`,
      },
    },
    options,
  );
}
