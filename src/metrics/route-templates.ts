// Labels requests by the contract's path template (`/contacts/{crmId}`), never by the raw URL: a
// label per crmId would grow without bound. Paths outside the contract share one label.
import { contractPaths } from '../contract/contract.js';
import { RECORD_PAGE_TEMPLATES } from '../records/record-routes.js';

export const UNMATCHED_ROUTE = 'unmatched';

const DOCS_PATHS = new Set(['/docs', '/openapi.json', '/openapi.yaml']);

export class RouteTemplates {
  private readonly literal: Map<string, string>;
  private readonly templated: { template: string; pattern: RegExp }[];

  constructor(templates: readonly string[]) {
    this.literal = new Map(templates.filter((t) => !t.includes('{')).map((t) => [t, t]));
    this.templated = templates
      .filter((t) => t.includes('{'))
      .map((template) => {
        const source = template
          .split(/\{[^}]+\}/)
          .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
          .join('[^/]+');
        return { template, pattern: new RegExp(`^${source}$`) };
      });
  }

  /** The contract's paths and the record pages' (HTML, outside the contract). */
  static fromContract(): RouteTemplates {
    return new RouteTemplates([...contractPaths(), ...RECORD_PAGE_TEMPLATES]);
  }

  /** The template a request path belongs to; Swagger UI's assets count as `/docs`. */
  match(path: string): string {
    const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    const literal = this.literal.get(trimmed);
    if (literal) return literal;
    if (DOCS_PATHS.has(trimmed)) return trimmed;
    if (trimmed.startsWith('/docs/')) return '/docs';
    return this.templated.find(({ pattern }) => pattern.test(trimmed))?.template ?? UNMATCHED_ROUTE;
  }
}
