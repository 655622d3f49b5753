// The batch engine's item validator: the item schema compiled from the contract, its errors mapped to
// the documented codes and fields, and the rules a schema cannot say (src/batch/item-rules.ts).
import { ItemValidator, type ItemError, type NormalizedItem } from '../../src/batch/item-validator.js';
import { contractDocument, type ContractDocument } from '../../src/contract/contract.js';

const contacts = new ItemValidator('ContactInput', 'externalId', 'contact');

function errorOf(item: unknown, validator = contacts): ItemError {
  const outcome = validator.normalize(item, 7);
  if ('key' in outcome) throw new Error(`expected an error, got ${JSON.stringify(outcome)}`);
  return outcome;
}

function valid(item: unknown, validator = contacts): NormalizedItem {
  const outcome = validator.normalize(item, 3);
  if (!('key' in outcome)) throw new Error(`expected a valid item, got ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('ItemValidator on ContactInput: error mapping', () => {
  it.each([
    [null, 'NOT_AN_OBJECT', undefined],
    [[{ externalId: 'a' }], 'NOT_AN_OBJECT', undefined],
    ['text', 'NOT_AN_OBJECT', undefined],
    [{}, 'MISSING_EXTERNAL_ID', 'externalId'],
    [{ externalId: '' }, 'MISSING_EXTERNAL_ID', 'externalId'],
    [{ externalId: '   ' }, 'MISSING_EXTERNAL_ID', 'externalId'],
    [{ externalId: null }, 'MISSING_EXTERNAL_ID', 'externalId'],
    [{ externalId: { id: 1 } }, 'INVALID_FIELD', 'externalId'],
    [{ externalId: 'x'.repeat(256) }, 'VALUE_TOO_LONG', 'externalId'],
    [{ externalId: 'a\ud800b' }, 'INVALID_FIELD', 'externalId'],
    [{ externalId: 'a', firstName: { x: 1 } }, 'INVALID_FIELD', 'firstName'],
    [{ externalId: 'a', firstName: ['x'] }, 'INVALID_FIELD', 'firstName'],
    [{ externalId: 'a', phone: '1'.repeat(65) }, 'VALUE_TOO_LONG', 'phone'],
    [{ externalId: 'a', email: 'not-an-email' }, 'INVALID_EMAIL', 'email'],
    [{ externalId: 'a', email: 'nope@' }, 'INVALID_EMAIL', 'email'],
    [{ externalId: 'a', email: 12345 }, 'INVALID_EMAIL', 'email'],
    [{ externalId: 'a', campaigns: [1, 2] }, 'INVALID_FIELD', 'campaigns'],
    [{ externalId: 'a', campaigns: [{}] }, 'INVALID_FIELD', 'campaigns'],
    [{ externalId: 'a', campaigns: Array.from({ length: 501 }, () => 'c') }, 'VALUE_TOO_LONG', 'campaigns'],
    [{ externalId: 'a', enrichments: ['x'.repeat(2000), 'y'.repeat(2000)] }, 'VALUE_TOO_LONG', 'enrichments'],
    [{ externalId: 'a', ['k'.repeat(101)]: 1 }, 'CUSTOM_FIELD_KEY_TOO_LONG', 'k'.repeat(40)],
    [{ externalId: 'a', ...Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`c${i}`, i])) }, 'TOO_MANY_CUSTOM_FIELDS', undefined],
    [{ externalId: 'a', notes: 'n'.repeat(16400) }, 'CUSTOM_FIELDS_TOO_LARGE', undefined],
  ])('item %# answers %s on %s', (item, code, field) => {
    const error = errorOf(item);
    expect(error).toMatchObject({ index: 7, code });
    expect(error.field).toBe(field);
    expect(error.message).toMatch(/\.$/);
  });

  it('says what to send, naming the field and the bound', () => {
    expect(errorOf({ externalId: 'a', firstName: 'x'.repeat(256) }).message).toBe('firstName is longer than 255 characters.');
    expect(errorOf({ externalId: 'a', firstName: {} }).message).toBe('firstName must be a string, not an object.');
    expect(errorOf({}).message).toBe('externalId is required.');
    expect(errorOf({ externalId: 'a', email: 'x' }).message).toBe('email is not a valid email address.');
    expect(errorOf({ externalId: 'a', conversationTags: [true] }).message).toBe('conversationTags must be a string or an array of strings.');
  });

  it('reports the key first, then the fields in the schema order, a malformed email after them', () => {
    expect(errorOf({ firstName: {}, lastName: 'x'.repeat(300) }).code).toBe('MISSING_EXTERNAL_ID');
    expect(errorOf({ externalId: 'a', lastName: 'x'.repeat(300), firstName: {} }).field).toBe('firstName');
    expect(errorOf({ externalId: 'a', email: 'bad', description: 'x'.repeat(16001) }).field).toBe('description');
  });

  it('names the item by its externalId when that is usable, and not otherwise', () => {
    expect(errorOf({ externalId: 42, phone: '1'.repeat(65) }).externalId).toBe('42');
    expect(errorOf({ externalId: 'x'.repeat(256) }).externalId).toBeUndefined();
    expect(errorOf({ externalId: 'a\ud800' }).externalId).toBeUndefined();
  });
});

describe('ItemValidator on ContactInput: what a schema cannot say', () => {
  it('keeps numbers and booleans as text, and treats null and blank text as absent', () => {
    const item = valid({ externalId: 12, phone: 600123123, company: true, title: null, firstName: ' \t' });
    expect(item.key).toBe('12');
    expect(item.fields).toEqual({ externalId: '12', phone: '600123123', company: 'true' });
  });

  it('joins a list field sent as an array of strings with ", "', () => {
    const item = valid({ externalId: 'a', campaigns: ['Spring', 'Summer'], conversationTags: [], enrichments: ['  '] });
    expect(item.fields.campaigns).toBe('Spring, Summer');
    expect(item.fields.conversationTags).toBeUndefined();
    expect(item.fields.enrichments).toBeUndefined();
  });

  it('keeps unknown keys as custom fields, whatever their type, and drops prototype keys', () => {
    const item = valid(JSON.parse('{"externalId":"a","score":7,"tags":["x"],"__proto__":{"p":1},"constructor":1}'));
    expect(JSON.parse(item.customFields!)).toEqual({ score: 7, tags: ['x'] });
    expect(valid({ externalId: 'b' }).customFields).toBeNull();
  });

  it('counts length in code points, as the databases do', () => {
    expect(valid({ externalId: 'a', lastName: '😀'.repeat(255) }).fields.lastName).toHaveLength(510);
    expect(errorOf({ externalId: 'a', lastName: '😀'.repeat(256) }).code).toBe('VALUE_TOO_LONG');
  });
});

describe('ItemValidator follows the spec it is given', () => {
  function changed(edit: (document: ContractDocument) => void): ContractDocument {
    const copy = structuredClone(contractDocument());
    edit(copy);
    return copy;
  }
  const properties = (document: ContractDocument) => document.components.schemas.ContactInput.properties as Record<string, Record<string, unknown>>;

  it('takes a bound changed in a copy of the spec', () => {
    const document = changed((d) => {
      properties(d).firstName.maxLength = 5;
    });
    const strict = new ItemValidator('ContactInput', 'externalId', 'contact', document);
    expect(valid({ externalId: 'a', firstName: 'Maria' }, strict).fields.firstName).toBe('Maria');
    expect(errorOf({ externalId: 'a', firstName: 'Marian' }, strict)).toMatchObject({ code: 'VALUE_TOO_LONG', field: 'firstName', message: 'firstName is longer than 5 characters.' });
    // The contract as shipped still takes it.
    expect(valid({ externalId: 'a', firstName: 'Marian' }).fields.firstName).toBe('Marian');
  });

  it('takes a field added to, or a format removed from, a copy of the spec', () => {
    const document = changed((d) => {
      properties(d).nickname = { type: ['string', 'null'], maxLength: 3 };
      delete properties(d).email.format;
    });
    const other = new ItemValidator('ContactInput', 'externalId', 'contact', document);
    expect(errorOf({ externalId: 'a', nickname: 'Toolong' }, other)).toMatchObject({ code: 'VALUE_TOO_LONG', field: 'nickname' });
    expect(valid({ externalId: 'a', email: 'anything' }, other).fields.email).toBe('anything');
    // With the shipped spec, nickname is a custom field.
    expect(JSON.parse(valid({ externalId: 'a', nickname: 'Toolong' }).customFields!)).toEqual({ nickname: 'Toolong' });
  });
});

describe('ItemValidator on CompanyInput: whole-number fields', () => {
  const companies = new ItemValidator('CompanyInput', 'externalId', 'company');

  it.each([[120], ['120'], ['0042'], [0], [999999999]])('takes %j as the text of its digits', (value) => {
    expect(valid({ externalId: 'c', numberOfEmployees: value }, companies).fields.numberOfEmployees).toBe(String(value));
  });

  it.each([['51-200'], [12.5], [-1], [1e9], ['1e3'], [true], [[1]], [{}]])('answers INVALID_FIELD with the bounds for %j', (value) => {
    expect(errorOf({ externalId: 'c', numberOfEmployees: value }, companies)).toEqual({
      index: 7,
      externalId: 'c',
      code: 'INVALID_FIELD',
      field: 'numberOfEmployees',
      message: 'numberOfEmployees must be a whole number from 0 to 999999999, or the same as a string of digits.',
    });
  });
});
