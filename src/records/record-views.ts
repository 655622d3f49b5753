// The pages' template engine: Eta with autoEscape, so `<%= value %>` is always HTML-escaped (quotes
// included, safe inside attribute values). Templates never use the raw `<%~ %>` tag except for the
// layout's body, which is itself an escaped render. Templates are read once and cached.
import { Injectable } from '@nestjs/common';
import { Eta } from 'eta';
import { projectFile } from '../project-files.js';

/** What every page's layout reads. */
export interface PageFrame {
  title: string;
  /** Set when an operator is signed in: the logout form's CSRF token. */
  logoutToken?: string;
  /** Which top link is the current section. */
  section?: 'home' | 'contacts' | 'companies';
}

@Injectable()
export class RecordViews {
  private readonly eta = new Eta({
    views: projectFile('src/records/views'),
    autoEscape: true,
    autoTrim: [false, 'nl'],
    cache: true,
    defaultExtension: '.eta',
  });

  render(template: string, data: PageFrame & Record<string, unknown>): string {
    return this.eta.render(template, data);
  }
}

/** An href for a stored URL: only http(s) ones become links; anything else (javascript:, data:) stays text. */
export function safeHref(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** A custom field's value as text: strings as they are, anything else as its JSON. */
export function fieldText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
