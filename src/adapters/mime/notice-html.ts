import sanitizeHtml from 'sanitize-html';

/**
 * A customer's HTML as a notification to agents shows it. It was sanitised
 * at ingest; here it is sanitised again for mail: images only from the
 * message itself (`cid:`, which the notification carries along) or `data:`,
 * so a tracking pixel never tells the sender when an agent read their mail;
 * no styles beyond the basics, no forms, no scripts.
 */

export const REMOTE_IMAGE_TEXT = '[remote image not loaded]';

const POLICY: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'style'), 'img', 'span', 'font', 'center'],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    td: ['colspan', 'rowspan', 'align', 'valign'],
    th: ['colspan', 'rowspan', 'align', 'valign'],
    '*': ['dir', 'lang'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['cid', 'data'] },
  allowProtocolRelative: false,
  transformTags: {
    img: (tagName, attribs) => {
      const src = (attribs.src ?? '').trim();
      if (/^cid:/i.test(src) || /^data:image\//i.test(src)) return { tagName, attribs };
      return { tagName: 'span', attribs: {}, text: REMOTE_IMAGE_TEXT };
    },
  },
};

export function htmlForAgents(html: string): string {
  return sanitizeHtml(html, POLICY);
}
