import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Eta } from 'eta';
import { MAX_COMMENT_CHARS, recordSatisfaction } from '../../usecases/satisfaction.js';
import { verifySatisfactionToken } from '../../usecases/satisfaction-token.js';
import { PAGE_CSS, PAGE_CSS_SOURCE } from './page-style.js';
import { BadRequest, readForm, sendHtml, SECURITY_HEADERS } from './respond.js';

/**
 * The customer's side of "How did we do?" (`/satisfaction/<token>`), open to
 * anyone holding the link of the satisfaction mail. GET only shows the form
 * — mail scanners and link previews fetch links — and POST records the answer
 * through recordSatisfaction. A token the installation did not sign is a 404
 * and touches nothing. Pages of their own: no web-view navigation, the same
 * escaping and CSP (its style hash widened to this page's few extra rules).
 */

/** What recordSatisfaction needs: given to the HTTP server by main.ts. */
export type SatisfactionDeps = Parameters<typeof recordSatisfaction>[0];

/** The form is two fields and a 2000-character comment; anything bigger is not our form. */
const MAX_FORM_BYTES = 16 * 1024;

const EXTRA_CSS = `
.survey{max-width:32rem;margin:2.5rem auto}
.survey fieldset{border:0;padding:0;margin:0 0 1rem;display:flex;gap:1.5rem}
.survey legend{padding:0;margin-bottom:.4rem;color:var(--muted)}
.survey fieldset label{display:flex;gap:.4rem;align-items:center;font-weight:600;cursor:pointer}
.survey textarea{display:block;width:100%;margin:.3rem 0 1rem;font:inherit;padding:.45rem .55rem;border:1px solid var(--line);border-radius:6px;resize:vertical}
`.trim();
const CSS = `${PAGE_CSS}\n${EXTRA_CSS}`;
const CSP = SECURITY_HEADERS['Content-Security-Policy']!.replace(PAGE_CSS_SOURCE, `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`);

const LAYOUT = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title><%= it.title %></title>
<link rel="icon" href="data:,">
<style><%~ it.css %></style>
</head>
<body>
<main>
<%~ it.body %>
</main>
</body>
</html>
`;

// The form posts to its own token (a relative URL), so it works behind a proxy that serves the daemon under a path.
const FORM = `<% layout('@layout', { title: 'How did we do?' }) %>
<div class="card survey">
  <h1>How did we do with ticket #<%= it.ticket %>?</h1>
  <form method="post" action="<%= it.token %>">
    <fieldset>
      <legend>Your rating</legend>
      <label><input type="radio" name="rating" value="good" required<% if (it.rating === 'good') { %> checked<% } %>> Good</label>
      <label><input type="radio" name="rating" value="bad" required<% if (it.rating === 'bad') { %> checked<% } %>> Bad</label>
    </fieldset>
    <label for="comment">A comment for our team (optional)</label>
    <textarea id="comment" name="comment" rows="5" maxlength="<%= it.maxComment %>"></textarea>
    <button type="submit">Send</button>
  </form>
</div>
`;

const MESSAGE = `<% layout('@layout', { title: it.title }) %>
<div class="card survey">
  <h1><%= it.title %></h1>
<% for (const line of it.lines) { %>  <p><%= line %></p>
<% } %></div>
`;

const eta = new Eta({ autoEscape: true, cache: true, useWith: false });
eta.loadTemplate('@layout', LAYOUT);
eta.loadTemplate('@form', FORM);
eta.loadTemplate('@message', MESSAGE);

function sendPage(res: ServerResponse, status: number, name: '@form' | '@message', model: object): void {
  res.setHeader('Content-Security-Policy', CSP);
  sendHtml(res, status, eta.render(name, { ...model, css: CSS }));
}

function showInvalid(res: ServerResponse): void {
  sendPage(res, 404, '@message', {
    title: 'This link is not valid',
    lines: ['Please use the link exactly as it is in our mail. If the ticket was deleted, it takes no answer any more.'],
  });
}

const asRating = (value: string | null): 'good' | 'bad' | null => (value === 'good' || value === 'bad' ? value : null);

/** `GET /satisfaction/<token>?rating=good|bad`: the form, the rating from the link chosen. Records nothing. */
export function showSatisfactionForm(res: ServerResponse, token: string, query: URLSearchParams, deps: SatisfactionDeps | null): void {
  const ticket = deps ? verifySatisfactionToken(deps.tokenKey, token) : null;
  if (ticket === null) return showInvalid(res);
  sendPage(res, 200, '@form', { ticket, token, rating: asRating(query.get('rating')), maxComment: MAX_COMMENT_CHARS });
}

/** `POST /satisfaction/<token>` (form: rating, comment): records the answer and thanks the customer. */
export async function answerSatisfaction(req: IncomingMessage, res: ServerResponse, token: string, deps: SatisfactionDeps | null): Promise<void> {
  if (!deps || verifySatisfactionToken(deps.tokenKey, token) === null) {
    deps?.log.warn({ remote: req.socket.remoteAddress }, 'satisfaction answer refused: the link is not one we made');
    return showInvalid(res);
  }
  const form = await readForm(req, MAX_FORM_BYTES);
  const rating = asRating(form.get('rating'));
  if (rating === null) throw new BadRequest(400, 'rating must be good or bad');
  const result = await recordSatisfaction(deps, token, rating, form.get('comment'));
  if (!result.ok) return showInvalid(res);
  sendPage(res, 200, '@message', {
    title: 'Thank you',
    lines: [
      `Your answer on ticket #${result.ticketNumber} is recorded: ${rating}.`,
      'Changed your mind? The links in our mail still work; your latest answer counts.',
    ],
  });
}
