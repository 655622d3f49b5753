// Single-object bodies and queries are validated by class-validator DTOs; the spec is the source of
// truth for their rules. This test finds every handler of the running app, the DTO behind each of its
// @Body() and @Query() arguments, and the spec operation it serves, and compares the DTO's rules (read
// from class-validator's metadata by src/common/dto-rules.ts) with the spec's constraints field by
// field: required, type, format, bounds, enum. A new DTO is covered without adding a line here.
import { ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/internal';
import { type DtoRules, dtoRules, type FieldRule } from '../../src/http/dto-rules.js';
import { keepsUnknownKeys } from '../../src/http/validation.js';
import { useTestApp } from '../support/test-app.js';
import { spec } from '../support/spec.js';

type Json = Record<string, any>;

/** Inputs the spec documents that no DTO validates, and why. Only batch payloads belong here. */
const NOT_DTO_VALIDATED: Record<string, string> = {
  'POST /contacts body':
    'a batch: each item is checked against ContactInput and answered in `errors`; unknown keys are custom fields',
  'POST /companies body':
    'a batch: each item is checked against CompanyInput and answered in `errors`; unknown keys are custom fields',
  'POST /associations body': 'a batch: each pair is checked and answered in `errors`; unknown keys in a pair are ignored',
  'POST /contacts/sync body': 'a batch: each item is checked against SyncContactInput and answered in `errors`',
  'POST /companies/sync body': 'a batch: each item is checked against SyncCompanyInput and answered in `errors`',
  'PUT /contacts body':
    'a batch: each item is checked against UpdateContactInput and answered in `errors`; unknown keys merge into custom fields',
  'PUT /companies body':
    'a batch: each item is checked against UpdateCompanyInput and answered in `errors`; unknown keys merge into custom fields',
};

interface HandlerInput {
  operation: string;
  where: 'body' | 'query';
  /** The argument's declared class, when it is a DTO class. */
  dto?: Function;
}

const resolve = (node: Json): Json => {
  let current = node;
  while (current?.$ref) {
    current = (current.$ref as string)
      .slice(2)
      .split('/')
      .reduce((at: Json, key) => at[key.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  }
  return current;
};

const joinPath = (...parts: string[]) =>
  `/${parts.flatMap((part) => part.split('/')).filter(Boolean).join('/')}`.replace(/:(\w+)/g, '{$1}');

/** Every @Body() and @Query() argument of every handler in the app, by the operation it serves. */
function handlerInputs(modules: ModulesContainer): HandlerInput[] {
  const inputs: HandlerInput[] = [];
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Function;
      const base = [Reflect.getMetadata(PATH_METADATA, controller) ?? ''].flat()[0] as string;
      const proto = controller.prototype as Record<string, unknown>;
      for (const key of Object.getOwnPropertyNames(proto)) {
        const handler = proto[key];
        if (key === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const path = [Reflect.getMetadata(PATH_METADATA, handler) ?? ''].flat()[0] as string;
        const operation = `${RequestMethod[method]} ${joinPath(base, path)}`;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, key) ?? {}) as Record<string, { index: number; data?: unknown }>;
        const types = (Reflect.getMetadata('design:paramtypes', proto, key) ?? []) as Function[];
        for (const [slot, arg] of Object.entries(args)) {
          const paramtype = Number(slot.split(':')[0]);
          if (paramtype !== RouteParamtypes.BODY && paramtype !== RouteParamtypes.QUERY) continue;
          const declared = types[arg.index];
          const isDto = declared !== undefined && ![Object, String, Number, Boolean, Array].includes(declared as never);
          inputs.push({ operation, where: paramtype === RouteParamtypes.BODY ? 'body' : 'query', dto: isDto ? declared : undefined });
        }
      }
    }
  }
  return inputs;
}

/** The spec's inputs: each operation's JSON body schema and its query parameters. */
function specInputs(): Map<string, Json> {
  const found = new Map<string, Json>();
  for (const [path, item] of Object.entries(spec.paths as Json)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const operation = item[method] as Json | undefined;
      if (!operation) continue;
      const name = `${method.toUpperCase()} ${path}`;
      const body = operation.requestBody && resolve(operation.requestBody).content?.['application/json']?.schema;
      if (body) found.set(`${name} body`, resolve(body));
      const query = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map(resolve).filter((p: Json) => p.in === 'query');
      if (query.length > 0) {
        found.set(`${name} query`, {
          type: 'object',
          additionalProperties: false,
          required: query.filter((p: Json) => p.required).map((p: Json) => p.name),
          properties: Object.fromEntries(query.map((p: Json) => [p.name, resolve(p.schema)])),
        });
      }
    }
  }
  return found;
}

/** A field's rule in the spec's own terms, from its schema, in the shape dtoRules() gives. */
function specRule(name: string, schema: Json, required: boolean): FieldRule {
  const types = [schema.type].flat().filter(Boolean) as string[];
  const rule: FieldRule = { name, required, nullable: types.includes('null') };
  const type = types.find((t) => t !== 'null');
  if (type) rule.type = type as FieldRule['type'];
  // An integer's int32 format is a bound: IsInt with Min/Max inside it says the same.
  const int32 = schema.format === 'int32' && schema.minimum >= -(2 ** 31) && schema.maximum < 2 ** 31;
  if (schema.format && !int32) rule.format = schema.format;
  for (const key of ['minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'minItems'] as const) {
    if (schema[key] !== undefined) rule[key] = schema[key];
  }
  // An array's maxItems is a batch bound (MAX_BATCH_SIZE): the service answers 413 past it, not the pipe.
  const items = schema.items ? resolve(schema.items) : undefined;
  if (items?.format) rule.itemsFormat = items.format;
  if (schema.enum) rule.enum = schema.enum.filter((v: unknown) => v !== null);
  return rule;
}

function specRules(schema: Json, where: 'body' | 'query'): FieldRule[] {
  const required = new Set<string>(schema.required ?? []);
  return Object.entries((schema.properties ?? {}) as Json).map(([name, property]) => {
    const rule = specRule(name, resolve(property), required.has(name));
    // A query string cannot carry null: IsOptional's "or null" is no rule there.
    return where === 'query' ? { ...rule, nullable: false } : rule;
  });
}

function comparable(rules: DtoRules, where: 'body' | 'query'): FieldRule[] {
  return rules.fields.map((rule) => (where === 'query' ? { ...rule, nullable: false } : rule));
}

const byName = (rules: FieldRule[]) => Object.fromEntries(rules.map((rule) => [rule.name, rule]));

describe('DTOs and the spec', () => {
  const t = useTestApp();
  const inputs = specInputs();
  let handlers: HandlerInput[];
  beforeAll(() => {
    handlers = handlerInputs(t.app.get(ModulesContainer));
  });

  it('finds the handlers of the app and the inputs of the spec', () => {
    expect(handlers.map((h) => `${h.operation} ${h.where}`)).toEqual(
      expect.arrayContaining(['POST /users body', 'PATCH /users/{id} body', 'GET /contacts query', 'POST /contacts body']),
    );
    expect([...inputs.keys()]).toEqual(expect.arrayContaining(['POST /users body', 'GET /contacts query']));
  });

  it('validates every body and query the spec documents by a DTO, except the batch payloads listed', () => {
    const unchecked = [...inputs.keys()].filter((input) => {
      const handler = handlers.find((h) => `${h.operation} ${h.where}` === input);
      return !handler?.dto && !NOT_DTO_VALIDATED[input];
    });
    expect(unchecked).toEqual([]);
    const listedButDto = Object.keys(NOT_DTO_VALIDATED).filter((input) => handlers.some((h) => `${h.operation} ${h.where}` === input && h.dto));
    expect(listedButDto).toEqual([]);
  });

  it('gives a DTO only to inputs that the spec closes (the global pipe refuses unknown keys), or one that keeps them', () => {
    // Enginy's batch payloads keep unknown keys as custom fields: a DTO there would refuse them. A
    // @KeepsUnknownKeys() DTO (activities, tasks) validates the documented keys and keeps the others.
    const open = handlers
      .filter((h) => h.dto && !keepsUnknownKeys(h.dto))
      .map((h) => `${h.operation} ${h.where}`)
      .filter((input) => !inputs.has(input) || inputs.get(input)!.additionalProperties !== false);
    expect(open).toEqual([]);
  });

  it('finds every DTO class the app loaded behind a handler (none is left out of the comparison)', () => {
    // class-validator keeps its registry private; if an upgrade renames it, this fails instead of passing empty.
    const registry = (getMetadataStorage() as unknown as { validationMetadatas: Map<Function, unknown> }).validationMetadatas;
    expect(registry).toBeInstanceOf(Map);
    // A DTO's parent classes (shared fields) count as used with it.
    const used = new Set<unknown>();
    for (const { dto } of handlers) {
      for (let type = dto; typeof type === 'function' && type !== Function.prototype; type = Object.getPrototypeOf(type)) used.add(type);
    }
    expect([...registry.keys()].filter((dto) => !used.has(dto)).map((dto) => dto.name)).toEqual([]);
  });

  it('has a rule in the spec for every class-validator check of every DTO', () => {
    const untranslated = handlers.filter((h) => h.dto).flatMap((h) => dtoRules(h.dto!).untranslated);
    expect(untranslated).toEqual([]);
  });

  it("holds each DTO's rules equal to the spec's, field by field", () => {
    const withDto = handlers.filter((h) => h.dto && inputs.has(`${h.operation} ${h.where}`));
    expect(withDto.length).toBeGreaterThanOrEqual(3);
    // Keyed by input, so that one run shows every disagreement and where it is.
    const key = (h: HandlerInput) => `${h.operation} ${h.where}`;
    const fromDtos = Object.fromEntries(withDto.map((h) => [key(h), byName(comparable(dtoRules(h.dto!), h.where))]));
    const fromSpec = Object.fromEntries(withDto.map((h) => [key(h), byName(specRules(inputs.get(key(h))!, h.where))]));
    expect(fromDtos).toEqual(fromSpec);
  });
});
