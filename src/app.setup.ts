// What production runs and what every test runs: one factory, one set of pipes, filters and limits.
import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { DestinationStream, Logger } from 'pino';
import { AppModule } from './app.module.js';
import { apiKeyMiddleware } from './http/api-keys.js';
import { DomainError } from './errors/domain-error.js';
import { sendError, toErrorResponse } from './errors/error-response.js';
import { createLogger, NestPinoLogger, requestContext, requestLogging, ROOT_LOGGER } from './http/logging.js';
import { RateLimits, rateLimit } from './http/rate-limit.js';
import { requestTimeout } from './http/request-timeout.js';
import { admissionControl } from './http/admission.js';
import type { AppConfig } from './config/app-config.js';
import { ensureSessionSecret } from './config/session-secret.js';
import { contractDocument } from './contract/contract.js';
import { HttpMetrics } from './metrics/http-metrics.js';
import { recordPages } from './records/record-pages.middleware.js';
import { isRecordPagePath } from './records/record-routes.js';
import { itemReadLength, parseJsonChunks, readChunks } from './http/json-body.js';

/** The contract as served: a copy of the parsed spec, with the key header the service is configured for. */
export function loadContract(config: AppConfig): OpenAPIObject {
  // A JSON copy rather than structuredClone(): under Jest's VM modules structuredClone makes objects of
  // another realm, which Swagger's YAML writer (js-yaml, skipInvalid) silently drops, serving an empty file.
  const document = JSON.parse(JSON.stringify(contractDocument())) as OpenAPIObject;
  const scheme = document.components?.securitySchemes?.apiKey;
  if (scheme && 'name' in scheme) scheme.name = config.apiKeyHeader;
  return document;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Strict JSON parsing refuses a body that is not an object or an array (`null`, `"hello"`, `42`) as
 * "not valid JSON", which it is. Says what it is instead, and what the operation takes.
 */
function notAnObject(error: unknown, req: Request): DomainError | undefined {
  const { type, body } = error as { type?: unknown; body?: unknown };
  if (type !== 'entity.parse.failed' || typeof body !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  const what = value === null ? 'null' : `a ${typeof value}`;
  const wanted = req.method === 'POST' && req.path === '/contacts' ? 'an object with a "contacts" array' : 'a JSON object';
  return new DomainError('bad_request', `The body is valid JSON, but ${what}: this operation takes ${wanted}.`);
}

function bodyParsing(config: AppConfig) {
  const json = express.json({ limit: config.bodyLimitBytes, strict: true, type: ['application/json', 'application/*+json'] });
  return (req: Request, res: Response, next: NextFunction): void => {
    // The record pages read their own small forms (recordPages()).
    if (!BODY_METHODS.has(req.method) || !hasBody(req) || isRecordPagePath(req.path)) return next();
    if (!req.is(['application/json', 'application/*+json'])) {
      const error = new DomainError('unsupported_media_type', 'Send the body as application/json.');
      return sendError(res, toErrorResponse(error, config.retryAfterSeconds));
    }
    const parsed = (error?: unknown) => {
      if (error) return sendError(res, toErrorResponse(notAnObject(error, req) ?? error, config.retryAfterSeconds));
      next();
    };
    const length = itemReadLength(req.headers, config.bodyLimitBytes);
    if (length === undefined) return json(req, res, parsed);
    readChunks(req, length)
      .then((chunks) => {
        try {
          req.body = parseJsonChunks(chunks, config.maxBatchSize);
        } catch (error) {
          return parsed(error);
        }
        parsed();
      }, parsed)
      .catch(next);
  };
}

export function configureApp(app: NestExpressApplication, config: AppConfig): NestExpressApplication {
  app.disable('x-powered-by');
  // Behind TRUST_PROXY proxies, req.ip and req.secure come from X-Forwarded-For/-Proto (login limits, Secure cookies).
  if (config.trustProxy > 0) app.set('trust proxy', config.trustProxy);
  app.enableShutdownHooks();
  // Node's own bounds, behind requestTimeout(): a request whose headers never end is dropped too.
  const server = app.getHttpServer() as Server;
  server.requestTimeout = config.requestTimeoutMs + 5000;
  server.headersTimeout = Math.min(60000, server.requestTimeout);
  // First, so that every answer is logged and counted, the 401s of the key check included.
  const logger = app.get<Logger>(ROOT_LOGGER);
  app.use(requestLogging(logger));
  app.use(app.get(HttpMetrics).middleware());
  // Helmet's defaults, less upgrade-insecure-requests: served over plain HTTP inside a network,
  // Swagger UI's scripts would be asked for over HTTPS and the page would stay blank.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.use(requestTimeout(config));
  // CORS only on purpose: Enginy calls server to server, so no origin is allowed unless ALLOWED_ORIGINS
  // lists it. Before the key check, so that a preflight (which carries no key) is answered.
  if (config.allowedOrigins.length > 0) {
    app.enableCors({
      origin: [...config.allowedOrigins],
      exposedHeaders: ['Retry-After', 'RateLimit', 'RateLimit-Policy', 'X-Request-Id'],
      maxAge: 600,
    });
  }
  // The root has nothing of its own: it points to the docs, which need no key either.
  app.use((req: Request, res: Response, next: NextFunction) => (req.path === '/' && (req.method === 'GET' || req.method === 'HEAD') ? res.redirect(302, '/docs') : next()));
  app.use(apiKeyMiddleware(config));
  // /app, which the key check lets through, and nothing else: its own session check.
  app.use(recordPages(config));
  app.use(rateLimit(config, app.get(RateLimits)));
  // Before the body parser: what the service cannot take now is refused unread.
  app.use(admissionControl(config));
  app.use(bodyParsing(config));
  app.use(requestContext(logger));
  SwaggerModule.setup('docs', app, loadContract(config), {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    customSiteTitle: 'Enginy CRM service: API',
    swaggerOptions: { persistAuthorization: true, displayOperationId: true, tryItOutEnabled: true },
  });
  return app;
}

export interface CreateAppOptions {
  /** Where the JSON log lines go; stdout by default. Tests pass a stream to read them. */
  logDestination?: DestinationStream;
}

export async function createApp(given: AppConfig, options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const config = ensureSessionSecret(given);
  const logger = createLogger(config, options.logDestination);
  // Nest's own body parser is off: configureApp installs one with the configured limit and a 415 check.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger), {
    bodyParser: false,
    // Throw start-up errors to the caller (main exits, a test fails) instead of exiting the process.
    abortOnError: false,
    logger: new NestPinoLogger(logger),
  });
  return configureApp(app, config);
}
