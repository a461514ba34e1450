/**
 * The bytes of a CSV file checked as UTF-8 text on their way to the parser.
 * Decoding alone would turn invalid UTF-8 into U+FFFD, a class or column
 * name nobody wrote, and let a NUL byte (UTF-16 without a byte-order mark, or
 * a binary file) through as a character; both are refused, named by line and
 * byte. The line is counted only then, by reading the file again up to the
 * fault, so the common case pays for one isUtf8 scan of each chunk.
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import { inputPath } from './data-input.js';

/**
 * The check, a chunk at a time: next() gives the bytes that may go
 * on (the whole characters checked so far), and the fault found in the
 * chunk, if any, after those bytes.
 */
export class TextChecker {
  /** Bytes passed on before the current chunk. */
  private offset = 0;
  /** The start of a character split across chunks, held until its end arrives. */
  private carry = Buffer.alloc(0);

  constructor(
    private readonly file: string,
    private readonly what: string,
  ) {}

  next(chunk: Buffer): { body: Buffer; fault?: Error } {
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const start = this.offset - this.carry.length;
    if (
      start === 0 &&
      bytes.length >= 2 &&
      ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    ) {
      return {
        body: bytes.subarray(0, 0),
        fault: new Error(`${this.file}: cannot read ${this.what}: it is UTF-16; save it as UTF-8`),
      };
    }
    const whole = wholeCharacters(bytes);
    const body = bytes.subarray(0, whole);
    const nul = body.indexOf(0);
    const fault = nul >= 0 ? nul : isUtf8(body) ? -1 : firstInvalid(body);
    // The bytes before a fault go on first, so a fault in an earlier row (a bad cell) is the one reported.
    if (fault >= 0) return { body: body.subarray(0, fault), fault: this.fault(start + fault, body[fault]) };
    this.carry = Buffer.from(bytes.subarray(whole));
    this.offset = start + bytes.length;
    return { body };
  }

  /** The end of the file: a character cut off by it is a fault. */
  end(): Error | undefined {
    return this.carry.length > 0 ? this.fault(this.offset - this.carry.length, this.carry[0]) : undefined;
  }

  private fault(at: number, byte: number): Error {
    const where = `${this.file}: line ${lineAtByte(this.file, at)}, byte ${at + 1}`;
    return new Error(
      byte === 0
        ? `${where}: a NUL byte, which text never holds (is the file UTF-16 or binary?); save it as UTF-8`
        : `${where}: not valid UTF-8 (byte 0x${byte.toString(16).padStart(2, '0')}); save the file as UTF-8`,
    );
  }
}

/** How many bytes of `bytes` end on a character boundary: at most 3 trailing bytes of a started character are held back. */
function wholeCharacters(bytes: Buffer): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const byte = bytes[n - back];
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

/** The offset of the first byte that starts no valid UTF-8 sequence (RFC 3629: no overlongs, surrogates or values past U+10FFFF). */
export function firstInvalid(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    const [need, low, high] =
      b >= 0xc2 && b <= 0xdf
        ? [1, 0x80, 0xbf]
        : b === 0xe0
          ? [2, 0xa0, 0xbf]
          : b === 0xed
            ? [2, 0x80, 0x9f]
            : b >= 0xe1 && b <= 0xef
              ? [2, 0x80, 0xbf]
              : b === 0xf0
                ? [3, 0x90, 0xbf]
                : b === 0xf4
                  ? [3, 0x80, 0x8f]
                  : b >= 0xf1 && b <= 0xf3
                    ? [3, 0x80, 0xbf]
                    : [0, 0, 0];
    if (need === 0 || i + need >= bytes.length) return i;
    if (bytes[i + 1] < low || bytes[i + 1] > high) return i;
    for (let k = 2; k <= need; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return -1;
}

/** The 1-based line of byte `at` of `file`: LF, CRLF and a lone CR each end a line, as the CSV tokenizer counts them. */
export function lineAtByte(file: string, at: number): number {
  // Standard input's copy, for `-`.
  const fd = openSync(inputPath(file) ?? file, 'r');
  try {
    const buffer = Buffer.alloc(1 << 16);
    let line = 1;
    let previous = 0;
    for (let position = 0; position < at; ) {
      const read = readSync(fd, buffer, 0, Math.min(buffer.length, at - position), position);
      if (read === 0) break;
      for (let i = 0; i < read; i++) {
        const b = buffer[i];
        if (b === 0x0a ? previous !== 0x0d : b === 0x0d) line++;
        previous = b;
      }
      position += read;
    }
    return line;
  } finally {
    closeSync(fd);
  }
}
