/**
 * The web view's Eta templates. `<%= %>` escapes; `<%~ %>` (raw) is used only
 * for the layout's body, the stylesheet and HTML that went through
 * messageHtmlForView. Kept as strings so the TypeScript build ships them.
 */

export const LAYOUT = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title><%= it.title %> · Helpdesk</title>
<link rel="icon" href="data:,">
<style><%~ it.css %></style>
</head>
<body>
<header class="top">
  <a class="brand" href="/tickets">Helpdesk</a>
<% if (it.nav) { %>
  <nav>
    <a href="/tickets"<% if (it.nav === 'to-solve') { %> class="here"<% } %>>To solve</a>
    <a href="/tickets?view=all"<% if (it.nav === 'all') { %> class="here"<% } %>>All tickets</a>
    <a href="/mailboxes"<% if (it.nav === 'mailboxes') { %> class="here"<% } %>>Mailboxes</a>
  </nav>
  <form method="post" action="/logout"><button type="submit">Log out</button></form>
<% } %>
</header>
<main>
<%~ it.body %>
</main>
</body>
</html>
`;

export const LOGIN = `<% layout('@layout', { title: 'Log in', nav: null }) %>
<div class="card login">
  <h1>Log in</h1>
<% if (it.error) { %>  <p class="error"><%= it.error %></p>
<% } %>
  <form method="post" action="/login">
    <input type="hidden" name="next" value="<%= it.next %>">
    <label>Access token<input type="password" name="token" autocomplete="current-password" required autofocus></label>
    <button type="submit">Log in</button>
  </form>
  <p class="muted small">The token is <code>http.token</code> of the daemon's config.</p>
</div>
`;

export const MESSAGE_PAGE = `<% layout('@layout', { title: it.title, nav: it.nav }) %>
<div class="card">
  <h1><%= it.title %></h1>
  <p><%= it.text %></p>
<% if (it.link) { %>  <p><a href="<%= it.link.href %>"><%= it.link.label %></a></p>
<% } %>
</div>
`;

export const TICKET_LIST = `<% layout('@layout', { title: it.title, nav: it.view === 'all' ? 'all' : 'to-solve' }) %>
<h1><%= it.title %></h1>
<div class="boxes">
<% for (const box of it.mailboxes) { %>  <a href="/mailboxes"><span class="dot <%= box.dot %>"></span><%= box.name %> · <%= box.state %></a>
<% } %></div>
<form class="filters card" method="get" action="/tickets">
  <label>Status<select name="view">
<% for (const o of it.viewOptions) { %>    <option value="<%= o.value %>"<% if (o.selected) { %> selected<% } %>><%= o.label %></option>
<% } %>  </select></label>
  <label>Assignee<select name="assignee">
<% for (const o of it.assigneeOptions) { %>    <option value="<%= o.value %>"<% if (o.selected) { %> selected<% } %>><%= o.label %></option>
<% } %>  </select></label>
  <label>Tag<select name="tag">
<% for (const o of it.tagOptions) { %>    <option value="<%= o.value %>"<% if (o.selected) { %> selected<% } %>><%= o.label %></option>
<% } %>  </select></label>
  <label class="grow">Search<input type="search" name="q" value="<%= it.q %>" placeholder="Words in subjects or messages, or #number"></label>
  <button type="submit">Filter</button>
</form>
<% if (it.rows.length === 0) { %><div class="card muted">No tickets match.</div>
<% } else { %><div class="table"><table class="tickets">
  <thead><tr><th>#</th><th>Subject</th><th>Status</th><th>Priority</th><th>Assignee</th><th>Next due</th><th>Updated</th></tr></thead>
  <tbody>
<% for (const t of it.rows) { %>  <tr>
    <td class="num"><a href="<%= t.href %>">#<%= t.number %></a></td>
    <td><a class="subject" href="<%= t.href %>"><%= t.subject %></a><div class="muted small"><%= t.requester %></div><% for (const tag of t.tags) { %><span class="tag"><%= tag %></span><% } %></td>
    <td data-label="Status"><span class="badge s-<%= t.status %>"><%= t.status %></span></td>
    <td data-label="Priority" class="p-<%= t.priority %>"><%= t.priority %></td>
    <td data-label="Assignee"><%= t.assignee ?? '—' %></td>
    <td data-label="Next due"><% if (t.due) { %><span class="due due-<%= t.due.state %>" title="<%= t.due.label %> due <%= t.due.when %>"><time datetime="<%= t.due.at %>"><%= t.due.relative %></time></span><div class="muted small"><%= t.due.label %></div><% } else { %><span class="muted">—</span><% } %></td>
    <td data-label="Updated" class="muted small"><%= t.updated %></td>
  </tr>
<% } %>  </tbody>
</table></div>
<% } %><div class="pager">
  <span><% if (it.prevHref) { %><a href="<%= it.prevHref %>">← Newer</a><% } %></span>
  <span class="muted small">Page <%= it.page %> · times in <%= it.timeZone %></span>
  <span><% if (it.nextHref) { %><a href="<%= it.nextHref %>">Older →</a><% } %></span>
</div>
`;

export const TICKET = `<% layout('@layout', { title: '#' + it.t.number + ' ' + it.t.subject, nav: 'ticket' }) %>
<h1><span class="muted">#<%= it.t.number %></span> <%= it.t.subject %></h1>
<div class="card">
  <dl class="facts">
    <dt>Status</dt><dd><span class="badge s-<%= it.t.status %>"><%= it.t.status %></span><% if (it.t.postponedUntil) { %> until <%= it.t.postponedUntil %><% } %></dd>
    <dt>Priority</dt><dd class="p-<%= it.t.priority %>"><%= it.t.priority %></dd>
    <dt>Department</dt><dd><%= it.t.department %></dd>
    <dt>Assignee</dt><dd><%= it.t.assignee ?? 'unassigned' %></dd>
    <dt>Tags</dt><dd><% for (const tag of it.t.tags) { %><span class="tag"><%= tag %></span><% } %><% if (it.t.tags.length === 0) { %><span class="muted">none</span><% } %></dd>
    <dt>Requester</dt><dd><%= it.t.requester %></dd>
<% if (it.t.copied.length) { %>    <dt>Copied</dt><dd><%= it.t.copied.join(', ') %></dd>
<% } %>    <dt>Mailbox</dt><dd><%= it.t.mailbox %></dd>
    <dt>Created</dt><dd><%= it.t.created %> <span class="muted small">(updated <%= it.t.updated %>)</span></dd>
<% if (it.t.closed) { %>    <dt>Closed</dt><dd><%= it.t.closed %></dd>
<% } %><% if (it.t.linkedHref) { %>    <dt>Continues</dt><dd><a href="<%= it.t.linkedHref %>">#<%= it.t.linkedTicket %></a></dd>
<% } %><% for (const d of it.t.dues) { %>    <dt><%= d.label %> due</dt><dd><span class="due due-<%= d.state %>"><time datetime="<%= d.at %>"><%= d.when %></time> · <%= d.relative %></span></dd>
<% } %>  </dl>
</div>
<h2>Thread</h2>
<% if (it.messagesCut) { %><p class="muted small">Only the latest <%= it.maxMessages %> messages are shown.</p>
<% } %><% for (const m of it.messages) { %><article class="msg <%= m.css %>" id="m<%= m.id %>">
  <div class="msg-head">
    <span><span class="who"><%= m.from %></span> <span class="badge s-closed"><%= m.kind %></span> <span class="muted small"><%= m.direction %></span></span>
    <span class="muted small"><time datetime="<%= m.at %>" title="<%= m.dateHeader %>"><%= m.when %></time></span>
  </div>
  <div class="muted small">To: <%= m.to %><% if (m.cc) { %> · Cc: <%= m.cc %><% } %></div>
<% if (m.truncated) { %>  <p class="muted small">This message was too large and is stored cut short.</p>
<% } %>  <pre class="body"><%= m.text %></pre>
<% if (m.html) { %>  <details class="html"<% if (m.htmlOpen) { %> open<% } %>><summary class="small">HTML version (remote images blocked)</summary><div class="html-body"><%~ m.html %></div></details>
<% } %><% if (m.files.length) { %>  <ul class="files">
<% for (const f of m.files) { %>    <li><% if (f.href) { %><a href="<%= f.href %>" download><%= f.name %></a><% } else { %><%= f.name %> <span class="muted">(not kept: over the size limit)</span><% } %> <span class="muted"><%= f.size %></span></li>
<% } %>  </ul>
<% } %></article>
<% } %>
<h2>Events</h2>
<div class="card"><ol class="timeline">
<% for (const e of it.events) { %>  <li><span class="muted small"><time datetime="<%= e.at %>"><%= e.when %></time></span> <span class="what"><%= e.label %></span> <span class="muted small">by <%= e.actor %></span><div class="small" title="<%= e.detail %>"><%= e.sentence %></div></li>
<% } %></ol></div>
`;

export const MAILBOXES = `<% layout('@layout', { title: 'Mailboxes', nav: 'mailboxes' }) %>
<h1>Mailboxes</h1>
<p><span class="dot <%= it.ready ? '' : 'bad' %>"></span><%= it.ready ? 'Ready' : 'Not ready' %><% for (const r of it.reasons) { %><br><span class="error small"><%= r %></span><% } %></p>
<div class="table"><table class="tickets">
  <thead><tr><th>Mailbox</th><th>State</th><th>Last sync</th><th>Errors</th><th>Last error</th><th>OAuth2</th></tr></thead>
  <tbody>
<% for (const b of it.boxes) { %>  <tr>
    <td><span class="dot <%= b.dot %>"></span><strong><%= b.name %></strong><div class="muted small"><%= b.address %></div></td>
    <td data-label="State"><%= b.state %><% if (b.note) { %><div class="muted small"><%= b.note %></div><% } %></td>
    <td data-label="Last sync"><%= b.lastSync %></td>
    <td data-label="Errors in a row"><%= b.errorStreak %></td>
    <td data-label="Last error"><%= b.lastError %></td>
    <td data-label="OAuth2"><%= b.oauth %></td>
  </tr>
<% } %>  </tbody>
</table></div>
<p class="muted small">Postgres: <%= it.postgres %> · Redis: <%= it.redis %> · times in <%= it.timeZone %></p>
`;
