/**
 * Message-ID handling. Ids are stored without angle brackets, exactly as
 * written otherwise (RFC 5322 ids are case-sensitive).
 */

const BRACKETED = /<([^<>\s]+)>/g;

/**
 * Extracts the message ids from an `In-Reply-To` or `References` header value,
 * in header order. Accepts the unbracketed single ids some clients write.
 */
export function parseMessageIdList(value: string | null | undefined): string[] {
  if (!value) return [];
  const ids = [...value.matchAll(BRACKETED)].map((m) => m[1] as string).filter(isPlausibleId);
  if (ids.length > 0) return unique(ids);
  const bare = value.trim();
  return /^[^\s<>]+@[^\s<>]+$/.test(bare) ? [bare] : [];
}

/** Normalises one Message-ID header value; null when it holds no usable id. */
export function normalizeMessageId(value: string | null | undefined): string | null {
  return parseMessageIdList(value)[0] ?? null;
}

function isPlausibleId(id: string): boolean {
  return id.length <= 998 && id.includes('@');
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
