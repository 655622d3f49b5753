// The contract as the tests see it: the spec file, and a validator that checks a response's status,
// headers and body against the operation it answers. Every HTTP answer in the suite goes through it.
import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

type Json = Record<string, any>;

const Ajv2020 = ((Ajv2020Module as any).default ?? Ajv2020Module) as typeof Ajv2020Module.default;
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as typeof addFormatsModule.default;

export const SPEC_PATH = new URL('../../openapi/openapi.yaml', import.meta.url);
export const spec: Json = parse(readFileSync(SPEC_PATH, 'utf8'));

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, 'spec');

export const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Every operation in the spec, as `METHOD /path/{param}`. */
export function specOperations(): string[] {
  return Object.entries(spec.paths as Json).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

const templates = Object.keys(spec.paths as Json)
  .map((template) => ({
    template,
    literal: !template.includes('{'),
    regex: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }))
  .sort((a, b) => Number(b.literal) - Number(a.literal));

export function matchPath(pathname: string): string | undefined {
  return templates.find((t) => t.regex.test(pathname))?.template;
}

const pointer = (...segments: string[]) =>
  segments.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

const validators = new Map<string, ReturnType<typeof ajv.getSchema>>();
function validatorFor(ref: string) {
  if (!validators.has(ref)) validators.set(ref, ajv.compile({ $ref: ref }));
  return validators.get(ref)!;
}

export function schemaValidator(schemaName: string) {
  return validatorFor(`spec#/components/schemas/${schemaName}`);
}

export interface CheckedResponse {
  method: string;
  url: string;
  status: number;
  headers: Headers;
  body: unknown;
}

/** A `$ref` into the spec, followed; anything else as it is. */
function resolve(node: Json): Json {
  return node.$ref
    ? (node.$ref as string)
        .slice(2)
        .split('/')
        .reduce((at: Json, key) => at[key.replace(/~1/g, '/').replace(/~0/g, '~')], spec)
    : node;
}

/** Throws with a readable reason when the response is not what the spec documents. */
export function assertMatchesSpec(response: CheckedResponse): void {
  const { pathname } = new URL(response.url);
  const where = `${response.method} ${pathname} → ${response.status}`;
  const template = matchPath(pathname);
  const operation = template ? (spec.paths[template] as Json)[response.method.toLowerCase()] : undefined;
  if (!operation) {
    // Not an operation of the contract (unknown route or method): it must still answer an ErrorBody.
    const validate = schemaValidator('ErrorBody');
    if (response.status < 400 || !validate(response.body)) {
      throw new Error(`${where}: not in the spec, and not an ErrorBody: ${JSON.stringify(response.body)}`);
    }
    return;
  }
  let base = pointer('paths', template!, response.method.toLowerCase(), 'responses', String(response.status));
  let documented: Json | undefined = operation.responses[String(response.status)];
  if (!documented) throw new Error(`${where}: status not documented for this operation`);
  if (documented.$ref) {
    base = pointer(...(documented.$ref as string).slice(2).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')));
    documented = (documented.$ref as string)
      .slice(2)
      .split('/')
      .reduce((node: Json, key) => node[key], spec);
  }
  for (const [name, documentedHeader] of Object.entries((documented!.headers ?? {}) as Json)) {
    const header = resolve(documentedHeader as Json);
    const value = response.headers.get(name);
    if (value === null) {
      // Headers that are sent only in some setups (RateLimit while a quota is on, CORS for listed origins)
      // are not `required`.
      if (header.required) throw new Error(`${where}: documented header ${name} is missing`);
      continue;
    }
    const schema = header.schema as Json;
    if (schema.type === 'integer') {
      if (!/^\d+$/.test(value)) throw new Error(`${where}: header ${name} is not an integer: ${value}`);
      if (!ajv.validate(schema, Number(value))) throw new Error(`${where}: header ${name}: ${ajv.errorsText()}`);
    } else if (!ajv.validate(schema, value)) {
      throw new Error(`${where}: header ${name} = ${value}: ${ajv.errorsText()}`);
    }
  }
  const media = documented!.content?.['application/json'];
  if (!media) return;
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.startsWith('application/json')) throw new Error(`${where}: content-type is ${contentType}`);
  const validate = validatorFor(`spec#/${base}/content/${pointer('application/json')}/schema`);
  if (!validate(response.body)) {
    throw new Error(
      `${where}: body does not match the spec: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(response.body).slice(0, 2000)}`,
    );
  }
}
