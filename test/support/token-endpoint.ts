import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the token endpoint answers to a refresh instead of a token: a status, a JSON body, headers. */
export interface TokenAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

export interface TokenEndpointOptions {
  readonly clientId: string;
  /** Null: a public client, no secret expected. */
  readonly clientSecret: string | null;
  readonly refreshToken: string;
  /** Whom the issued access tokens belong to (introspection's `username`). */
  readonly user: string;
  /** `expires_in` of issued tokens, in seconds. */
  readonly expiresIn?: number;
}

/**
 * A real OAuth2 authorization server's two endpoints on a loopback port:
 * `POST /token` (refresh_token grant, RFC 6749 §6) and `POST /introspect`
 * (RFC 7662, as Dovecot's oauth2 passdb asks it with introspection_mode = post).
 */
export interface TokenEndpoint {
  readonly tokenUrl: string;
  readonly introspectUrl: string;
  /** Every refresh request's form, in order. */
  readonly refreshes: URLSearchParams[];
  /** Every introspection: the token asked about and the answer. */
  readonly introspections: { readonly token: string; readonly active: boolean }[];
  /** Access tokens issued, in order. */
  readonly issued: string[];
  /** Lifetime of the tokens issued from now on, in seconds. */
  expiresIn: number;
  /** Answer every refresh with this instead of checking it; null goes back to checking. */
  respond(answer: TokenAnswer | null): void;
  /** Refuse every refresh with an RFC 6749 error (400 unless given). */
  refuse(error: string, status?: number): void;
  /** The next good refresh also issues `next` as the refresh token; the old one stops working. */
  rotate(next: string): void;
  /** Holds refresh answers until the returned function is called. */
  hold(): () => void;
  /** Introspection says every token issued so far is inactive (revoked). */
  revokeIssued(): void;
  close(): Promise<void>;
}

export async function startTokenEndpoint(options: TokenEndpointOptions): Promise<TokenEndpoint> {
  const refreshes: URLSearchParams[] = [];
  const introspections: { token: string; active: boolean }[] = [];
  const issued: string[] = [];
  const tokens = new Map<string, { expiresAt: number; revoked: boolean }>();
  let validRefresh = options.refreshToken;
  let rotateTo: string | null = null;
  let fixed: TokenAnswer | null = null;
  let held: Promise<void> | null = null;

  const refresh = async (form: URLSearchParams): Promise<TokenAnswer> => {
    refreshes.push(form);
    if (held) await held;
    if (fixed) return fixed;
    if (form.get('grant_type') !== 'refresh_token') return { status: 400, body: { error: 'unsupported_grant_type' } };
    if (form.get('client_id') !== options.clientId || (options.clientSecret !== null && form.get('client_secret') !== options.clientSecret)) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'client authentication failed' } };
    }
    if (form.get('refresh_token') !== validRefresh) return { status: 400, body: { error: 'invalid_grant', error_description: 'refresh token unknown, expired or revoked' } };
    const token = `at-${issued.length + 1}-${randomBytes(12).toString('hex')}`;
    issued.push(token);
    tokens.set(token, { expiresAt: Date.now() + endpoint.expiresIn * 1000, revoked: false });
    const body: Record<string, unknown> = { access_token: token, token_type: 'Bearer', expires_in: endpoint.expiresIn };
    if (rotateTo) {
      body.refresh_token = validRefresh = rotateTo;
      rotateTo = null;
    }
    return { status: 200, body };
  };

  const introspect = (form: URLSearchParams): TokenAnswer => {
    const token = form.get('token') ?? '';
    const known = tokens.get(token);
    const active = known !== undefined && !known.revoked && known.expiresAt > Date.now();
    introspections.push({ token, active });
    return { status: 200, body: active ? { active: true, username: options.user } : { active: false } };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const answer =
      req.method !== 'POST' ? { status: 405, body: {} } : path === '/token' ? await refresh(form) : path === '/introspect' ? introspect(form) : { status: 404, body: {} };
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.body));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const endpoint: TokenEndpoint = {
    tokenUrl: `${base}/token`,
    introspectUrl: `${base}/introspect`,
    refreshes,
    introspections,
    issued,
    expiresIn: options.expiresIn ?? 3600,
    respond(answer) {
      fixed = answer;
    },
    refuse(error, status = 400) {
      fixed = { status, body: { error, error_description: `refused by the test (${error})` } };
    },
    rotate(next) {
      rotateTo = next;
    },
    hold() {
      let release = () => undefined as void;
      held = new Promise<void>((resolve) => (release = resolve));
      return () => {
        held = null;
        release();
      };
    },
    revokeIssued() {
      for (const token of tokens.values()) token.revoked = true;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return endpoint;
}
