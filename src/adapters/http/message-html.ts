import sanitizeHtml from 'sanitize-html';
import { normalizeCid } from '../../domain/content-id.js';

/**
 * A message's HTML as the web view shows it. It was sanitised at ingest; it is
 * sanitised again here with a stricter policy, so a page never depends on what
 * an older version stored:
 * - no remote images (a tracking pixel tells the sender who read the mail and
 *   when): an image is shown only from a `data:` URL or, for `cid:`, from the
 *   message's own attachment; any other becomes a "remote image blocked" note;
 * - no styles, classes, scripts or forms; links open away from the helpdesk
 *   and send no referrer.
 * The page's Content-Security-Policy (`img-src 'self' data:`) blocks remote
 * images a second time.
 */

export const BLOCKED_IMAGE_TEXT = '[remote image blocked]';

const BLOCKED_CLASS = 'blocked-image';

/** `cid` (Content-ID without brackets) → the URL of the attachment that carries it. */
export type InlineImages = ReadonlyMap<string, string>;

export function messageHtmlForView(html: string, inline: InlineImages): string {
  return sanitizeHtml(html, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'style'), 'img', 'span', 'font', 'center'],
    allowedAttributes: {
      a: ['href', 'title', 'rel', 'target'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      td: ['colspan', 'rowspan', 'align', 'valign'],
      th: ['colspan', 'rowspan', 'align', 'valign'],
      span: ['class'],
      '*': ['dir', 'lang'],
    },
    allowedClasses: { span: [BLOCKED_CLASS] },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['data'] },
    allowProtocolRelative: false,
    transformTags: {
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener noreferrer nofollow', target: '_blank' } }),
      img: (tagName, attribs) => {
        const src = (attribs.src ?? '').trim();
        const cid = /^cid:(.+)$/i.exec(src)?.[1];
        const local = cid === undefined ? null : (inline.get(normalizeCid(cid)) ?? null);
        if (local) return { tagName, attribs: { ...attribs, src: local } };
        if (/^data:image\//i.test(src)) return { tagName, attribs };
        return { tagName: 'span', attribs: { class: BLOCKED_CLASS }, text: BLOCKED_IMAGE_TEXT };
      },
    },
  });
}

export { normalizeCid };
