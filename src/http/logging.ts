// Structured JSON logs (pino). One line per request, written when its answer is out: request id,
// method, route template, status, duration and the key's fingerprint. Never a body, a header, a
// query string or a raw path, so never an email or a key. Nest's own logs (start-up, errors) go
// through nestjs-pino to the same logger and carry the request id when they happen in a request.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { type DestinationStream, type Logger, type LevelWithSilent, pino } from 'pino';
import { pinoHttp } from 'pino-http';
import type { AppConfig } from '../config/app-config.js';
import { RouteTemplates } from '../metrics/route-templates.js';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** The app's pino logger, as a Nest provider. */
export const ROOT_LOGGER = 'ROOT_LOGGER';

/** A caller's own request id is kept when it is short and plain; otherwise one is made. */
const CALLER_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function createLogger(config: AppConfig, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    // Synchronous writes: on SIGTERM Nest re-raises the signal once closed, and an asynchronous
    // stdout would lose the last lines (the ones that say how the shutdown went).
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** The request line's fields: nothing that a client wrote, except the method. */
function requestLine(req: IncomingMessage, res: ServerResponse, routes: RouteTemplates, durationMs: number) {
  const request = req as Request;
  return {
    method: request.method,
    route: routes.match((request.originalUrl ?? request.url ?? '/').split('?')[0]),
    status: res.writableFinished ? res.statusCode : 'aborted',
    durationMs,
    key: request.auth?.fingerprint ?? null,
  };
}

function levelOf(res: ServerResponse, error?: Error): LevelWithSilent {
  if (error && res.statusCode < 500) return 'warn';
  if (res.statusCode === 503 || !res.writableFinished) return 'warn'; // the database is away, or the client left
  return res.statusCode >= 500 ? 'error' : 'info';
}

/** The Express middleware that writes the request lines; install it first. */
export function requestLogging(logger: Logger) {
  const routes = RouteTemplates.fromContract();
  return pinoHttp({
    logger,
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    genReqId: (req, res) => {
      const offered = req.headers['x-request-id'];
      const id = typeof offered === 'string' && CALLER_REQUEST_ID.test(offered) ? offered : randomUUID();
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    customLogLevel: (_req, res, error) => levelOf(res, error),
    customSuccessMessage: (_req, res) => (res.writableFinished ? 'request completed' : 'request aborted'),
    customErrorMessage: () => 'request failed',
    customSuccessObject: (req, res, value: { responseTime: number }) => requestLine(req, res, routes, value.responseTime),
    customErrorObject: (req, res, _error, value: { responseTime: number }) => requestLine(req, res, routes, value.responseTime),
  });
}

/**
 * nestjs-pino, on the logger above. Its request middleware is not mounted (`forRoutes: []`): Nest
 * mounts module middleware as catch-all route layers after configureApp's middlewares, where it
 * would add routes to the app; requestContext() does its one job instead.
 */
export function loggingModule(logger: Logger): DynamicModule {
  return LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true, forRoutes: [] });
}

/**
 * Nest's logs made while handling a request (an error's stack, say) carry its request id. Mounted
 * after the body parser: a context entered before it would not survive the stream's callbacks.
 */
export function requestContext(logger: Logger) {
  const context = new PinoLogger({ pinoHttp: { logger }, useExisting: true });
  return (req: Request, _res: Response, next: NextFunction): void =>
    context.runInContext(next, { bindings: { requestId: req.id } });
}
