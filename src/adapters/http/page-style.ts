import { createHash } from 'node:crypto';

/** The web view's one stylesheet, inlined in every page; narrow screens get cards instead of table rows. */
export const PAGE_CSS = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--card:#fff;--accent:#0969da;--near-bg:#fff8c5;--near:#7d4e00;--bad-bg:#ffebe9;--bad:#a40e26;--ok:#1a7f37}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
.top{background:#1f2328;color:#fff;padding:.55rem 1rem;display:flex;gap:1.2rem;align-items:center;flex-wrap:wrap}
.top .brand{color:#fff;font-weight:700;letter-spacing:.01em}
.top nav{display:flex;gap:1rem;flex:1;flex-wrap:wrap}.top nav a{color:#d1d9e0}.top nav a.here{color:#fff;font-weight:600}
.top form{margin:0}.top button{background:none;border:1px solid #59636e;color:#d1d9e0;padding:.2rem .6rem}
main{max-width:1180px;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.2rem 0 .8rem;overflow-wrap:anywhere}h2{font-size:1.05rem;margin:1.4rem 0 .6rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem;margin-bottom:1rem}
.filters{display:flex;flex-wrap:wrap;gap:.6rem;align-items:flex-end}
.filters label{display:flex;flex-direction:column;font-size:.78rem;color:var(--muted);gap:.15rem}
.filters .grow{flex:1;min-width:12rem}
input,select,button{font:inherit;padding:.35rem .55rem;border:1px solid var(--line);border-radius:6px;background:#fff;color:var(--fg)}
button{background:var(--accent);border-color:var(--accent);color:#fff;cursor:pointer}
.table{overflow-x:auto;border:1px solid var(--line);border-radius:8px;background:var(--card)}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.5rem .65rem;border-bottom:1px solid var(--line);vertical-align:top}
tr:last-child td{border-bottom:0}
th{font-size:.75rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);background:var(--bg);white-space:nowrap}
td.num{white-space:nowrap;font-variant-numeric:tabular-nums}
.subject{font-weight:600;overflow-wrap:anywhere}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.76rem;font-weight:600;white-space:nowrap}
.s-new{background:#ddf4ff;color:#0550ae}.s-open{background:#fff1e5;color:#953800}.s-answered{background:#dafbe1;color:#116329}
.s-postponed{background:#fbefff;color:#6e40c9}.s-resolved,.s-closed{background:#eaeef2;color:#59636e}.s-spam{background:#ffebe9;color:#a40e26}
.p-high{color:#bc4c00;font-weight:600}.p-urgent{color:#a40e26;font-weight:700}
.tag{display:inline-block;background:#eaeef2;border-radius:4px;padding:0 .35rem;margin:0 .2rem .1rem 0;font-size:.78rem}
.due{display:inline-block;border-radius:4px;padding:0 .35rem;white-space:nowrap}
.due-near{background:var(--near-bg);color:var(--near);font-weight:600}.due-breached{background:var(--bad-bg);color:var(--bad);font-weight:700}
.muted{color:var(--muted)}.small{font-size:.82rem}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1.2rem;margin:0}
.facts dt{color:var(--muted)}.facts dd{margin:0;overflow-wrap:anywhere}
.msg{background:var(--card);border:1px solid var(--line);border-left:4px solid #8c959f;border-radius:8px;padding:.8rem 1rem;margin-bottom:.8rem}
.msg.out{border-left-color:var(--accent)}.msg.note{background:#fffdf0;border-left-color:#d4a72c}
.msg-head{display:flex;justify-content:space-between;flex-wrap:wrap;gap:.3rem .8rem;margin-bottom:.5rem}
.msg-head .who{font-weight:600;overflow-wrap:anywhere}
.body{white-space:pre-wrap;overflow-wrap:anywhere;font:inherit;margin:.4rem 0 0}
.html{border-top:1px dashed var(--line);margin-top:.6rem;padding-top:.4rem}.html-body{overflow-x:auto}
.blocked-image{display:inline-block;border:1px dashed var(--line);color:var(--muted);font-size:.78rem;padding:0 .3rem}
.files{list-style:none;padding:0;margin:.6rem 0 0;display:flex;flex-wrap:wrap;gap:.4rem}
.files li{border:1px solid var(--line);border-radius:6px;padding:.2rem .5rem;font-size:.85rem;background:var(--bg)}
.timeline{list-style:none;padding:0;margin:0}.timeline li{padding:.35rem 0;border-bottom:1px solid var(--line)}
.timeline li:last-child{border-bottom:0}.timeline .what{font-weight:600}
.pager{display:flex;justify-content:space-between;align-items:center;margin-top:.8rem}
.boxes{display:flex;flex-wrap:wrap;gap:.4rem .9rem;font-size:.85rem;margin:0 0 .8rem}
.dot{display:inline-block;width:.6rem;height:.6rem;border-radius:50%;margin-right:.3rem;background:var(--ok)}
.dot.bad{background:var(--bad)}.dot.wait{background:#bf8700}
.error{color:var(--bad);font-weight:600}
.login{max-width:24rem;margin:3rem auto}.login label{display:flex;flex-direction:column;gap:.3rem;margin-bottom:.8rem}
.figures .n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.figures th.span{text-align:center}.figures tr.total td{font-weight:600;background:var(--bg)}
.chart{display:block;width:100%;height:auto}.chart .grid{stroke:var(--line);stroke-width:1}.chart .axis{font-size:11px;fill:var(--muted)}
.bar-created{fill:#0969da}.bar-resolved{fill:#1a7f37}.bar-mail{fill:#8250df}
.legend{display:flex;flex-wrap:wrap;gap:.3rem .9rem;margin-top:.3rem}
.swatch{display:inline-block;width:.7rem;height:.7rem;border-radius:2px;margin-right:.3rem;vertical-align:-1px}
.swatch.bar-created{background:#0969da}.swatch.bar-resolved{background:#1a7f37}.swatch.bar-mail{background:#8250df}
.charts{display:grid;grid-template-columns:3fr 2fr;gap:0 1rem}.chart-card{margin-top:1rem}
@media (max-width:720px){
  main{padding:.6rem}
  .tickets thead{display:none}
  .tickets tr{display:block;padding:.55rem .65rem;border-bottom:1px solid var(--line)}
  .tickets td{display:block;border:0;padding:.1rem 0}
  .tickets td[data-label]::before{content:attr(data-label) " ";color:var(--muted);font-size:.75rem;font-weight:400}
  .facts{grid-template-columns:1fr}.facts dt{margin-top:.3rem}
  .charts{grid-template-columns:1fr}
}
`.trim();

/** The stylesheet's CSP source (`'sha256-…'`): the one inline style a page may apply. */
export const PAGE_CSS_SOURCE = `'sha256-${createHash('sha256').update(PAGE_CSS).digest('base64')}'`;
