import type { Server } from 'node:http';
import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

/**
 * On shutdown Nest closes the HTTP server, which closes the idle keep-alive connections once and
 * waits for the others. A connection whose request is in flight turns idle when it is answered, and
 * would then hold the shutdown for keepAliveTimeout: close such connections as they turn idle.
 */
@Injectable()
export class ConnectionDrainer implements BeforeApplicationShutdown {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  beforeApplicationShutdown(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server?.listening) return;
    const timer = setInterval(() => server.closeIdleConnections(), 100);
    timer.unref();
    server.once('close', () => clearInterval(timer));
  }
}
