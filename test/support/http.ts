// A small HTTP client for the tests: real requests over a socket, and every answer checked against
// the spec before the test sees it.
import { assertMatchesSpec } from './spec.js';
import { INTEGRATION_KEY } from './keys.js';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  /** The API key; `null` sends none. Defaults to the integration key. */
  key?: string | null;
  /** A JSON value to send, or a raw string with `contentType`. */
  body?: unknown;
  raw?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export class ApiClient {
  /** How many answers were checked against the spec. */
  static checked = 0;

  constructor(
    readonly baseUrl: string,
    private readonly keyHeader = 'X-API-Key',
  ) {}

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    const key = options.key === undefined ? INTEGRATION_KEY : options.key;
    if (key !== null) headers[this.keyHeader] = key;
    let body: string | Buffer | undefined;
    if (options.raw !== undefined) {
      body = options.raw;
      headers['content-type'] = options.contentType ?? 'application/json';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const url = `${this.baseUrl}${path}`;
    const response = await fetch(url, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    assertMatchesSpec({ method, url, status: response.status, headers: response.headers, body: parsed });
    ApiClient.checked++;
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  get<T = any>(path: string, options?: RequestOptions) {
    return this.request<T>('GET', path, options);
  }
  post<T = any>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('POST', path, { ...options, body });
  }
  put<T = any>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PUT', path, { ...options, body });
  }
  patch<T = any>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PATCH', path, { ...options, body });
  }
}
