// A batch item's input rules, from the contract: the item schema (ContactInput, ...) is compiled once
// by Ajv (JSON Schema 2020-12, ajv-formats) from the parsed spec, and its errors are mapped to the
// documented item codes and `field`. What the schema cannot say is in item-rules.ts, applied around it.
//
// The hot path: per item, one object of the documented fields that are present (text, or the odd value
// the schema will refuse) is built and validated; nothing else is allocated for a valid item but its
// custom fields' JSON. Ajv counts maxLength in code points, as the databases do.
import Ajv2020Module, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ContactErrorCode } from '../contract/api-types.js';
import { type ContractDocument, contractDocument, contractSchema, type JsonObject } from '../contract/contract.js';
import { CustomFieldsProblem, customFieldsOf, hasLoneSurrogate, joinedList, longerThan, presentValue } from './item-rules.js';

const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ?? Ajv2020Module) as typeof Ajv2020Module.default;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as typeof addFormatsModule.default;

/** The codes an item validator answers; every one is in the contract's item error codes. */
export type ItemErrorCode = Extract<
  ContactErrorCode,
  | 'NOT_AN_OBJECT'
  | 'MISSING_EXTERNAL_ID'
  | 'INVALID_FIELD'
  | 'INVALID_EMAIL'
  | 'VALUE_TOO_LONG'
  | 'TOO_MANY_CUSTOM_FIELDS'
  | 'CUSTOM_FIELD_KEY_TOO_LONG'
  | 'CUSTOM_FIELDS_TOO_LARGE'
>;

/** One item's problem, in the contract's shape (ContactError, ...). */
export interface ItemError<Code extends string = ItemErrorCode> {
  index: number;
  externalId?: string;
  code: Code;
  field?: string;
  message: string;
}

/** A valid item: its key, its documented fields as text (absent ones are missing), its custom fields' JSON. */
export interface NormalizedItem {
  index: number;
  key: string;
  fields: Record<string, string | undefined>;
  customFields: string | null;
}

/** A documented field as read from the item schema. */
export interface FieldRule {
  name: string;
  /** Characters, as the schema's maxLength says (the string form, for a list field the joined text). */
  maxLength: number | undefined;
  /** The schema also allows an array of strings: stored joined (see item-rules.ts). */
  list: boolean;
  /**
   * A whole-number field (the schema's type lists `integer`; its string form is digits): its bounds.
   * The text of its digits is stored, and an INTEGER column keeps it as a number.
   */
  integer?: { minimum: number; maximum: number };
}

const TYPE_RANK = 0;
const FORMAT_RANK = 1; // a malformed value is reported after every missing, mistyped or too long one

function typesOf(schema: JsonObject): string[] {
  const type = schema.type;
  return Array.isArray(type) ? (type as string[]) : typeof type === 'string' ? [type] : [];
}

/** A property as its schema, following local `$ref`s (update items point at the create schema's fields). */
function resolved(property: JsonObject, document: ContractDocument): JsonObject {
  let schema = property;
  for (let hops = 0; typeof schema.$ref === 'string' && schema.$ref.startsWith('#/') && hops < 10; hops++) {
    let target: unknown = document;
    for (const segment of schema.$ref.slice(2).split('/')) {
      target = (target as JsonObject | undefined)?.[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    if (!target || typeof target !== 'object') break;
    schema = { ...(target as JsonObject), ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$ref')) };
  }
  return schema;
}

const article = (value: unknown) => (Array.isArray(value) ? 'an array' : 'an object');

export class ItemValidator {
  readonly fields: readonly FieldRule[];
  readonly documented: ReadonlySet<string>;
  private readonly validate: ValidateFunction;
  private readonly order: ReadonlyMap<string, number>;
  private readonly byName: ReadonlyMap<string, FieldRule>;

  /**
   * @param schemaName the item schema in `components.schemas` (e.g. ContactInput)
   * @param keyField the property that keys idempotency (externalId): required by the schema
   * @param noun what an item is called in messages ("contact")
   * @param document the parsed contract; tests pass a changed copy
   * @param options `customFields: false` for items whose other keys are not kept (sync lookups)
   */
  constructor(
    readonly schemaName: string,
    readonly keyField: string,
    readonly noun: string,
    document: ContractDocument = contractDocument(),
    private readonly options: { customFields?: boolean } = {},
  ) {
    const schema = contractSchema(schemaName, document);
    const properties = (schema.properties ?? {}) as Record<string, JsonObject>;
    if (!properties[keyField]) throw new Error(`${schemaName} has no ${keyField} property`);
    this.fields = Object.entries(properties).map(([name, declared]) => {
      const property = resolved(declared, document);
      return {
        name,
        maxLength: typeof property.maxLength === 'number' ? property.maxLength : undefined,
        list: typesOf(property).includes('array'),
        integer: typesOf(property).includes('integer')
          ? { minimum: Number(property.minimum ?? Number.MIN_SAFE_INTEGER), maximum: Number(property.maximum ?? Number.MAX_SAFE_INTEGER) }
          : undefined,
      };
    });
    this.documented = new Set(this.fields.map((f) => f.name));
    this.byName = new Map(this.fields.map((f) => [f.name, f]));
    // The key first, then the schema's order: the first problem of an item is the one reported.
    this.order = new Map([keyField, ...this.fields.map((f) => f.name).filter((n) => n !== keyField)].map((n, i) => [n, i]));
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(document as object, 'contract');
    this.validate = ajv.compile({ $ref: `contract#/components/schemas/${schemaName}` });
  }

  /** The item at `index` as a row's values, or the one problem reported for it. */
  normalize(item: unknown, index: number): NormalizedItem | ItemError {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      return { index, code: 'NOT_AN_OBJECT', message: `Each ${this.noun} must be a JSON object.` };
    }
    const record = item as Record<string, unknown>;
    const present: Record<string, unknown> = {};
    for (const field of this.fields) {
      const value = presentValue(record[field.name]);
      if (value !== undefined) present[field.name] = value;
    }
    const key = present[this.keyField];
    const keyText = typeof key === 'string' ? key : undefined;
    // The key of idempotency must be stored exactly as sent, which a lone surrogate cannot be.
    if (keyText !== undefined && hasLoneSurrogate(keyText)) {
      return this.problem(index, undefined, 'INVALID_FIELD', this.keyField, `${this.keyField} is not valid Unicode text (it holds a lone surrogate).`);
    }
    if (!this.validate(present)) {
      const problem = this.firstProblem(this.validate.errors ?? [], present, index, keyText);
      if (problem) return problem;
    }
    for (const field of this.fields) {
      const value = present[field.name];
      if (!field.list || !Array.isArray(value)) continue;
      const text = joinedList(value as string[]);
      if (text === undefined) delete present[field.name];
      else if (field.maxLength !== undefined && longerThan(text, field.maxLength)) {
        return this.problem(index, keyText, 'VALUE_TOO_LONG', field.name, `${field.name} is longer than ${field.maxLength} characters once its items are joined by ", ".`);
      } else present[field.name] = text;
    }
    const customFields = this.options.customFields === false ? null : customFieldsOf(record, this.documented, this.noun);
    if (customFields instanceof CustomFieldsProblem) {
      return this.problem(index, keyText, customFields.code, customFields.field, customFields.message);
    }
    return { index, key: keyText!, fields: present as Record<string, string | undefined>, customFields };
  }

  /** The problem to report among Ajv's errors: the earliest field, a malformed value last. Undefined when none stands. */
  private firstProblem(errors: ErrorObject[], present: Record<string, unknown>, index: number, keyText: string | undefined): ItemError | undefined {
    let best: ErrorObject | undefined;
    let bestField = '';
    let bestRank = Infinity;
    for (const error of errors) {
      const field = error.keyword === 'required' ? String(error.params.missingProperty) : (error.instancePath.split('/')[1] ?? '');
      const rank = (error.keyword === 'format' ? FORMAT_RANK : TYPE_RANK) * 1e6 + (this.order.get(field) ?? 1e5);
      if (rank < bestRank) {
        best = error;
        bestField = field;
        bestRank = rank;
      }
    }
    if (!best) return undefined;
    const keyOk = bestField !== this.keyField ? keyText : undefined;
    return this.problem(index, keyOk, ...this.describe(best, bestField, present[bestField]));
  }

  /** An Ajv error as a documented code, its field and one sentence saying what to send. */
  describe(error: ErrorObject, field: string, value: unknown): [ItemErrorCode, string | undefined, string] {
    const rule = this.byName.get(field);
    // A number arrives here as its text: whatever is wrong with a whole-number field, it is not one.
    if (rule?.integer && error.keyword !== 'required') {
      const { minimum, maximum } = rule.integer;
      return ['INVALID_FIELD', field, `${field} must be a whole number from ${minimum} to ${maximum}, or the same as a string of digits.`];
    }
    switch (error.keyword) {
      case 'required':
        return [field === this.keyField ? 'MISSING_EXTERNAL_ID' : 'INVALID_FIELD', field, `${field} is required.`];
      case 'type':
        if (rule?.list) return ['INVALID_FIELD', field, `${field} must be a string or an array of strings.`];
        return ['INVALID_FIELD', field, `${field} must be a string, not ${article(value)}.`];
      case 'maxLength':
        return ['VALUE_TOO_LONG', field, `${field} is longer than ${error.params.limit} characters.`];
      case 'maxItems':
        return ['VALUE_TOO_LONG', field, `${field} holds more than ${error.params.limit} items.`];
      case 'minLength':
        return [field === this.keyField ? 'MISSING_EXTERNAL_ID' : 'INVALID_FIELD', field, `${field} is required.`];
      case 'format':
        if (error.params.format === 'email') return ['INVALID_EMAIL', field, `${field} is not a valid email address.`];
        return ['INVALID_FIELD', field, `${field} is not a valid ${error.params.format}.`];
      default:
        return ['INVALID_FIELD', field || undefined, `${field || `The ${this.noun}`} ${error.message ?? 'is not valid'}.`];
    }
  }

  private problem(index: number, externalId: string | undefined, code: ItemErrorCode, field: string | undefined, message: string): ItemError {
    const report: ItemError = { index, code, message };
    if (externalId !== undefined) report.externalId = externalId;
    if (field !== undefined) report.field = field;
    return report;
  }
}
