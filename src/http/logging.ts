// Structured JSON logs (pino). One line per request, written when its answer is out: request id,
// method, route template, status, duration and the key's fingerprint. Never a body, a header, a
// query string or a raw path, so never an email or a key. Nest's own logs (start-up, errors) go
// through NestPinoLogger to the same logger and carry the request id when they happen in a request.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { type DestinationStream, type Level, type Logger, type LevelWithSilent, pino } from 'pino';
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

/** The logger of the request being handled, with its request id bound; the root logger elsewhere. */
const requestLoggers = new AsyncLocalStorage<Logger>();

/**
 * Nest's bootstrap chatter ("Mapped {/contacts, POST} route", "Nest application successfully
 * started" before the port is even bound) and its copies of start-up errors, which main.ts reports
 * in one line of its own: debug level, so that at the default level the first word is "listening".
 */
const BOOTSTRAP_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication', 'ExceptionHandler']);

/**
 * Nest's LoggerService on pino, in place of nestjs-pino (whose releases for Nest 12 declare Node 22 or
 * later). Nest calls `log(message, context)` and `error(message, stack, context)`.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const effective: Level = context !== undefined && BOOTSTRAP_CONTEXTS.has(context) ? 'debug' : level;
    const logger = requestLoggers.getStore() ?? this.root;
    if (!logger.isLevelEnabled(effective)) return;
    const fields: Record<string, unknown> = context === undefined ? {} : { context };
    if (message instanceof Error) {
      fields.err = message;
      logger[effective](fields, message.message);
      return;
    }
    if (level === 'error' && typeof params[0] === 'string') fields.stack = params[0];
    logger[effective](fields, typeof message === 'string' ? message : JSON.stringify(message));
  }
}

/**
 * Nest's logs made while handling a request (an error's stack, say) carry its request id. Mounted
 * after the body parser: a context entered before it would not survive the stream's callbacks.
 */
export function requestContext(logger: Logger) {
  return (req: Request, _res: Response, next: NextFunction): void =>
    requestLoggers.run(logger.child({ requestId: req.id }), next);
}
