/**
 * CSV records from bytes, with numbers parsed where they lie. A field read
 * as a number never becomes a string unless it needs to (a quoted cell, more
 * than 15 significant digits, a bad cell to name in a message): its digits
 * are read from the bytes into a double. Records are handed on one at a time
 * in two reused arrays, so reading allocates nothing per number.
 *
 * The syntax is csv-parse's with the options the command line always used
 * (a byte-order mark, cells trimmed outside quotes, blank lines skipped,
 * ragged rows left to the caller), except that LF, CRLF and a lone CR each
 * end a line anywhere in a file, as lineAtByte counts them. The delimiter
 * is a comma, a semicolon or a tab, given or detected from the header line
 * (detectDelimiter); a tab delimiter is not trimmed as a blank. Bytes arrive in
 * chunks of any size: a record cut by a chunk's end is parsed again, whole,
 * once the next chunk arrives.
 */
import { parseNumber } from './cells.js';

/** How a column's fields are read: not at all, as a number, or as text. */
export const SKIP = 0;
export const NUMBER = 1;
export const TEXT = 2;

/** A record longer than this (16 MiB) is refused: an unclosed quote would otherwise swallow the whole file into one cell. */
export const MAX_RECORD_BYTES = 1 << 24;

export type SyntaxProblem = 'unclosed' | 'opening' | 'closing' | 'long';

/** Broken CSV: `line` is the quote's (or for 'long', the record's first line); `record` counts the records before, the header included. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly problem: SyntaxProblem,
    readonly line: number,
    readonly record: number,
    readonly field: number,
  ) {
    super(`CSV syntax: ${problem} at line ${line}`);
  }
}

/** Where each record goes; its values are in the tokenizer's `numbers` and `texts`, by field, until the next record. */
export type RecordSink = (fields: number, line: number) => void;

const QUOTE = 0x22;
export const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const TAB = 0x09;

/** A delimiter byte, or 'auto': detected from the header line. */
export type Delimiter = number | 'auto';
const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const MINUS = 0x2d;
const PLUS = 0x2b;

/** Space, tab (unless it is the delimiter), vertical tab and form feed: trimmed around unquoted cells and beside quotes. */
function isBlank(byte: number, tabBlank: boolean): boolean {
  return byte === 0x20 || (byte === TAB && tabBlank) || byte === 0x0b || byte === 0x0c;
}

/**
 * The delimiter of a header line: the most frequent of comma, semicolon and
 * tab outside quotes, comma on a tie or if there is none (one column).
 */
export function detectDelimiter(line: Uint8Array): number {
  const counts = new Map([
    [COMMA, 0],
    [SEMICOLON, 0],
    [TAB, 0],
  ]);
  let quoted = false;
  for (const byte of line) {
    if (byte === QUOTE) quoted = !quoted;
    else if (!quoted && counts.has(byte)) counts.set(byte, counts.get(byte)! + 1);
  }
  let best = COMMA;
  for (const [byte, n] of counts) if (n > counts.get(best)!) best = byte;
  return best;
}

/** The end of the first line with anything on it (blank lines skipped), or -1 if the bytes end before it does. */
function firstLineEnd(buf: Uint8Array): number {
  let content = false;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b === LF || b === CR) {
      if (content) return i;
    } else if (b !== 0x20 && b !== TAB) {
      content = true;
    }
  }
  return -1;
}

/** Powers of ten a double holds exactly: a product or quotient of two exact doubles is rounded once, correctly. */
const EXACT_POWERS = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** Below 10^15 every integer of up to 15 digits is exact in a double. */
const MAX_FAST_DIGITS = 15;

export class CsvTokenizer {
  /** Each field's number (NaN where a NUMBER field is not one: its text is in `texts`). */
  numbers = new Float64Array(16);
  /** Each TEXT field's text, and a bad NUMBER field's. */
  texts: string[] = [];
  /** Records handed on so far, the header included. */
  records = 0;
  /** How each field is read; fields past its end are skipped. Until set, every field is text (the header). */
  private kinds: Uint8Array | undefined;
  /** The line the next unparsed byte is on. */
  private line = 1;
  /** Where a record cut by a chunk's end waits for the next chunk (work[0, held)), grown as needed and reused. */
  private work = Buffer.alloc(0);
  private held = 0;
  private started = false;
  /** The delimiter, once known; and whether a tab is trimmed as a blank (not when it is the delimiter). */
  private delimiter: number;
  private tabBlank: boolean;
  private detect: boolean;

  /** The fields are split at `delimiter` (a byte), or at the one detectDelimiter finds in the header line. */
  constructor(
    private readonly sink: RecordSink,
    delimiter: Delimiter = COMMA,
  ) {
    this.detect = delimiter === 'auto';
    this.delimiter = delimiter === 'auto' ? COMMA : delimiter;
    this.tabBlank = this.delimiter !== TAB;
  }

  /** The delimiter: given, or detected once the header line has been read. */
  get delimiterByte(): number {
    return this.delimiter;
  }

  /** From the next record on, read field k as `kinds[k]` (SKIP past the end). */
  setKinds(kinds: Uint8Array): void {
    this.kinds = kinds;
    if (this.numbers.length < kinds.length) this.numbers = new Float64Array(kinds.length);
  }

  /**
   * Parses the whole records in `chunk` (after what was held back), holding
   * back a copy of a record it cuts: the caller may reuse `chunk`.
   */
  write(chunk: Buffer): void {
    if (this.held === 0) {
      this.feed(chunk, false);
      return;
    }
    const length = this.held + chunk.length;
    if (this.work.length < length) {
      const larger = Buffer.allocUnsafe(Math.max(length, 2 * this.work.length));
      this.work.copy(larger, 0, 0, this.held);
      this.work = larger;
    }
    chunk.copy(this.work, this.held);
    this.feed(this.work.subarray(0, length), false);
  }

  /** The end of the file: the last record may lack its line break. */
  end(): void {
    this.feed(this.work.subarray(0, this.held), true);
  }

  private feed(bytes: Buffer, final: boolean): void {
    let buf = bytes;
    if (!this.started) {
      if (buf.length < 3 && !final) {
        this.hold(buf, 0);
        return;
      }
      this.started = true;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    if (this.detect) {
      const end = firstLineEnd(buf);
      if (end < 0 && !final) {
        this.hold(buf, 0);
        if (this.held > MAX_RECORD_BYTES) throw new CsvSyntaxError('long', this.line, this.records, 0);
        return;
      }
      this.detect = false;
      this.delimiter = detectDelimiter(buf.subarray(0, end < 0 ? buf.length : end));
      this.tabBlank = this.delimiter !== TAB;
    }
    let pos = 0;
    while (pos < buf.length) {
      const line = this.line;
      const next = this.record(buf, pos, final);
      if (next < 0) {
        this.line = line;
        break;
      }
      pos = next;
    }
    this.hold(buf, pos);
    if (this.held > MAX_RECORD_BYTES) throw new CsvSyntaxError('long', this.line, this.records, 0);
  }

  /** Keeps buf[from, end) for the next chunk, at the start of `work` (buf may be `work` itself: copy moves overlapping bytes safely). */
  private hold(buf: Buffer, from: number): void {
    this.held = buf.length - from;
    if (this.work.length < this.held) this.work = Buffer.allocUnsafe(Math.max(this.held, 2 * this.work.length));
    buf.copy(this.work, 0, from);
  }

  /** Parses the record (or blank line) at `pos`: the offset after it, or -1 if the bytes end inside it. */
  private record(buf: Buffer, start: number, final: boolean): number {
    const end = buf.length;
    const kinds = this.kinds;
    const delimiter = this.delimiter;
    const tabBlank = this.tabBlank;
    let pos = start;
    let field = 0;
    for (;;) {
      let s = pos;
      while (s < end && isBlank(buf[s], tabBlank)) s++;
      const kind = kinds === undefined ? TEXT : field < kinds.length ? kinds[field] : SKIP;
      let p: number;
      let blank = false;
      if (s < end && buf[s] === QUOTE) {
        let close = -1;
        let escaped = false;
        for (let from = s + 1; ; ) {
          const at = buf.indexOf(QUOTE, from);
          // The byte after a quote says whether it is doubled.
          if (at < 0 || (at + 1 === end && !final)) {
            if (!final) return -1;
            throw new CsvSyntaxError('unclosed', this.line, this.records, field);
          }
          if (buf[at + 1] === QUOTE) {
            escaped = true;
            from = at + 2;
            continue;
          }
          close = at;
          break;
        }
        const breaks = lineBreaks(buf, s + 1, close);
        p = close + 1;
        while (p < end && isBlank(buf[p], tabBlank)) p++;
        if (p === end && !final) return -1;
        if (p < end && buf[p] !== delimiter && buf[p] !== LF && buf[p] !== CR) {
          throw new CsvSyntaxError('closing', this.line + breaks, this.records, field);
        }
        this.line += breaks;
        if (kind !== SKIP) {
          const text = buf.toString('utf8', s + 1, close);
          this.store(kind, field, escaped ? text.replaceAll('""', '"') : text);
        }
      } else if (kind === NUMBER) {
        p = this.number(buf, s, field, final);
        if (p < 0) return -1;
        blank = field === 0 && p === s;
      } else {
        p = s;
        while (p < end) {
          const b = buf[p];
          if (b === delimiter || b === LF || b === CR) break;
          if (b === QUOTE) throw new CsvSyntaxError('opening', this.line, this.records, field);
          p++;
        }
        if (p === end && !final) return -1;
        let e = p;
        while (e > s && isBlank(buf[e - 1], tabBlank)) e--;
        blank = field === 0 && e === s;
        if (kind === TEXT) this.texts[field] = buf.toString('utf8', s, e).trim();
      }
      if (p < end && buf[p] === delimiter) {
        field++;
        pos = p + 1;
        continue;
      }
      let next = p;
      if (p < end) {
        if (buf[p] === CR) {
          if (p + 1 === end && !final) return -1;
          next = buf[p + 1] === LF ? p + 2 : p + 1;
        } else {
          next = p + 1;
        }
      }
      if (!blank) {
        this.records++;
        this.sink(field + 1, this.line);
      }
      if (p < end) this.line++;
      return next;
    }
  }

  private store(kind: number, field: number, text: string): void {
    if (kind === TEXT) {
      this.texts[field] = text;
      return;
    }
    const value = parseNumber(text);
    this.numbers[field] = value ?? NaN;
    if (value === undefined) this.texts[field] = text;
  }

  /**
   * The unquoted number field from `s` (past its leading blanks) into
   * numbers[field]: the offset of the byte that ends it (or the bytes' end),
   * or -1 if the bytes end inside it. Its digits are read as it is scanned,
   * when it has at most 15 significant ones and a power of ten up to 22
   * (Clinger's fast path: one correctly rounded product or quotient of
   * exact doubles, so the same double as Number() gives); any other field
   * goes through parseNumber.
   */
  private number(buf: Buffer, s: number, field: number, final: boolean): number {
    const end = buf.length;
    const delimiter = this.delimiter;
    const tabBlank = this.tabBlank;
    // A lone digit, the commonest cell of wide data (pixels, counts, flags).
    const digit = buf[s] - 48;
    if (digit >= 0 && digit <= 9 && s + 1 < end) {
      const after = buf[s + 1];
      if (after === delimiter || after === LF || after === CR) {
        this.numbers[field] = digit;
        return s + 1;
      }
    }
    let i = s;
    const negative = buf[i] === MINUS;
    if (negative || buf[i] === PLUS) i++;
    let mantissa = 0;
    let digits = 0;
    let scale = 0;
    let any = false;
    for (; i < end; i++) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) break;
      any = true;
      if (mantissa !== 0 || d !== 0) digits++;
      mantissa = mantissa * 10 + d;
    }
    if (i < end && buf[i] === DOT) {
      for (i++; i < end; i++) {
        const d = buf[i] - 48;
        if (d < 0 || d > 9) break;
        any = true;
        if (mantissa !== 0 || d !== 0) digits++;
        mantissa = mantissa * 10 + d;
        scale--;
      }
    }
    let exponentOk = true;
    if (i < end && (buf[i] | 0x20) === 0x65) {
      i++;
      const negativeExponent = buf[i] === MINUS;
      if (negativeExponent || buf[i] === PLUS) i++;
      let exponent = 0;
      let exponentDigits = 0;
      for (; i < end; i++) {
        const d = buf[i] - 48;
        if (d < 0 || d > 9) break;
        exponentDigits++;
        if (exponent < 1e6) exponent = exponent * 10 + d;
      }
      exponentOk = exponentDigits > 0;
      scale += negativeExponent ? -exponent : exponent;
    }
    let e = i;
    while (i < end && isBlank(buf[i], tabBlank)) i++;
    if (i === end ? !final : buf[i] !== delimiter && buf[i] !== LF && buf[i] !== CR) {
      // Not a plain number (or cut by the bytes' end): the field as text.
      for (; i < end; i++) {
        const b = buf[i];
        if (b === delimiter || b === LF || b === CR) break;
        if (b === QUOTE) throw new CsvSyntaxError('opening', this.line, this.records, field);
      }
      if (i === end && !final) return -1;
      e = i;
      while (e > s && isBlank(buf[e - 1], tabBlank)) e--;
      this.store(NUMBER, field, buf.toString('utf8', s, e).trim());
      return i;
    }
    if (any && exponentOk && digits <= MAX_FAST_DIGITS && (mantissa === 0 || (scale >= -22 && scale <= 22))) {
      const value = mantissa === 0 ? 0 : scale < 0 ? mantissa / EXACT_POWERS[-scale] : mantissa * EXACT_POWERS[scale];
      this.numbers[field] = negative ? -value : value;
    } else {
      this.store(NUMBER, field, buf.toString('utf8', s, e));
    }
    return i;
  }
}

/** Line breaks in bytes from..to: LF, CRLF and a lone CR each one. */
function lineBreaks(buf: Buffer, from: number, to: number): number {
  let breaks = 0;
  for (let i = from; i < to; i++) {
    const b = buf[i];
    if (b === LF) breaks++;
    else if (b === CR && buf[i + 1] !== LF) breaks++;
  }
  return breaks;
}
