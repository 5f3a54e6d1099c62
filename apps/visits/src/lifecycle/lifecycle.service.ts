import { Injectable } from '@nestjs/common';

/**
 * Whether the process is on its way out. Readiness turns 503 as soon as shutdown begins, so that
 * load balancers stop sending visits while in-flight ones finish.
 */
@Injectable()
export class LifecycleService {
  private shuttingDownSince: number | undefined;
  private fatalHandler: ((error: Error) => void) | undefined;

  get shuttingDown(): boolean {
    return this.shuttingDownSince !== undefined;
  }

  beginShutdown(): void {
    this.shuttingDownSince ??= Date.now();
  }

  /** shutdown.ts registers how the process stops when the store fails for good. */
  onFatal(handler: (error: Error) => void): void {
    this.fatalHandler = handler;
  }

  fatal(error: Error): void {
    this.beginShutdown();
    this.fatalHandler?.(error);
  }
}
