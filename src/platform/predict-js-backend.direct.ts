/** The js forward backend itself, imported as any module is: source runs, and the chunk dist/wasmlp-predict-js.js. */
export { createJsForwardBackend } from '../backend/js-forward.js';
