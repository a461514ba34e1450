/**
 * A saved network's JSON text, read with limits: JSON.parse would build
 * whatever a text describes (a few bytes of brackets nest a million deep),
 * so the text's size and nesting are measured first, in one cheap pass.
 */
import { clip } from './checks.js';

/** Characters a model text may have: about 20 million float32 weights as JSON. */
export const MAX_MODEL_TEXT = 2 ** 28;
/** Nesting a model text may have; a saved network nests 5 deep (6 with a shaped b). */
export const MAX_MODEL_DEPTH = 64;

/**
 * Parses a model text (a UTF-8 byte-order mark at its start allowed) after
 * checking its size and nesting; `where` (loadNetwork, loadPredictor) starts
 * every message.
 */
export function parseModelText(text: string, where = 'loadNetwork'): unknown {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // editors on Windows write one
  if (text.length > MAX_MODEL_TEXT) {
    throw new Error(
      `${where}: the text has ${text.length} characters, more than a model text may have (${MAX_MODEL_TEXT}); pass the object instead`,
    );
  }
  const depth = nestingBeyond(text, MAX_MODEL_DEPTH);
  if (depth >= 0)
    throw new Error(
      `${where}: the text nests deeper than ${MAX_MODEL_DEPTH} levels (at character ${depth}); it is not a saved network`,
    );
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: the text is not JSON (${clip((error as Error).message)})`);
  }
}

/** The index where brackets outside strings first nest deeper than `limit`, or -1 (the command line's model files use it too). */
export function nestingBeyond(text: string, limit: number): number {
  let depth = 0,
    inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash: skip what it escapes
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}
