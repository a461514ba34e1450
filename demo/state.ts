/**
 * The page's whole setup in the address's fragment (#dataset=circles&…), so
 * that a setup can be shared as a link and reloads as it was: the data
 * (dataset, seed, noise, training share), the inputs, the network (with its
 * regularisation and dropout), the training options and what the map
 * shows. A CSV is not in it: its rows would not fit in an address.
 */

/** Every field, as text; the order in which they appear in the address. */
export const STATE_KEYS = [
  'dataset',
  'seed',
  'noise',
  'trainShare',
  'inputs',
  'layers',
  'activation',
  'regularization',
  'regularizationRate',
  'dropout',
  'optimizer',
  'learningRate',
  'batchSize',
  'epochs',
  'backend',
  'paced',
  'showTest',
  'discretize',
] as const;

export type StateKey = (typeof STATE_KEYS)[number];
export type PageState = Partial<Record<StateKey, string>>;

export function encodeState(state: PageState): string {
  const params = new URLSearchParams();
  for (const key of STATE_KEYS) {
    const value = state[key];
    if (value !== undefined) params.set(key, value);
  }
  return params.toString();
}

/** The fields in a fragment (with or without its #); unknown ones are ignored. */
export function decodeState(fragment: string): PageState {
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  const state: PageState = {};
  for (const key of STATE_KEYS) {
    const value = params.get(key);
    if (value !== null) state[key] = value;
  }
  return state;
}
