import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';

// Process metrics (CPU, memory, event loop, GC) describe the process, not an app: they are collected
// once per process into their own registry. Each app has its own registry for what it counts, so
// that apps booted side by side (tests) never share or double-register a counter.
let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

@Injectable()
export class MetricsRegistry implements OnApplicationShutdown {
  readonly registry = new Registry();
  readonly contentType = Registry.PROMETHEUS_CONTENT_TYPE;

  /** Every metric in the Prometheus text format: this app's, then the process's. */
  async render(): Promise<string> {
    const [own, processWide] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return `${own}\n${processWide}`;
  }

  onApplicationShutdown(): void {
    this.registry.clear();
  }
}
