// An openapi-fetch client typed by the generated `paths`: a test that calls a path, sends a body or
// reads a field the contract does not have fails to compile, so a contract change that breaks clients
// breaks the build. Every answer also goes through the spec validator, like ApiClient's.
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { ApiPaths } from '../../src/contract/api-types.js';
import { ApiClient } from './http.js';
import { INTEGRATION_KEY } from './keys.js';
import { assertMatchesSpec } from './spec.js';

export type TypedClient = Client<ApiPaths>;

export interface TypedClientOptions {
  /** The API key; `null` sends none. Defaults to the integration key. */
  key?: string | null;
  keyHeader?: string;
}

/** Checks each answer against the operation it answers; reads a clone, so the caller still can. */
const specCheck: Middleware = {
  async onResponse({ request, response }) {
    const text = await response.clone().text();
    const json = (response.headers.get('content-type') ?? '').includes('json') && text !== '';
    assertMatchesSpec({
      method: request.method,
      url: request.url,
      status: response.status,
      headers: response.headers,
      body: json ? JSON.parse(text) : text,
    });
    ApiClient.checked++;
    return undefined;
  },
};

export function typedClient(baseUrl: string, options: TypedClientOptions = {}): TypedClient {
  const key = options.key === undefined ? INTEGRATION_KEY : options.key;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key !== null) headers[options.keyHeader ?? 'X-API-Key'] = key;
  const client = createClient<ApiPaths>({ baseUrl, headers });
  client.use(specCheck);
  return client;
}
