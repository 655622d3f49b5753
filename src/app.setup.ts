// What production runs and what every test runs: one factory, one set of pipes, filters and limits.
import { readFileSync } from 'node:fs';
import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type Response } from 'express';
import { parse } from 'yaml';
import { AppModule } from './app.module.js';
import { apiKeyMiddleware } from './common/api-keys.js';
import { DomainError } from './common/domain-error.js';
import { sendError, toErrorResponse } from './common/error-response.js';
import type { AppConfig } from './config/app-config.js';
import { HttpMetrics } from './metrics/http-metrics.js';
import { projectFile } from './project-files.js';

/** The contract as served: the spec file, with the key header the service is configured for. */
export function loadContract(config: AppConfig): OpenAPIObject {
  const document = parse(readFileSync(projectFile('openapi/openapi.yaml'), 'utf8')) as OpenAPIObject;
  const scheme = document.components?.securitySchemes?.apiKey;
  if (scheme && 'name' in scheme) scheme.name = config.apiKeyHeader;
  return document;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

function bodyParsing(config: AppConfig) {
  const json = express.json({ limit: config.bodyLimitBytes, strict: true, type: ['application/json', 'application/*+json'] });
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!BODY_METHODS.has(req.method) || !hasBody(req)) return next();
    if (!req.is(['application/json', 'application/*+json'])) {
      const error = new DomainError('unsupported_media_type', 'Send the body as application/json.');
      return sendError(res, toErrorResponse(error, config.retryAfterSeconds));
    }
    json(req, res, (error?: unknown) => {
      if (error) return sendError(res, toErrorResponse(error, config.retryAfterSeconds));
      next();
    });
  };
}

export function configureApp(app: NestExpressApplication, config: AppConfig): NestExpressApplication {
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  // First, so that every answer is counted, the 401s of the key check included.
  app.use(app.get(HttpMetrics).middleware());
  app.use(apiKeyMiddleware(config));
  app.use(bodyParsing(config));
  SwaggerModule.setup('docs', app, loadContract(config), {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    customSiteTitle: 'Enginy CRM service: API',
    swaggerOptions: { persistAuthorization: true, displayOperationId: true, tryItOutEnabled: true },
  });
  return app;
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

function nestLogLevels(level: string): LogLevel[] | false {
  const names: Record<string, LogLevel> = { info: 'log', trace: 'verbose' };
  const index = LOG_LEVELS.indexOf(names[level] ?? (level as LogLevel));
  return index < 0 ? false : LOG_LEVELS.slice(0, index + 1);
}

export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  // Nest's own body parser is off: configureApp installs one with the configured limit and a 415 check.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    // Throw start-up errors to the caller (main exits, a test fails) instead of exiting the process.
    abortOnError: false,
    logger: nestLogLevels(config.logLevel),
  });
  return configureApp(app, config);
}
