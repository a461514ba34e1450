/**
 * Network.summary()'s table, in the layout Keras 2 and TensorFlow.js print
 * for a Sequential model: each layer's name and type, output shape and
 * parameter count, then the totals. Trailing spaces are trimmed.
 */

/** A row's columns end at these characters (Keras's 65-character line at 0.45, 0.85 and 1). */
const COLUMNS = [29, 55, 65];
const WIDTH = COLUMNS[COLUMNS.length - 1];

/** One row: each field cut or padded to its column, a space always before the next field (Keras's print_row). */
function row(fields: readonly string[]): string {
  let line = '';
  fields.forEach((field, i) => {
    if (i > 0) line = `${line.slice(0, -1)} `;
    line = (line + field).slice(0, COLUMNS[i]);
    line += ' '.repeat(COLUMNS[i] - line.length);
  });
  return line.trimEnd();
}

/**
 * The summary of a network with `inputs` features and these layers.
 *
 * @param inputs - Features per sample.
 * @param layers - Each dense layer's units, input side first, and the rate of a dropout entry after it if any (a row of its own, as Keras's Dropout layer).
 * @param normalized - Whether the inputs are normalised: a Normalization row first, its mean and variance
 * counted as non-trainable parameters.
 * @returns The table, lines joined by '\n'.
 */
export function summaryText(inputs: number, layers: readonly { units: number; dropout?: number }[], normalized: boolean): string {
  const rows: string[][] = [];
  let trainable = 0;
  let fixed = 0;
  if (normalized) {
    rows.push(['normalization (Normalization)', `(None, ${inputs})`, String(2 * inputs)]);
    fixed += 2 * inputs;
  }
  let fanIn = inputs;
  let dropouts = 0;
  layers.forEach(({ units, dropout }, i) => {
    const parameters = (fanIn + 1) * units;
    rows.push([`${i === 0 ? 'dense' : `dense_${i}`} (Dense)`, `(None, ${units})`, String(parameters)]);
    if (dropout !== undefined) rows.push([`dropout${dropouts++ ? `_${dropouts - 1}` : ''} (Dropout)`, `(None, ${units})`, '0']);
    trainable += parameters;
    fanIn = units;
  });
  const thin = '_'.repeat(WIDTH);
  return [
    thin,
    row(['Layer (type)', 'Output Shape', 'Param #']),
    '='.repeat(WIDTH),
    rows.map((fields) => row(fields)).join(`\n${thin}\n`),
    '='.repeat(WIDTH),
    `Total params: ${trainable + fixed}`,
    `Trainable params: ${trainable}`,
    `Non-trainable params: ${fixed}`,
    thin,
  ].join('\n');
}
