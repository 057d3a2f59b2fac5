import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { AppError } from '../../errors.js';
import type { Telemetry } from '../../telemetry.js';
import type { Db } from '../db/client.js';
import { isAuthorized } from './auth.js';
import { logIn, logOut, showLogin, showWebViewOff } from './login.js';
import { healthz, metrics, readyz } from './probes.js';
import { BadRequest, redirect, SECURITY_HEADERS, sendHtml, sendText, wantsHtml } from './respond.js';
import { answerSatisfaction, showSatisfactionForm, type SatisfactionDeps } from './satisfaction-page.js';
import { renderMessage } from './views.js';
import { downloadAttachment, showMailboxes, showNotFound, showReports, showTicket, showTicketList, type WebDeps } from './web-view.js';

/** What the HTTP server reads; the one thing it writes is a customer's satisfaction answer. */
export interface HttpDeps {
  readonly config: () => Config;
  readonly telemetry: Telemetry;
  readonly db: Db;
  /** Resolves when Redis answers a PING. */
  readonly pingRedis: () => Promise<void>;
  readonly log: Logger;
  /** What `/satisfaction/<token>` records answers with; without it every satisfaction link is "not valid". */
  readonly satisfaction?: SatisfactionDeps;
}

export interface HttpServer {
  /** The port it listens on (the configured one, or the one the OS chose for port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Who may call a route: `open` anyone (probes, the login form); `metrics`
 * anyone while no token is set, else only with it; `web` only with the token,
 * and nobody while none is set.
 */
type Access = 'open' | 'metrics' | 'web';

interface Call {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly query: URLSearchParams;
  /** The route pattern's captures. */
  readonly params: readonly string[];
  readonly deps: WebDeps;
  readonly token: string | null;
  readonly log: Logger;
  readonly satisfaction: SatisfactionDeps | null;
}

interface Route {
  readonly method: 'GET' | 'POST';
  readonly pattern: RegExp;
  readonly access: Access;
  readonly handle: (call: Call) => Promise<void> | void;
}

const number = (text: string | undefined) => Number(text);

/** Every route; HEAD is answered as GET without a body. */
const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: /^\/healthz$/, access: 'open', handle: (c) => healthz(c.res) },
  { method: 'GET', pattern: /^\/readyz$/, access: 'open', handle: (c) => readyz(c.res, c.deps, c.deps.startedAt) },
  { method: 'GET', pattern: /^\/metrics$/, access: 'metrics', handle: (c) => metrics(c.res, c.deps.telemetry) },
  { method: 'GET', pattern: /^\/login$/, access: 'open', handle: (c) => showLogin(c.req, c.res, c.query, c.token) },
  { method: 'POST', pattern: /^\/login$/, access: 'open', handle: (c) => logIn(c.req, c.res, c.token, c.log) },
  { method: 'POST', pattern: /^\/logout$/, access: 'open', handle: (c) => logOut(c.req, c.res) },
  { method: 'GET', pattern: /^\/satisfaction\/([^/]{1,100})$/, access: 'open', handle: (c) => showSatisfactionForm(c.res, c.params[0]!, c.query, c.satisfaction) },
  { method: 'POST', pattern: /^\/satisfaction\/([^/]{1,100})$/, access: 'open', handle: (c) => answerSatisfaction(c.req, c.res, c.params[0]!, c.satisfaction) },
  { method: 'GET', pattern: /^\/$/, access: 'web', handle: (c) => redirect(c.res, '/tickets') },
  { method: 'GET', pattern: /^\/tickets$/, access: 'web', handle: (c) => showTicketList(c.res, c.query, c.deps) },
  { method: 'GET', pattern: /^\/tickets\/(\d{1,15})$/, access: 'web', handle: (c) => showTicket(c.res, number(c.params[0]), c.deps) },
  {
    method: 'GET',
    pattern: /^\/tickets\/(\d{1,15})\/attachments\/(\d{1,15})$/,
    access: 'web',
    handle: (c) => downloadAttachment(c.res, number(c.params[0]), number(c.params[1]), c.deps),
  },
  { method: 'GET', pattern: /^\/mailboxes$/, access: 'web', handle: (c) => showMailboxes(c.res, c.deps) },
  { method: 'GET', pattern: /^\/reports$/, access: 'web', handle: (c) => showReports(c.res, c.query, c.deps) },
];

/** `/healthz`, `/readyz`, `/metrics` and the read-only web view, on `http.host:http.port`. */
export async function startHttpServer(deps: HttpDeps): Promise<HttpServer> {
  const log = deps.log.child({ component: 'http' });
  const web: WebDeps = { config: deps.config, telemetry: deps.telemetry, db: deps.db, pingRedis: deps.pingRedis, startedAt: new Date() };
  const server = createServer((req, res) => void handle(req, res, web, deps.satisfaction ?? null, log));
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  const { host, port } = deps.config().http ?? { host: '127.0.0.1', port: 0 };
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new AppError('CONFIG_INVALID', `http: cannot listen on ${host}:${port} (${err.code ?? err.message})`, { cause: err })),
    );
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  const token = tokenOf(deps.config());
  log.info({ host, port: actual, webView: token !== null }, 'http server listening');
  if (token === null) log.warn({}, 'http.token is not set: the web view is off and /metrics is open to anyone who can reach the port');
  else if (token.length < 16) log.warn({ length: token.length }, 'http.token is short: use 16 characters or more');
  return {
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The configured token; an empty one counts as none. */
function tokenOf(config: Config): string | null {
  const token = config.http?.token ?? null;
  return token ? token : null;
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: WebDeps, satisfaction: SatisfactionDeps | null, log: Logger): Promise<void> {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://helpdesk.invalid');
  } catch {
    return sendText(res, 400, 'bad request\n');
  }
  try {
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const candidates = ROUTES.filter((r) => r.pattern.test(url.pathname));
    if (candidates.length === 0) return showNotFound(res, undefined, false);
    const route = candidates.find((r) => r.method === method);
    if (!route) {
      res.setHeader('Allow', [...new Set(candidates.map((r) => (r.method === 'GET' ? 'GET, HEAD' : r.method)))].join(', '));
      return sendText(res, 405, 'method not allowed\n');
    }
    const token = tokenOf(deps.config());
    if (!admit(route.access, req, res, url, token)) return;
    const params = route.pattern.exec(url.pathname)!.slice(1);
    await route.handle({ req, res, query: url.searchParams, params, deps, token, log, satisfaction });
  } catch (err) {
    failed(err, req, res, url.pathname, log);
  }
}

/** Lets the call through, or answers it: the web view's "off" page, a redirect to the login form (browsers), or 401. */
function admit(access: Access, req: IncomingMessage, res: ServerResponse, url: URL, token: string | null): boolean {
  if (access === 'open') return true;
  if (token === null) {
    if (access === 'metrics') return true;
    showWebViewOff(res);
    return false;
  }
  if (isAuthorized(req.headers, token, new Date())) return true;
  if (access === 'web' && wantsHtml(req)) {
    redirect(res, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
    return false;
  }
  res.setHeader('WWW-Authenticate', 'Bearer realm="helpdesk"');
  sendText(res, 401, 'unauthorized: send Authorization: Bearer <http.token>\n');
  return false;
}

/** A refusal of the request as it was (400/413/415), or a 500 with a log line and no details for the client. */
function failed(err: unknown, req: IncomingMessage, res: ServerResponse, path: string, log: Logger): void {
  if (err instanceof BadRequest) {
    if (!res.headersSent) sendText(res, err.status, `${err.message}\n`);
    return;
  }
  log.error({ err, method: req.method, path }, 'http request failed');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendHtml(res, 500, renderMessage({ title: 'Something went wrong', text: 'The page could not be shown. The daemon log has the details.', nav: null }));
}
