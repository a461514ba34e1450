// The application's entry, for each bundler: runs the experiment on the page
// and leaves its results in window.bundlerResults.
import { run } from './experiment.js';

run([1, 2]).then(
  (results) => {
    window.bundlerResults = { crossOriginIsolated: self.crossOriginIsolated, ...results };
  },
  (error) => {
    window.bundlerResults = { error: String(error?.stack || error) };
  },
);
