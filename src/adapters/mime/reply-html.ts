import render from 'dom-serializer';
import { isTag, isText, type ChildNode, type Document, type Element, type ParentNode } from 'domhandler';
import { parseDocument, Tokenizer } from 'htmlparser2';
import sanitizeHtml from 'sanitize-html';
import { normalizeCid } from '../../domain/content-id.js';
import {
  attribution,
  hasAddress,
  headerField,
  isSeparator,
  lineView,
  MAX_HEADER_CHARS,
  sharedAttributionStart,
  type HeaderFieldKind,
} from './quote-lines.js';

/*
 * An agent's HTML reply made fit for the customer, in passes over one parsed
 * tree: quoted history goes where a client marks it (Gmail, Apple Mail,
 * Thunderbird, Outlook, Yahoo, ProtonMail) and where its words show it ("On …
 * wrote:" over a blockquote, Outlook's "From: / Sent:" block, "-----Original
 * Message-----", read with quote-lines.ts); then the command lines at the top;
 * then the empty wrappers both leave behind. sanitize-html has the last word.
 * Nesting is capped before parsing, every walk uses an explicit stack and
 * every removal rebuilds a child list once: hostile mail costs linear time.
 */

export interface ReplyHtml {
  readonly html: string;
  /** Content-IDs (`normalizeCid`) of the `cid:` images left in `html`. */
  readonly cids: readonly string[];
}

/** HTML beyond this is cut before it is read: the agent's words come first. */
export const MAX_REPLY_HTML = 2 * 1024 * 1024;
/** Tags opening elements deeper than this are dropped, their text kept (dom-serializer recurses per level). */
const MAX_DEPTH = 200;
const MAX_LINE_CHARS = 4 * MAX_HEADER_CHARS;

/** Elements removed with what they hold: quoted history as clients mark it. */
const QUOTE_CLASSES = new Set(['gmail_quote', 'gmail_quote_container', 'gmail_attr', 'moz-cite-prefix', 'yahoo_quoted', 'protonmail_quote']);
/** Outlook's marks (lower case): they and everything after them are history. */
const CUT_IDS = new Set(['divrplyfwdmsg', 'appendonsend', 'mail-editor-reference-message-container']);
/** Never content: dropped before anything is read. */
const DROP_TAGS = new Set(['head', 'title', 'script', 'style', 'template', 'noscript', 'iframe', 'object', 'embed', 'svg', 'math', 'textarea', 'select']);
const BLOCK_TAGS = new Set(['p', 'div', 'blockquote', 'pre', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody',
  'tfoot', 'tr', 'td', 'th', 'center', 'section', 'article', 'header', 'footer', 'address', 'dl', 'dt', 'dd', 'figure', 'body', 'html']);
/** Kept whole when trimming: an empty cell still holds a table's shape. */
const OPAQUE_TAGS = new Set(['table', 'img']);
const VOID_TAGS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
/** An open tag of one of these closes an open peer right above it (`<p>a<p>b`). */
const PEER_TAGS = new Set(['p', 'li', 'td', 'th', 'tr', 'option', 'dt', 'dd']);
const COMMAND = /^#[a-z]+\b/i;
const BLANK_TEXT = /^[\s\u00a0\u200b-\u200d\u2060\ufeff]*$/;

/** Style values a customer's client may render: no url(), no expression(). */
const COLOR = [/^#[0-9a-f]{3,8}$/i, /^rgba?\(\s*[\d.]{1,5}%?\s*(?:,\s*[\d.]{1,5}%?\s*){2,3}\)$/i, /^[a-z]{3,20}$/i];
const OUTBOUND_POLICY: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'div', 'span', 'br', 'b', 'strong', 'i', 'em', 'u', 's', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code',
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'td', 'th', 'a', 'img', 'hr', 'font', 'sub', 'sup'],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    td: ['colspan', 'rowspan', 'align', 'valign'],
    th: ['colspan', 'rowspan', 'align', 'valign'],
    font: ['color', 'face', 'size'],
    '*': ['dir', 'lang', 'style'],
  },
  allowedStyles: {
    '*': {
      color: COLOR,
      'background-color': COLOR,
      'font-weight': [/^(?:normal|bold|bolder|lighter|[1-9]00)$/i],
      'font-style': [/^(?:normal|italic|oblique)$/i],
      'text-decoration': [/^(?:none|underline|line-through|overline)(?:\s+(?:underline|line-through|overline)){0,2}$/i],
      'text-align': [/^(?:left|right|center|justify|start|end)$/i],
      'font-size': [/^\d{1,3}(?:\.\d{1,2})?(?:px|pt|em|rem|%)$/i, /^(?:xx-small|x-small|small|medium|large|x-large|xx-large|smaller|larger)$/i],
      'font-family': [/^[\w\s,'"-]{1,200}$/],
    },
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['cid', 'https', 'data'] },
  allowProtocolRelative: false,
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'template'],
  // An image whose source the policy refused (http:, javascript:, a data: URL that is not a picture) goes whole.
  exclusiveFilter: (frame) => frame.tag === 'img' && !allowedImage(frame.attribs.src),
};

const allowedImage = (src: string | undefined): boolean =>
  src !== undefined && /^(?:cid:\S|https:\/\/\S|data:image\/(?:png|gif|jpe?g|webp|bmp);base64,)/i.test(src.trim());

/**
 * The agent's new words as HTML: quoted history, leading command lines removed; sanitised for the customer.
 * Null when nothing is left. Never throws: on failure, the input sanitised whole.
 */
export function agentReplyHtml(html: string): ReplyHtml | null {
  const input = html.length > MAX_REPLY_HTML ? html.slice(0, MAX_REPLY_HTML) : html;
  try {
    const doc = parseDocument(limitNesting(input, MAX_DEPTH));
    prepare(doc);
    removeMarkedQuotes(doc);
    cutWrittenHistory(doc);
    removeLeadingCommands(doc);
    trimEdge(doc, false);
    trimEdge(doc, true);
    return finish(sanitizeHtml(render(doc), OUTBOUND_POLICY));
  } catch {
    try {
      return finish(sanitizeHtml(limitNesting(input, MAX_DEPTH), OUTBOUND_POLICY));
    } catch {
      return null;
    }
  }
}

/** Visits elements in document order; `visit` returns false to skip what an element holds. */
function walk(root: ParentNode, visit: (el: Element) => boolean): void {
  const stack: ChildNode[] = [...root.children].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isTag(node) && visit(node)) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
}

/** Drops what is never content. */
function prepare(doc: Document): void {
  const gone = new Set<ChildNode>();
  walk(doc, (el) => {
    if (DROP_TAGS.has(el.name)) gone.add(el);
    return !gone.has(el);
  });
  removeAll(gone);
}

/**
 * `html` without the tags that would open elements more than `maxDepth` deep
 * (nor their end tags); their text stays. htmlparser2's Parser keeps its open
 * elements with `unshift`, O(depth) a tag, so deep nesting would cost
 * quadratic time; its Tokenizer is linear and sees tags as the Parser does.
 * Counts at least the Parser's depth: implied end tags are read only between peers.
 */
export function limitNesting(html: string, maxDepth: number): string {
  const open: string[] = [];
  const excess = new Map<string, number>();
  const cuts: number[] = []; // start, end, start, end… of the tags dropped
  let opening = { name: '', start: 0 };
  const opened = (end: number): void => {
    const { name, start } = opening;
    if (VOID_TAGS.has(name)) return;
    if (PEER_TAGS.has(name) && open.at(-1) === name) open.pop();
    if (open.length < maxDepth) open.push(name);
    else {
      excess.set(name, (excess.get(name) ?? 0) + 1);
      cuts.push(start, end + 1);
    }
  };
  const ignore = (): void => {};
  const tokenizer = new Tokenizer({ xmlMode: false, decodeEntities: false }, {
    onopentagname: (start, end) => void (opening = { name: html.slice(start, end).toLowerCase(), start: start - 1 }),
    onopentagend: opened,
    onselfclosingtag: opened, // in HTML, `<div/>` opens a div
    onclosetag: (start, end) => {
      const name = html.slice(start, end).toLowerCase();
      const left = excess.get(name) ?? 0;
      if (left > 0) {
        excess.set(name, left - 1);
        const gt = html.indexOf('>', end);
        cuts.push(html.lastIndexOf('<', start), gt < 0 ? html.length : gt + 1);
      } else if (open.lastIndexOf(name) >= 0) open.length = open.lastIndexOf(name);
    },
    onattribdata: ignore, onattribentity: ignore, onattribend: ignore, onattribname: ignore, oncdata: ignore, oncomment: ignore,
    ondeclaration: ignore, onend: ignore, onprocessinginstruction: ignore, ontext: ignore, ontextentity: ignore,
  });
  tokenizer.write(html);
  tokenizer.end();
  if (cuts.length === 0) return html;
  const parts = [html.slice(0, cuts[0])];
  for (let i = 1; i < cuts.length; i += 2) parts.push(html.slice(cuts[i], cuts[i + 1] ?? html.length));
  return parts.join('');
}

/** Marked quotes go, and blockquotes that an "On … wrote:" opens or introduces; Outlook's marks cut the rest. */
function removeMarkedQuotes(doc: Document): void {
  const gone = new Set<ChildNode>();
  const found: { cut: Element | null } = { cut: null };
  walk(doc, (el) => {
    if (found.cut) return false;
    if (CUT_IDS.has((el.attribs.id ?? '').toLowerCase())) {
      found.cut = el;
      return false;
    }
    const marked = (el.attribs.class ?? '').split(/\s+/).some((name) => QUOTE_CLASSES.has(name))
      || (el.name === 'blockquote' && (el.attribs.type ?? '').toLowerCase() === 'cite');
    const intro = el.name === 'blockquote' ? attributionBefore(el) : null;
    if (!marked && !intro && !(el.name === 'blockquote' && opensWithAttribution(el))) return true;
    for (const node of [el, ...(intro ?? [])]) gone.add(node);
    return false;
  });
  removeAll(gone);
  if (found.cut) cutFrom(found.cut);
}

/** History the client did not mark: a separator, a "From: / Sent:" block, or an "On … <address> wrote:" line. */
function cutWrittenHistory(doc: Document): void {
  const lines = [...linesOf(doc, Infinity)];
  for (let i = 0; i < lines.length; i++) {
    const view = lines[i]!.view;
    if (view === '') continue;
    if (isSeparator(view) || startsHeaderBlock(lines, i)) return cutFrom(lines[i]!.leaves[0]!);
    if (attribution([view])?.strong) {
      // The agent's words before it on its line ("Thanks! On … wrote:") stay, and so does the line.
      const from = sharedAttributionStart(view) > 0 ? lines[i + 1] : lines[i];
      return from ? cutFrom(from.leaves[0]!) : undefined;
    }
  }
}

/** Lines at the very top that are commands (`#status resolved`) or blank. */
function removeLeadingCommands(doc: Document): void {
  const gone = new Set<ChildNode>();
  for (const line of linesOf(doc, Infinity)) {
    if (line.media || !(line.view === '' || COMMAND.test(line.view))) break;
    for (const leaf of line.leaves) gone.add(leaf);
  }
  removeAll(gone);
}

/** Whether line `i` opens Outlook's header block: a sender, a date, three kinds of field (extract-reply.ts's rule). */
function startsHeaderBlock(lines: readonly Line[], i: number): boolean {
  const first = headerField(lines[i]!.view);
  if (!first || first.kind !== 'from' || first.value === '') return false;
  const kinds = new Set<HeaderFieldKind>(['from']);
  let wrapped = 0;
  for (let j = i + 1; j < Math.min(lines.length, i + 12) && lines[j]!.view !== ''; j++) {
    const field = headerField(lines[j]!.view);
    if (field) {
      kinds.add(field.kind);
      wrapped = 0;
    } else if (++wrapped > 2) break;
  }
  const sender = hasAddress(first.value) || /mailto:/i.test(first.value);
  return kinds.has('date') && kinds.size >= 3 && (sender || kinds.has('subject'));
}

/**
 * The attribution right before a blockquote (a block, or a run of inline nodes
 * after a `<br>`), with the blanks between; none when there is none. When the
 * agent's words share its line ("Thanks! On … wrote:"), the line stays: the
 * quote goes, and no word of the agent's.
 */
function attributionBefore(quote: Element): ChildNode[] | null {
  const nodes: ChildNode[] = [];
  let node = quote.prev;
  while (node && isBlank(node)) {
    nodes.push(node);
    node = node.prev;
  }
  const run: ChildNode[] = [];
  if (node && isTag(node) && BLOCK_TAGS.has(node.name)) run.push(node);
  else {
    for (; node && !(isTag(node) && (node.name === 'br' || BLOCK_TAGS.has(node.name))); node = node.prev) {
      if (run.unshift(node) > 20) return null;
    }
  }
  const text = textOf(run);
  const view = viewOf(text ?? '');
  if (run.length === 0 || text === null || !attribution([view])) return null;
  return sharedAttributionStart(view) > 0 ? [] : [...nodes, ...run];
}

/** Apple Mail puts its "On … wrote:" inside the quote. */
function opensWithAttribution(quote: Element): boolean {
  for (const line of linesOf(quote, 500)) {
    if (line.view !== '' || line.media) return attribution([line.view]) !== null;
  }
  return false;
}

interface Line {
  /** The text as read: whitespace collapsed, invisible marks gone; at most MAX_LINE_CHARS. */
  readonly view: string;
  /** Its text nodes, `<br>`, `<hr>` and images, in order. */
  readonly leaves: readonly ChildNode[];
  readonly media: boolean;
}

const BLOCK_END = Symbol('block end');

/** The lines of `root` as a reader sees them: blocks and `<br>` end a line. Stops after `budget` nodes. */
function* linesOf(root: ParentNode, budget: number): Generator<Line> {
  let text = '';
  let leaves: ChildNode[] = [];
  let media = false;
  const line = (): Line => {
    const done = { view: viewOf(text), leaves, media };
    [text, leaves, media] = ['', [], false];
    return done;
  };
  const stack: (ChildNode | typeof BLOCK_END)[] = [...root.children].reverse();
  for (let seen = 0; stack.length > 0 && seen < budget; seen++) {
    const node = stack.pop()!;
    if (node === BLOCK_END) {
      if (leaves.length > 0) yield line();
    } else if (isText(node)) {
      leaves.push(node);
      if (text.length < MAX_LINE_CHARS) text += node.data.slice(0, MAX_LINE_CHARS - text.length);
    } else if (!isTag(node)) continue;
    else if (node.name === 'br' || node.name === 'hr') {
      if (node.name === 'hr' && leaves.length > 0) yield line();
      leaves.push(node);
      yield line();
    } else if (node.name === 'img') {
      leaves.push(node);
      media = true;
    } else {
      if (BLOCK_TAGS.has(node.name)) {
        if (leaves.length > 0) yield line();
        stack.push(BLOCK_END);
      }
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
    }
  }
  if (leaves.length > 0) yield line();
}

const viewOf = (text: string): string => lineView(text.replace(/[\u200b-\u200d\u2060]/g, '')).replace(/\s+/g, ' ').trim();

/** The text of some nodes, `<br>` read as a space; null when too long (or too many nodes) for a quote header. */
function textOf(nodes: readonly ChildNode[]): string | null {
  let text = '';
  const stack = [...nodes].reverse();
  for (let seen = 0; stack.length > 0; seen++) {
    if (seen > 500 || text.length > MAX_HEADER_CHARS) return null;
    const node = stack.pop()!;
    if (isText(node)) text += node.data;
    else if (isTag(node)) {
      if (node.name === 'br') text += ' ';
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
    }
  }
  return text.length > MAX_HEADER_CHARS ? null : text;
}

/** Nothing a reader sees: white space, a comment, a line break or rule, an empty element. */
function isBlank(node: ChildNode): boolean {
  if (isText(node)) return BLANK_TEXT.test(node.data);
  if (!isTag(node)) return true;
  return node.name === 'br' || node.name === 'hr' || (node.children.length === 0 && !OPAQUE_TAGS.has(node.name));
}

/**
 * Removes blank nodes at one edge of the tree, descending into the first (or
 * last) element that holds something; elements emptied on the way go too.
 * Each level's child list is rebuilt once.
 */
function trimEdge(root: ParentNode, fromEnd: boolean): void {
  const frames: { parent: ParentNode; blank: number }[] = [{ parent: root, blank: 0 }];
  const drop = ({ parent, blank }: { parent: ParentNode; blank: number }): void => {
    const kids = parent.children;
    if (blank > 0) setChildren(parent, fromEnd ? kids.slice(0, kids.length - blank) : kids.slice(blank));
  };
  while (frames.length > 0) {
    const frame = frames.at(-1)!;
    const kids = frame.parent.children;
    let child: ChildNode | undefined;
    for (; frame.blank < kids.length; frame.blank++) {
      child = kids[fromEnd ? kids.length - 1 - frame.blank : frame.blank]!;
      if (!isBlank(child)) break;
    }
    if (frame.blank < kids.length && child && isTag(child) && !OPAQUE_TAGS.has(child.name)) {
      frames.push({ parent: child, blank: 0 });
      continue;
    }
    frames.pop();
    drop(frame);
    if (frame.blank < kids.length) {
      // Content reached: every level above keeps the child it descended into.
      for (const above of frames.reverse()) drop(above);
      return;
    }
    if (frames.length > 0) frames.at(-1)!.blank++; // emptied: blank for its parent
  }
}

/** Removes `node` and everything after it in document order. */
function cutFrom(node: ChildNode): void {
  let child: ChildNode = node;
  let keep = 0; // the node itself goes; its ancestors stay
  for (let parent = node.parent; parent; ) {
    const at = parent.children.indexOf(child);
    if (at >= 0) setChildren(parent, parent.children.slice(0, at + keep));
    keep = 1;
    if (!isTag(parent)) break;
    child = parent;
    parent = parent.parent;
  }
}

/** Removes nodes, rebuilding each parent's child list once. */
function removeAll(gone: ReadonlySet<ChildNode>): void {
  const parents = new Set<ParentNode>();
  for (const node of gone) if (node.parent) parents.add(node.parent);
  for (const parent of parents) setChildren(parent, parent.children.filter((child) => !gone.has(child)));
}

function setChildren(parent: ParentNode, kids: ChildNode[]): void {
  parent.children = kids;
  kids.forEach((kid, i) => {
    kid.parent = parent;
    kid.prev = kids[i - 1] ?? null;
    kid.next = kids[i + 1] ?? null;
  });
}

/** The result, or null when no text or image is left; with the Content-IDs its images use. */
function finish(html: string): ReplyHtml | null {
  const cids = new Set<string>();
  let content = false;
  const stack: ChildNode[] = [...parseDocument(html).children].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isText(node)) content ||= !BLANK_TEXT.test(node.data);
    else if (isTag(node)) {
      const src = node.name === 'img' ? (node.attribs.src ?? '').trim() : '';
      if (src !== '') content = true;
      if (/^cid:/i.test(src)) cids.add(normalizeCid(src.slice(4)));
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
    }
  }
  return content ? { html: html.trim(), cids: [...cids] } : null;
}
