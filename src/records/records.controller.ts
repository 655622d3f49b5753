// The record pages Enginy's "view in CRM" links open (/app/contacts/{crmId}), behind an operator's
// login. Server-rendered HTML, read-only; the only forms that change anything (log in, log out) carry
// CSRF tokens. The session check itself runs before Nest, in recordPages().
import { readFileSync } from 'node:fs';
import { ArgumentsHost, Body, Catch, Controller, ExceptionFilter, Get, Inject, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiKeyring } from '../http/api-keys.js';
import { DomainError } from '../errors/domain-error.js';
import { toErrorResponse } from '../errors/error-response.js';
import { AppConfig } from '../config/app-config.js';
import { projectFile } from '../project-files.js';
import { LoginThrottle } from './login-throttle.js';
import { type PageFrame, RecordViews } from './record-views.js';
import { RecordsService } from './records.service.js';
import { safeReturnPath } from './return-path.js';
import { LOGIN_COOKIE, newLoginNonce, readCookie, SESSION_COOKIE, SessionCodec, setCookie } from './session.js';

const STYLESHEET = readFileSync(projectFile('src/records/assets/app.css'), 'utf8');
const LOGIN_COOKIE_SECONDS = 3600;

const searchText = (q: unknown): string | undefined => (typeof q === 'string' ? q.slice(0, 320) : undefined);

function send(res: Response, status: number, html: string): void {
  res.status(status).type('html').send(html);
}

/** Frame data for a page: the logout form's token when an operator is signed in. */
function frame(req: Request, sessions: SessionCodec, title: string, section?: PageFrame['section']): PageFrame {
  const session = req.pageSession;
  return { title, section, logoutToken: session ? sessions.csrfToken('logout', session.nonce) : undefined };
}

/** Errors on a page become a page: 404 for an unknown record, the contract's status otherwise, never JSON. */
@Catch()
export class RecordPageErrors implements ExceptionFilter {
  constructor(
    @Inject(RecordViews) private readonly views: RecordViews,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) {
      res.end();
      return;
    }
    const { status, headers } = toErrorResponse(exception, this.config.retryAfterSeconds);
    const message =
      status === 404
        ? 'There is no record here. It may not have been exported yet, or the link is mistyped.'
        : status < 500
          ? 'This request could not be answered.'
          : 'Something went wrong on our side. Try again in a moment.';
    res.set(headers);
    send(res, status, this.views.render('error', { title: status === 404 ? 'Not found' : 'Error', status, message }));
  }
}

@Controller('app')
@UseFilters(RecordPageErrors)
export class RecordsController {
  private readonly sessions: SessionCodec;
  private readonly keyring: ApiKeyring;
  private readonly throttle: LoginThrottle;

  constructor(
    @Inject(RecordsService) private readonly records: RecordsService,
    @Inject(RecordViews) private readonly views: RecordViews,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {
    this.sessions = new SessionCodec(config);
    // Operators sign in with an admin key: integration keys belong to Enginy's connection.
    this.keyring = new ApiKeyring([], config.adminApiKeys);
    this.throttle = new LoginThrottle(config.loginMaxFailures);
  }

  @Get()
  async home(@Req() req: Request, @Res() res: Response): Promise<void> {
    const data = await this.records.home();
    send(res, 200, this.views.render('home', { ...frame(req, this.sessions, 'Overview', 'home'), ...data }));
  }

  @Get('assets/app.css')
  stylesheet(@Res() res: Response): void {
    res.status(200).type('text/css').set('Cache-Control', 'public, max-age=3600').send(STYLESHEET);
  }

  @Get('login')
  loginForm(@Req() req: Request, @Res() res: Response, @Query('next') next: unknown): void {
    const back = safeReturnPath(next);
    if (req.pageSession) return res.redirect(303, back);
    this.renderLogin(req, res, 200, back);
  }

  @Post('login')
  login(@Req() req: Request, @Res() res: Response, @Body() body: Record<string, unknown> | undefined): void {
    const back = safeReturnPath(body?.next);
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const wait = this.throttle.waitSeconds(address);
    if (wait > 0) {
      res.set('Retry-After', String(wait));
      return this.renderLogin(req, res, 429, back, `Too many failed sign-ins from this address. Try again in ${Math.ceil(wait / 60)} min.`);
    }
    if (!this.sessions.checkCsrf('login', readCookie(req, LOGIN_COOKIE), body?.csrf)) {
      return this.renderLogin(req, res, 403, back, 'The form had expired. Please sign in again.');
    }
    const identity = this.keyring.identify(typeof body?.key === 'string' ? body.key : undefined);
    if (!identity) {
      this.throttle.recordFailure(address);
      return this.renderLogin(req, res, 401, back, 'That is not an admin key of this service.');
    }
    this.throttle.recordSuccess(address);
    const { cookie } = this.sessions.open(identity.fingerprint);
    setCookie(req, res, SESSION_COOKIE, cookie, '/app', this.config.sessionTtlMinutes * 60);
    setCookie(req, res, LOGIN_COOKIE, '', '/app/login', 0);
    res.redirect(303, back);
  }

  @Post('logout')
  logout(@Req() req: Request, @Res() res: Response, @Body() body: Record<string, unknown> | undefined): void {
    if (!this.sessions.checkCsrf('logout', req.pageSession?.nonce, body?.csrf)) {
      throw new DomainError('forbidden', 'The logout form is not from this session.');
    }
    setCookie(req, res, SESSION_COOKIE, '', '/app', 0);
    res.redirect(303, '/app/login');
  }

  @Get('contacts')
  async contacts(@Req() req: Request, @Res() res: Response, @Query('q') q: unknown, @Query('cursor') cursor: unknown): Promise<void> {
    const text = searchText(q);
    const page = await this.records.searchContacts(text, typeof cursor === 'string' ? cursor : undefined);
    send(res, 200, this.views.render('search', {
      ...frame(req, this.sessions, 'Contacts', 'contacts'),
      action: '/app/contacts',
      searchLabel: 'Email, name, domain or external id',
      columns: ['Email', 'Company'],
      q: text ?? '',
      ...page,
    }));
  }

  @Get('contacts/:crmId')
  async contact(@Req() req: Request, @Res() res: Response, @Param('crmId') crmId: string): Promise<void> {
    const page = await this.records.contactPage(crmId);
    const sub = [page.contact.title, page.contact.company].filter(Boolean).join(' · ');
    send(res, 200, this.views.render('record', { ...frame(req, this.sessions, page.name, 'contacts'), kind: 'Contact', sub, linkedTitle: 'Companies', ...page }));
  }

  @Get('companies')
  async companies(@Req() req: Request, @Res() res: Response, @Query('q') q: unknown, @Query('cursor') cursor: unknown): Promise<void> {
    const text = searchText(q);
    const page = await this.records.searchCompanies(text, typeof cursor === 'string' ? cursor : undefined);
    send(res, 200, this.views.render('search', {
      ...frame(req, this.sessions, 'Companies', 'companies'),
      action: '/app/companies',
      searchLabel: 'Name, domain or external id',
      columns: ['Domain', 'Industry'],
      q: text ?? '',
      ...page,
    }));
  }

  @Get('companies/:crmId')
  async company(@Req() req: Request, @Res() res: Response, @Param('crmId') crmId: string): Promise<void> {
    const page = await this.records.companyPage(crmId);
    const sub = [page.company.industry, page.company.domain].filter(Boolean).join(' · ');
    send(res, 200, this.views.render('record', { ...frame(req, this.sessions, page.name, 'companies'), kind: 'Company', sub, linkedTitle: 'Contacts', ...page }));
  }

  /** Any other page under /app: the 404 page, not the API's JSON. */
  @Get('*rest')
  notFound(): never {
    throw new DomainError('not_found', 'No page here.');
  }

  private renderLogin(req: Request, res: Response, status: number, back: string, error?: string): void {
    let nonce = readCookie(req, LOGIN_COOKIE);
    if (!nonce || !/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) nonce = newLoginNonce();
    setCookie(req, res, LOGIN_COOKIE, nonce, '/app/login', LOGIN_COOKIE_SECONDS);
    send(res, status, this.views.render('login', { title: 'Sign in', csrf: this.sessions.csrfToken('login', nonce), next: back, error }));
  }
}
