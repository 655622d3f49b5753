// The contract, read once: openapi/openapi.yaml is parsed the first time it is asked for and that one
// parsed document serves Swagger UI (app.setup.ts), the batch engine's item validators (src/batch/)
// and the route templates of logs and metrics (src/metrics/route-templates.ts). Nobody else reads
// the file. The document is shared: callers that change it (Swagger UI's key header) clone it first.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { projectFile } from '../project-files.js';

/** A JSON Schema or any part of the OpenAPI document, as parsed. */
export type JsonObject = Record<string, unknown>;

export interface ContractDocument extends JsonObject {
  paths: Record<string, JsonObject>;
  components: { schemas: Record<string, JsonObject>; securitySchemes?: Record<string, JsonObject> } & JsonObject;
}

let parsed: ContractDocument | undefined;

/** The parsed openapi/openapi.yaml; the file is read on the first call only. */
export function contractDocument(): ContractDocument {
  parsed ??= parse(readFileSync(projectFile('openapi/openapi.yaml'), 'utf8')) as ContractDocument;
  return parsed;
}

/** The path templates of the contract (`/contacts/{crmId}`, ...). */
export function contractPaths(document: ContractDocument = contractDocument()): string[] {
  return Object.keys(document.paths ?? {});
}

/** A named schema of `components.schemas`; throws when the contract has none by that name. */
export function contractSchema(name: string, document: ContractDocument = contractDocument()): JsonObject {
  const schema = document.components?.schemas?.[name];
  if (!schema) throw new Error(`The contract has no schema named ${name}`);
  return schema;
}
