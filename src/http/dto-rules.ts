// A DTO's rules, read back from class-validator's metadata as one rule per field in the spec's own
// words (required, type, format, bounds, enum). The validation pipe words its messages from them, and
// a contract test compares them with the spec, field by field: a bound written in a DTO and not in
// the spec (or the other way round) fails that test, and a message never states a rule the spec lacks.
import { getMetadataStorage } from 'class-validator';

export interface FieldRule {
  name: string;
  /** Absent is refused. */
  required: boolean;
  /** `null` is accepted. */
  nullable: boolean;
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';
  format?: 'email';
  /** The spec's `pattern` (an ECMAScript regular expression's source). */
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  /** An array's `minItems`. Its `maxItems` is a batch bound, answered 413 by the service, not here. */
  minItems?: number;
  /** The `format` of an array's items. */
  itemsFormat?: 'uuid';
  enum?: unknown[];
}

/** How a message says what a `pattern` wants; whoever defines a pattern check registers its words. */
export const PATTERN_WORDS = new Map<string, string>();

export interface DtoRules {
  fields: FieldRule[];
  /** class-validator checks this file cannot put in the spec's words; the contract test wants none. */
  untranslated: string[];
}

type Condition = (object: Record<string, unknown>, value: unknown) => boolean;

/** Each class-validator check, as what it says in the spec's words. */
const TRANSLATIONS: Record<string, (rule: FieldRule, constraints: unknown[]) => void> = {
  isString: (rule) => (rule.type = 'string'),
  isInt: (rule) => (rule.type = 'integer'),
  isNumber: (rule) => (rule.type = 'number'),
  isBoolean: (rule) => (rule.type = 'boolean'),
  isEmail: (rule) => {
    rule.type = 'string';
    rule.format = 'email';
  },
  // The contract's `format: email` is ASCII (as Ajv and generated clients check it): part of isEmail here.
  isAscii: () => undefined,
  isNotEmpty: (rule) => (rule.minLength = Math.max(rule.minLength ?? 0, 1)),
  minLength: (rule, [n]) => (rule.minLength = n as number),
  maxLength: (rule, [n]) => (rule.maxLength = n as number),
  min: (rule, [n]) => (rule.minimum = n as number),
  max: (rule, [n]) => (rule.maximum = n as number),
  isIn: (rule, [values]) => (rule.enum = [...(values as unknown[])]),
  matches: (rule, [pattern]) => {
    rule.type = 'string';
    rule.pattern = (pattern as RegExp).source;
  },
  // A pattern check of its own (src/common/iso-time.ts): its constraint is the pattern.
  isIsoTime: (rule, [pattern]) => {
    rule.type = 'string';
    rule.pattern = (pattern as RegExp).source;
  },
  isObject: (rule) => (rule.type = 'object'),
  isArray: (rule) => (rule.type = 'array'),
  arrayMinSize: (rule, [n]) => (rule.minItems = n as number),
  isUuid: (rule) => (rule.itemsFormat = 'uuid'),
};

const cache = new WeakMap<Function, DtoRules>();

/** The rules of a DTO class, in the order its fields are declared. */
export function dtoRules(dto: Function): DtoRules {
  const known = cache.get(dto);
  if (known) return known;
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const names = [...new Set(metadatas.map((m) => m.propertyName))];
  const untranslated: string[] = [];
  const fields = names.map((name) => {
    const own = metadatas.filter((m) => m.propertyName === name);
    // A conditional check (IsOptional, ValidateIf) that is false for a value skips the field's rules:
    // ask each what it does with an absent field and with null.
    const conditions = own.filter((m) => m.type === 'conditionalValidation').map((m) => m.constraints[0] as Condition);
    const skips = (value: unknown) => conditions.some((condition) => !condition({ [name]: value }, value));
    const rule: FieldRule = { name, required: !skips(undefined), nullable: skips(null) };
    for (const m of own) {
      if (m.type === 'conditionalValidation' || m.type === 'whitelistValidation') continue;
      const translate = m.name ? TRANSLATIONS[m.name] : undefined;
      if (translate) translate(rule, m.constraints ?? []);
      else untranslated.push(`${dto.name}.${name}: ${m.name ?? m.type}`);
    }
    return rule;
  });
  const rules = { fields, untranslated };
  cache.set(dto, rules);
  return rules;
}

const quote = (value: unknown) => JSON.stringify(value);

function range(unit: string, min?: number, max?: number): string {
  if (min !== undefined && max !== undefined) return min === max ? ` of exactly ${min}${unit}` : ` from ${min} to ${max}${unit}`;
  if (min !== undefined) return ` of at least ${min}${unit}`;
  if (max !== undefined) return ` of at most ${max}${unit}`;
  return '';
}

/** What a field takes, as the object of "must be …": `a whole number from 1 to 200`. */
export function describeRule(rule: FieldRule): string {
  let what: string;
  const pattern = rule.pattern === undefined ? undefined : PATTERN_WORDS.get(rule.pattern);
  if (rule.enum) what = `one of ${rule.enum.map(quote).join(', ')}`;
  else if (rule.type === 'object') what = 'a JSON object';
  else if (rule.type === 'array') what = `an array of ${rule.minItems ?? 0} or more${rule.itemsFormat === 'uuid' ? ' ids (UUIDs)' : ' items'}`;
  else if (pattern && rule.maxLength === undefined) what = pattern;
  else if (rule.type === 'boolean') what = 'true or false';
  else if (rule.type === 'integer') what = `a whole number${range('', rule.minimum, rule.maximum)}`;
  else if (rule.type === 'number') what = `a number${range('', rule.minimum, rule.maximum)}`;
  else {
    const text = rule.format === 'email' ? 'an ASCII email address' : 'text';
    const lengths = range(' characters', rule.minLength, rule.maxLength).replace(/^ from (\d+) to/, ' of $1 to');
    what = `${text}${lengths}${pattern ? `, ${pattern}` : ''}`;
  }
  return rule.nullable ? `${what}, or null` : what;
}
