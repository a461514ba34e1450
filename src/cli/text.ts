/**
 * Untrusted text in what the command line prints: cells, column and class
 * names and file names come from files and arguments, and can hold control
 * characters (an ANSI escape sequence recolours or rewrites a terminal; a
 * bidirectional override reorders what is shown) or be megabytes long.
 */

/** Most of a cell or name a message shows; longer ones are cut, with their length. */
export const QUOTE_LIMIT = 100;

/**
 * C0 and C1 controls, DEL, the line and paragraph separators and the
 * bidirectional marks, overrides and isolates: characters that act on a
 * terminal rather than show.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/gu;

/** `text` with every control character written out as an escape (`\x1b`, `\u{202e}`): safe to print on a terminal. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** Printed lines, each with its control characters escaped; the line breaks between them kept. */
export function escapeLines(text: string): string {
  return text.split('\n').map(escapeControls).join('\n');
}

/**
 * A cell or name quoted for a message, as JSON writes strings, cut to
 * QUOTE_LIMIT characters: `"abc"`, or `"abcd…" … (123456 characters)`.
 */
export function quote(text: string): string {
  if (text.length <= QUOTE_LIMIT) return JSON.stringify(text);
  // Not between the halves of a surrogate pair, which JSON.stringify would show as \ud83d.
  const end = /[\ud800-\udbff]/.test(text[QUOTE_LIMIT - 1]) ? QUOTE_LIMIT - 1 : QUOTE_LIMIT;
  return `${JSON.stringify(text.slice(0, end))}… (${text.length} characters)`;
}

/** Any JSON value as JSON writes it (undefined as `undefined`), cut as excerpt() cuts text. */
export function showValue(value: unknown): string {
  return excerpt(JSON.stringify(value) ?? String(value));
}

/** Text shown as it is, unquoted (a name in a summary line), cut to QUOTE_LIMIT characters with its length. */
export function excerpt(text: string): string {
  return text.length <= QUOTE_LIMIT ? text : `${text.slice(0, QUOTE_LIMIT)}… (${text.length} characters)`;
}

/** Names quoted and listed, at most `limit` of them: a CSV may have thousands of columns. */
export function quoteList(names: readonly string[], limit = 12): string {
  const shown = names.slice(0, limit).map(quote).join(', ');
  return names.length > limit ? `${shown}, … (${names.length} in all)` : shown;
}
