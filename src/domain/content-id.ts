/** A Content-ID as a `cid:` URL or an attachment names it: without brackets, lower case. */
export function normalizeCid(cid: string): string {
  let value = cid.trim();
  try {
    value = decodeURIComponent(value);
  } catch {
    // not percent-encoded after all: keep it as written
  }
  return value.replace(/^<|>$/g, '').toLowerCase();
}
