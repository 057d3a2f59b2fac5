import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { Telemetry } from '../../telemetry.js';
import type { Db } from '../db/client.js';

/** What the HTTP server reads: nothing here writes. */
export interface HttpDeps {
  readonly config: () => Config;
  readonly telemetry: Telemetry;
  readonly db: Db;
  /** Resolves when Redis answers a PING. */
  readonly pingRedis: () => Promise<void>;
  readonly log: Logger;
}

export interface HttpServer {
  /** The port it listens on (the configured one, or the one the OS chose for port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/** `/healthz`, `/readyz`, `/metrics` and the read-only web view, on `http.host:http.port`. */
export async function startHttpServer(deps: HttpDeps): Promise<HttpServer> {
  void deps;
  throw new Error('not built yet');
}
