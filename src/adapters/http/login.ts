import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { clearedSessionCookie, isAuthorized, safeNextPath, secretsEqual, sessionCookie, sessionValue } from './auth.js';
import { cameOverHttps, readForm, redirect, sendHtml } from './respond.js';
import { renderLogin, renderMessage } from './views.js';

/** The login form and the session cookie it sets (auth.ts says what the cookie holds). */

const MAX_FORM_BYTES = 8 * 1024;

/** Shown for the web view when `http.token` is not set: without a token nothing is shown. */
export function showWebViewOff(res: ServerResponse): void {
  sendHtml(
    res,
    403,
    renderMessage({ title: 'Web view off', text: 'The web view needs an access token: set http.token in the config (as ${VAR}, from the environment).', nav: null }),
  );
}

/** `GET /login`: the form, or straight on when the client already shows the token. */
export function showLogin(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, token: string | null): void {
  if (token === null) return showWebViewOff(res);
  const next = safeNextPath(query.get('next'));
  if (isAuthorized(req.headers, token, new Date())) return redirect(res, next);
  sendHtml(res, 200, renderLogin({ next, error: null }));
}

/** `POST /login`: the right token sets the session cookie and goes on to `next`; a wrong one shows the form again (401). */
export async function logIn(req: IncomingMessage, res: ServerResponse, token: string | null, log: Logger): Promise<void> {
  if (token === null) return showWebViewOff(res);
  const form = await readForm(req, MAX_FORM_BYTES);
  const next = safeNextPath(form.get('next'));
  if (!secretsEqual(form.get('token') ?? '', token)) {
    log.warn({ remote: req.socket.remoteAddress }, 'web view login refused: wrong token');
    sendHtml(res, 401, renderLogin({ next, error: 'That token is not the right one.' }));
    return;
  }
  redirect(res, next, { 'Set-Cookie': sessionCookie(sessionValue(token, new Date()), cameOverHttps(req)) });
}

/** `POST /logout`: the cookie is cleared. */
export function logOut(req: IncomingMessage, res: ServerResponse): void {
  redirect(res, '/login', { 'Set-Cookie': clearedSessionCookie(cameOverHttps(req)) });
}
