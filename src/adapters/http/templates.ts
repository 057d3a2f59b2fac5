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
    <a href="/reports"<% if (it.nav === 'reports') { %> class="here"<% } %>>Reports</a>
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

/** A row of figures: its name, then its cells right-aligned; the total row in bold. */
const FIGURE_ROWS = `<% for (const r of ROWS) { %>  <tr<% if (r.total) { %> class="total"<% } %>><td><%= r.name %></td><% for (const c of r.cells) { %><td class="n"><%= c %></td><% } %></tr>
<% } %>`;
const rows = (expression: string) => FIGURE_ROWS.replace('ROWS', expression);

/** `/reports`: `helpdesk report` as a page (README, "Reports"). */
export const REPORTS = `<% layout('@layout', { title: 'Reports', nav: 'reports' }) %>
<h1>Reports</h1>
<form class="filters card" method="get" action="/reports">
  <label>From<input type="date" name="from" value="<%= it.form.from %>"></label>
  <label>To (not included)<input type="date" name="to" value="<%= it.form.to %>"></label>
  <label>A row per<select name="by">
<% for (const o of it.form.byOptions) { %>    <option value="<%= o.value %>"<% if (o.selected) { %> selected<% } %>><%= o.label %></option>
<% } %>  </select></label>
  <button type="submit">Show</button>
</form>
<% if (it.problem) { %><p class="error"><%= it.problem %> Showing the last 30 days.</p>
<% } %><p class="muted small"><%= it.period %> · business time and hours in <%= it.timeZone %> · medians and p90 by nearest rank</p>
<h2>Tickets</h2>
<div class="table"><table class="figures">
  <thead><tr><th><%= it.groupLabel %></th><th class="n">Created</th><th class="n">Resolved</th><th class="n">Closed</th><th class="n">Reopened</th><th class="n">Reopen rate</th><th class="n">Rated good</th><th class="n">Rated bad</th><th class="n">Good %</th></tr></thead>
  <tbody>
${rows('it.tickets')}  </tbody>
</table></div>
<div class="card chart-card"><%~ include('@chart', it.charts.daily) %></div>
<h2>First response and resolution</h2>
<div class="table"><table class="figures">
  <thead><tr><th rowspan="2"><%= it.groupLabel %></th><th class="span" colspan="5">First response</th><th class="span" colspan="5">Resolution</th></tr>
  <tr><% for (let i = 0; i < 2; i++) { %><th class="n">Tickets</th><th class="n">Median (business)</th><th class="n">p90 (business)</th><th class="n">Median (wall)</th><th class="n">p90 (wall)</th><% } %></tr></thead>
  <tbody>
${rows('it.times')}  </tbody>
</table></div>
<h2>SLA compliance</h2>
<div class="table"><table class="figures">
  <thead><tr><th>Target</th><th class="n">Met</th><th class="n">Warned</th><th class="n">Breached</th><th class="n">Pending</th><th class="n">Met %</th><th class="n">Warned %</th><th class="n">Breached %</th></tr></thead>
  <tbody>
${rows('it.sla')}  </tbody>
</table></div>
<h2>Backlog at <%= it.backlog.asOf %> UTC</h2>
<div class="table"><table class="figures">
  <thead><tr><th>Status</th><% for (const a of it.backlog.ages) { %><th class="n"><%= a %></th><% } %><th class="n">Total</th></tr></thead>
  <tbody>
${rows('it.backlog.rows')}  </tbody>
</table></div>
<h2>Busiest hours</h2>
<p class="muted small"><%= it.mailTotal %> customer mails (new tickets and replies) in the period.</p>
<div class="charts">
  <div class="card"><%~ include('@chart', it.charts.hours) %></div>
  <div class="card"><%~ include('@chart', it.charts.weekdays) %></div>
</div>
`;

/** A bar chart as inline SVG: presentation attributes and the page's classes only (no style attributes: the CSP allows the one stylesheet). */
export const CHART = `<svg class="chart" viewBox="0 0 <%= it.width %> <%= it.height %>" role="img" aria-label="<%= it.label %>">
<title><%= it.label %></title>
<% for (const g of it.grid) { %><line class="grid" x1="<%= g.x1 %>" x2="<%= g.x2 %>" y1="<%= g.y %>" y2="<%= g.y %>"/><text class="axis" x="<%= g.x1 - 5 %>" y="<%= g.y + 4 %>" text-anchor="end"><%= g.text %></text>
<% } %><% for (const b of it.bars) { %><rect class="<%= b.cls %>" x="<%= b.x %>" y="<%= b.y %>" width="<%= b.w %>" height="<%= b.h %>"><title><%= b.title %></title></rect>
<% } %><% for (const t of it.ticks) { %><text class="axis" x="<%= t.x %>" y="<%= t.y %>" text-anchor="middle"><%= t.text %></text>
<% } %></svg>
<div class="legend small"><strong><%= it.label %></strong><% for (const l of it.legend) { %> <span><span class="swatch <%= l.cls %>"></span><%= l.text %></span><% } %></div>
`;
