/**
 * The wasmlp playground: choose data, its inputs and a network, train it in
 * a Web Worker, and watch the loss, the accuracy, the decision boundary and
 * each hidden unit as it learns; switch backends to compare their speed.
 * The whole setup is kept in the address, to share.
 */
import type { ActivationName, BackendName, EpochLogs, FloatArray } from 'wasmlp';
import { BoundaryMap, CLASS_COLORS } from './boundary.js';
import { Curves } from './charts.js';
import { Controls, type DatasetOption } from './controls.js';
import { type CsvColumns, type CsvTable, csvDataset, defaultColumns, type LabelReason, readCsv } from './csv.js';
import { type BuiltInName, builtIn, type Dataset, DEFAULT_SEED, split } from './datasets.js';
import { formatCount, formatLoss, formatRate } from './format.js';
import { type FeatureId, inputMatrix, PLAIN } from './inputs.js';
import { learningRateFor, notebookWeights, outputFor, PRESETS, parseLayers, resolvePreset } from './model.js';
import { NeuronMaps, notDrawn } from './neurons.js';
import { isFlat, isPenalised, type Regularization, STARTING_PENALTY_RATE } from './regularization.js';
import { decodeState, encodeState } from './state.js';
import { type RunResult, Trainer } from './trainer.js';

const $ = (id: string) => document.getElementById(id)!;

const BUILT_IN: BuiltInName[] = ['blobs', 'xor', 'circles', 'spiral', 'plane', 'bump'];
/** A penalised run at least this long that ends predicting the same everywhere is said to be flattened by it. */
const FLAT_AFTER_EPOCHS = 10;
/** Charts and numbers are redrawn at most this often while training. */
const FRAME_INTERVAL_MS = 100;

const controls = new Controls();
const map = new BoundaryMap($('boundary') as HTMLCanvasElement);
const curves = new Curves($('loss-chart') as HTMLCanvasElement, $('acc-chart') as HTMLCanvasElement);
const neurons = new NeuronMaps($('units'), $('units-note'));
const status = $('status');

let datasetName = 'blobs';
/** The points drawn: from this seed (Regenerate draws the next), jittered by the Noise slider. */
let seed = DEFAULT_SEED;
/** The points that train, and those held out to test on (none when all train). */
let data: Dataset = builtIn('blobs');
let testData: Dataset | undefined;
/** The inputs of the network that is training or trained: the map's grid is computed into them. */
let runFeatures: readonly FeatureId[] = PLAIN;
let runActivation: ActivationName = 'sigmoid';
/** The last CSV loaded: its table, the columns chosen from it (and why its label), and the dataset they make. */
let csv: { table: CsvTable; columns: CsvColumns; reason: LabelReason; data: Dataset } | undefined;
const speeds: Partial<Record<BackendName, number>> = {};

let latest: { epoch: number; logs: EpochLogs; rate: number } | undefined;
/** The network's latest predictions over the map's grid (none since a reset). */
let mapOutputs: FloatArray | undefined;
let frameRequested = false;
let lastFrame = 0;

const trainer = new Trainer(() => inputMatrix(map.grid(), runFeatures), {
  epoch: (epoch, logs, rate) => {
    latest = { epoch, logs, rate };
    curves.push(epoch, logs);
    requestFrame();
  },
  map: (outputs) => {
    mapOutputs = outputs;
    map.setPredictions(outputs, data.classCount);
  },
  weights: (weights) => neurons.show({ weights, features: runFeatures, activation: runActivation, bounds: map.plane }),
});

function requestFrame(): void {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => {
    frameRequested = false;
    if (performance.now() - lastFrame < FRAME_INTERVAL_MS) {
      requestFrame();
      return;
    }
    lastFrame = performance.now();
    if (latest) showStats(latest.epoch, latest.logs.loss, latest.logs.acc, latest.rate);
    curves.refresh();
  });
}

function showStats(epoch: number, loss: number | undefined, acc: number | undefined, rate: number | undefined): void {
  $('epoch').textContent = formatCount(epoch);
  $('loss').textContent = loss === undefined ? '–' : formatLoss(loss);
  $('acc').textContent = acc === undefined ? '–' : acc.toFixed(3);
  $('rate').textContent = rate === undefined ? '–' : formatRate(rate);
}

function showSpeeds(): void {
  const fastest = Math.max(0, ...Object.values(speeds));
  for (const backend of ['wasm', 'js'] as const) {
    const rate = speeds[backend];
    $(`speed-${backend}`).textContent = rate === undefined ? '–' : formatRate(rate);
    // A sliver at least: a slow backend's bar next to a fast one's is still there.
    ($(`bar-${backend}`) as HTMLElement).style.width =
      rate === undefined || !(fastest > 0) ? '0' : `max(2px, ${(100 * rate) / fastest}%)`;
  }
}

function setState(state: 'idle' | 'training' | 'done' | 'stopped' | 'error'): void {
  status.dataset.state = state;
}

function datasetOptions(): DatasetOption[] {
  const options: DatasetOption[] = BUILT_IN.map((name) => {
    const { label, classCount } = builtIn(name);
    const output = outputFor(classCount);
    return { value: name, label, unavailable: 'unavailable' in output ? output.unavailable : undefined };
  });
  options.push(
    csv
      ? { value: 'csv', label: `CSV: ${csv.data.label}` }
      : { value: 'csv', label: 'CSV (drop a file)', unavailable: 'Drop a CSV file on the page first' },
  );
  return options;
}

/**
 * The note under the network settings, in plain words; each phrase's
 * technical name is its tooltip.
 */
function describeNetwork(): void {
  const output = outputFor(data.classCount);
  if ('unavailable' in output) {
    controls.showOutput([output.unavailable]);
    return;
  }
  const units = output.layer.units;
  const technical = `${units} ${output.layer.activation} unit${units > 1 ? 's' : ''}; loss ${output.loss}`;
  const predicts =
    data.classCount === 0
      ? 'a value per point (-1 blue, 1 orange)'
      : data.classCount === 2
        ? `the probability of ${data.classNames[1]}`
        : `a probability for each of the ${data.classCount} classes`;
  try {
    // Not controls.read(): that marks and focuses a bad field, which only Train should do.
    const network = { hidden: parseLayers(controls.layers.value), activation: controls.activation.value as ActivationName };
    // Said in so many words, as blank and "none" are easy to type without meaning it.
    if (network.hidden.length === 0) {
      // Dropout follows hidden layers: with none, its rate acts on nothing. Said tersely: the note has three lines.
      const dropout = controls.regularization.dropout > 0;
      controls.showOutput([
        dropout ? 'No hidden layer, no dropout: ' : 'No hidden layer: ',
        data.classCount === 0
          ? { text: 'a plane over the points', title: `Linear regression: ${technical}` }
          : {
              text: `straight boundaries between ${dropout ? '' : 'the '}classes`,
              title: `Logistic regression: ${technical}`,
            },
        ', then ',
        { text: predicts, title: technical },
        '.',
      ]);
      return;
    }
    const start = notebookWeights({ ...network, features: controls.features }, isNotebookData())
      ? {
          text: "Starts from the original example's weights.",
          title: "The seed notebook's initial weights (data/seed-numpy.json)",
        }
      : { text: 'Starts from the same random weights each time.', title: 'Glorot-uniform initial weights, seed 1' };
    controls.showOutput(['Output: ', { text: predicts, title: technical }, '. ', start]);
  } catch {
    // A half-typed field: the message appears when Train is pressed.
    controls.showOutput(['Output: ', { text: predicts, title: technical }, '.']);
  }
}

function showLegend(): void {
  // A regression's values run from blue (-1) through white to orange (1), as the map shows them.
  const names = data.targets ? ['−1', '+1'] : data.classNames;
  $('legend').replaceChildren(
    ...names.map((name, k) => {
      const item = document.createElement('span');
      item.textContent = name;
      item.style.setProperty('--swatch', CLASS_COLORS[k % CLASS_COLORS.length]);
      return item;
    }),
  );
}

/** The last reset, which Train waits for: a reset finishing late must not clear a new run's charts. */
let resetting: Promise<void> = Promise.resolve();
/**
 * Resets asked for so far. A run whose network was reset during it (by
 * Reset, or by new data: a CSV dropped on the page) shows nothing of its
 * end: not its numbers over the cleared ones, nor its speed under new data.
 */
let resets = 0;

/**
 * The curves shown are of a network that is gone (it diverged): the next
 * run clears them as it starts.
 */
let curvesOfOldNetwork = false;

/**
 * A new network on the next Train: charts, numbers and map cleared. Speeds
 * are kept only across a change of backend: they compare like with like.
 * `keepCurves`: the curves stay until the next run (they show why the
 * network was reset).
 */
function reset(keepSpeeds = false, keepCurves = false): Promise<void> {
  resets++;
  resetting = resetting.then(async () => {
    if (!keepSpeeds) {
      for (const backend of Object.keys(speeds) as BackendName[]) delete speeds[backend];
      showSpeeds();
    }
    await trainer.reset();
    latest = undefined;
    mapOutputs = undefined;
    if (keepCurves) curvesOfOldNetwork = true;
    else {
      curves.clear();
      curvesOfOldNetwork = false;
    }
    map.clearMap();
    neurons.clear();
    showStats(0, undefined, undefined, undefined);
    controls.showRunStatus('');
    setState('idle');
    describeNetwork();
  });
  return resetting;
}

/** The seed notebook's blobs as the notebook had them: all training, no noise. */
function isNotebookData(): boolean {
  return datasetName === 'blobs' && noise() === 0 && trainShare() === 1;
}

const noise = () => Number(controls.noise.value) / 100;
const trainShare = () => Number(controls.trainShare.value) / 100;

/**
 * Draws the dataset chosen (with the seed and noise), splits it into
 * training and test points, and shows them; the next Train starts a new
 * network on them.
 */
function showData(): Promise<void> {
  const all = datasetName === 'csv' && csv ? csv.data : builtIn(datasetName as BuiltInName, { seed, noise: noise() });
  ({ train: data, test: testData } = split(all, trainShare(), seed));
  map.setData(data, testData);
  showLegend();
  return reset();
}

/** Whether the learning rate was typed since the last preset: a new optimiser then keeps it. */
let rateTyped = false;

async function chooseDataset(name: string): Promise<void> {
  datasetName = name;
  controls.apply(resolvePreset(PRESETS[name as BuiltInName | 'csv']));
  rateTyped = false;
  // Column menus only when there is a choice beyond "two features and a label".
  const table = name === 'csv' ? csv?.table : undefined;
  controls.showColumns(table && table.columns.length > 3 ? table.columns : undefined, csv?.columns);
  enableDataOptions();
  await showData();
}

/** A CSV's points are as the file has them: no noise to add, none to draw anew. */
function enableDataOptions(): void {
  controls.noise.disabled = controls.regenerate.disabled = datasetName === 'csv';
}

/** Train, or (`step`) Step: one epoch at full speed. */
async function train(step = false): Promise<void> {
  let settings: ReturnType<typeof controls.read> | undefined;
  try {
    settings = controls.read();
  } catch (error) {
    controls.showMessage((error as Error).message);
    return;
  }
  if (step) settings = { ...settings, epochs: 1, paced: false };
  runFeatures = settings.features;
  runActivation = settings.activation;
  controls.showMessage(undefined);
  controls.setTraining(true);
  setState('training'); // at once, so that no one reads the last run's state as this one's
  controls.showRunStatus('Training…');
  await resetting;
  if (curvesOfOldNetwork) {
    curves.clear();
    curvesOfOldNetwork = false;
  }
  setState('training'); // again, if a reset ended in between
  const network = resets;
  try {
    const unitsNote = notDrawn(settings.hidden, settings.activation);
    if (unitsNote) neurons.clear(unitsNote);
    const result = await trainer.train(settings, data, testData, isNotebookData(), !unitsNote);
    latest = undefined; // a frame still pending must not overwrite the final numbers
    if (network !== resets) return; // the reset shows the page as it leaves it
    if (result.runEpochs > 0) {
      showStats(result.epochs, result.loss, result.acc, result.rate);
      // A paced run's speed is the pace: only full speed compares the backends.
      if (!settings.paced && !step) {
        speeds[settings.backend] = result.rate;
        showSpeeds();
      }
    }
    curves.refresh();
    setState(result.stopped ? 'stopped' : 'done');
    showRunEnd(result, settings.regularization);
  } catch (error) {
    // A diverged network is no use to continue from: the next Train starts a
    // new one, so its numbers and map go (a NaN map would be drawn blank).
    // Its curves stay until then: they show how it diverged.
    await reset(true, true);
    controls.showMessage(trainingError(error as Error, settings.regularization));
    setState('error');
  } finally {
    controls.setTraining(false);
    enableDataOptions();
  }
}

/**
 * How the run ended, under the numbers: read out to a screen reader with
 * the numbers (the numbers themselves change every frame, and are not).
 * A run whose loss did not go down gets a hint: no error stops it; so
 * does one whose penalty left it predicting the same for every point.
 */
function showRunEnd(result: RunResult, regularization: Regularization): void {
  const { epochs, target, loss, acc, rate, firstLoss, lastLoss } = result;
  const { testLoss, testAcc } = result;
  const tested =
    testLoss === undefined
      ? ''
      : ` Test points: loss ${formatLoss(testLoss)}${testAcc === undefined ? '' : `, accuracy ${testAcc.toFixed(3)}`}.`;
  const ended =
    (result.stopped
      ? `Stopped at epoch ${formatCount(epochs)} of ${formatCount(target)}.`
      : `Finished at epoch ${formatCount(epochs)}.`) + tested;
  const numbers = [
    loss === undefined ? '' : `Loss ${formatLoss(loss)}`,
    acc === undefined ? '' : `accuracy ${acc.toFixed(3)}`,
    result.runEpochs > 0 ? `${formatRate(rate)} epochs per second${result.paced ? ' in slow motion' : ''}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  controls.showRunStatus(ended, numbers && `${numbers}.`);
  if (!result.stopped && result.runEpochs >= 2 && firstLoss !== undefined && lastLoss !== undefined && !(lastLoss < firstLoss)) {
    controls.showMessage(
      `The loss did not go down (${formatLoss(firstLoss)} after this run's first epoch, ${formatLoss(lastLoss)} after its last): the learning rate may be too large (or too small)${isPenalised(regularization) ? ', or the regularisation rate too large' : ''}.`,
      'info',
    );
  } else if (
    !result.stopped &&
    // A few epochs in, a network may still be flat from its start, whatever the penalty.
    result.runEpochs >= FLAT_AFTER_EPOCHS &&
    isPenalised(regularization) &&
    mapOutputs &&
    // One output for two classes (or a value), one per class for more.
    isFlat(mapOutputs, data.classCount > 2 ? data.classCount : 1)
  ) {
    controls.showMessage(
      'The network gives every point the same prediction: the penalty shrank its weights to almost nothing. Try a smaller regularisation rate.',
      'info',
    );
  }
}

/** Stop (or a reset, or a new CSV, during a run): heard at once, though the run ends after the worker's current epoch. */
function stop(): void {
  if (!trainer.isRunning) return;
  trainer.stop();
  controls.setStopping();
}

/**
 * fit's message in the page's words (with advice if it has none), and what
 * happens next. fit's advice names the option (learningRate), and offers
 * standardised inputs and targets: this page's are standardised already
 * (a CSV's features) or within [-1, 1]. A penalty at a large rate pulls
 * the weights as hard as the loss does, and can make a run diverge too.
 */
function trainingError(error: Error, regularization: Regularization): string {
  const penalised = isPenalised(regularization);
  const text = error.message
    .replace(/^fit: /, '')
    .replace(/\.$/, '')
    // fit put the weights back; the page starts a new network anyway, and says so below.
    .replace(/; the weights are as they were before epoch \d+$/, '')
    .replace(
      /\blearningRate \(([^)]*)\)/g,
      `learning rate than $1${penalised ? `, or a smaller regularisation rate than ${regularization.rate}` : ''}`,
    )
    .replace(/\blearningRate\b/g, 'learning rate')
    .replace(/,? or standardised inputs( \(and targets, for a regression\))?/, '');
  const advice =
    /diverged/.test(text) && !/learning ?rate/i.test(text)
      ? ` Try a smaller learning rate${penalised ? ' or regularisation rate' : ''}.`
      : '';
  return `Training stopped: ${text}.${advice} The network was reset: Train starts a new one.`;
}

/** The CSV's dataset on `columns`; throws a message if it cannot be trained here. */
function csvData(table: CsvTable, columns: CsvColumns): Dataset {
  const dataset = csvDataset(table, columns);
  const output = outputFor(dataset.classCount);
  if ('unavailable' in output) throw new Error(`${table.name}: ${output.unavailable}`);
  return dataset;
}

function showCsvSummary(): void {
  if (!csv) return;
  const {
    table,
    columns,
    reason,
    data: { x, classCount, classNames },
  } = csv;
  const [xName, yName, labelName] = [table.columns[columns.x], table.columns[columns.y], table.columns[columns.label]];
  const why = reason === 'chosen' ? '' : ` (${reason}${table.columns.length > 3 ? '; the Label menu changes it' : ''})`;
  controls.showMessage(
    `${table.name}: ${x.length} rows, ${classCount} classes (${classNames.join(', ')}); features ${xName}, ${yName} standardised; label ${labelName}${why}.`,
    'info',
  );
}

async function loadCsv(file: File): Promise<void> {
  try {
    const table = readCsv(file.name, await file.text());
    const { columns, reason } = defaultColumns(table);
    const dataset = csvData(table, columns);
    stop();
    csv = { table, columns, reason, data: dataset };
    controls.setDatasets(datasetOptions(), 'csv');
    await chooseDataset('csv');
    showCsvSummary();
  } catch (error) {
    controls.showMessage((error as Error).message);
  }
}

/**
 * A column menu changed: the CSV's dataset on the new columns. Choosing a
 * column another menu has swaps the two; a choice that makes no dataset is
 * refused with the message, and the menus go back.
 */
function chooseColumn(role: keyof CsvColumns): void {
  if (!csv) return;
  const chosen = controls.readColumns();
  const other = (['x', 'y', 'label'] as const).find((r) => r !== role && chosen[r] === chosen[role]);
  if (other) chosen[other] = csv.columns[role];
  try {
    csv = { ...csv, columns: chosen, reason: 'chosen', data: csvData(csv.table, chosen) };
    controls.showColumns(csv.table.columns, chosen);
    void showData();
    showCsvSummary();
  } catch (error) {
    controls.showColumns(csv.table.columns, csv.columns);
    controls.showMessage((error as Error).message);
  }
}

// ---- wiring ----

controls.setDatasets(datasetOptions(), datasetName);
controls.form.addEventListener('submit', (event) => {
  event.preventDefault();
  void train();
});
controls.step.addEventListener('click', () => void train(true));
controls.stop.addEventListener('click', () => {
  if (!controls.isStopping) stop();
});
controls.reset.addEventListener('click', () => {
  controls.showMessage(undefined);
  stop();
  void reset(true);
});
controls.dataset.addEventListener('change', () => {
  controls.showMessage(undefined);
  void chooseDataset(controls.dataset.value);
});
// The data: drawn anew (a new network on it), or drawn differently (the same network).
controls.regenerate.addEventListener('click', () => {
  seed++;
  void showData();
});
for (const range of [controls.noise, controls.trainShare]) range.addEventListener('change', () => void showData());
controls.showTest.addEventListener('change', () => map.setShowTest(controls.showTest.checked));
controls.discretize.addEventListener('change', () => map.setDiscretize(controls.discretize.checked));
for (const input of controls.inputs) input.addEventListener('change', () => void reset());
controls.learningRate.addEventListener('input', () => {
  rateTyped = true;
});
controls.optimizer.addEventListener('change', () => {
  if (!rateTyped)
    controls.learningRate.value = String(learningRateFor(controls.optimizer.value, PRESETS[datasetName as BuiltInName | 'csv']));
});
for (const role of ['x', 'y', 'label'] as const) controls.columns[role].addEventListener('change', () => chooseColumn(role));
// These define the network: changing one means a new one. The rest are fit() options, read at each Train.
for (const input of [controls.layers, controls.activation, controls.penalty, controls.penaltyRate, controls.dropout])
  input.addEventListener('change', () => void reset());
// A penalty at a rate of 0 is none: choosing one starts it at a rate that shows.
controls.penalty.addEventListener('change', () => {
  if (controls.penalty.value !== 'none' && controls.penaltyRate.value === '0')
    controls.penaltyRate.value = String(STARTING_PENALTY_RATE);
});
for (const radio of controls.form.querySelectorAll('input[name="backend"]'))
  radio.addEventListener('change', () => void reset(true));

const drop = $('drop');
const file = $('file') as HTMLInputElement;
$('browse').addEventListener('click', () => file.click());
file.addEventListener('change', () => {
  if (file.files?.[0]) void loadCsv(file.files[0]);
  file.value = '';
});
let dragDepth = 0;
document.addEventListener('dragenter', (event) => {
  event.preventDefault();
  dragDepth++;
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', () => {
  if (--dragDepth <= 0) {
    dragDepth = 0;
    document.body.classList.remove('dragging');
  }
});
document.addEventListener('dragover', (event) => event.preventDefault());
document.addEventListener('drop', (event) => {
  event.preventDefault();
  dragDepth = 0;
  document.body.classList.remove('dragging');
  const dropped = event.dataTransfer?.files[0];
  if (dropped) void loadCsv(dropped);
});
drop.addEventListener('keydown', (event) => {
  // The zone's own keys only: on "choose a file" inside it, the button's click opens the picker.
  if (event.target !== drop || (event.key !== 'Enter' && event.key !== ' ')) return;
  event.preventDefault(); // Space would scroll the page too
  file.click();
});

/**
 * For the tests (?test only): the long-run test feeds the charts a million
 * epochs without training them; others read the network as the worker has
 * it, and the loss curve.
 */
if (new URLSearchParams(location.search).has('test')) {
  (window as unknown as { playground: unknown }).playground = {
    /** The worker's network: its layers as checked there, its summary and its weights; undefined before a run. */
    async network() {
      const net = trainer.network;
      return net && { layers: net.layers, summary: net.summary(), weights: await net.getWeights() };
    },
    lossCurve: () => curves.lossCurve,
    pushEpochs(from: number, count: number) {
      for (let epoch = from; epoch < from + count; epoch++) {
        curves.push(epoch, { loss: 1 / Math.sqrt(epoch) + 0.01 * Math.sin(epoch), acc: 1 - 0.5 / Math.sqrt(epoch) });
      }
      requestFrame();
    },
    /** Milliseconds one redraw of both charts takes: the least of 20 (the others' excess is other work's). */
    refreshTime() {
      let least = Infinity;
      for (let i = 0; i < 20; i++) {
        const started = performance.now();
        curves.refresh(true);
        least = Math.min(least, performance.now() - started);
      }
      return least;
    },
  };
}

/** Writes the setup into the address, replacing the last (a setup is not a step to go Back to). */
function saveState(): void {
  const state = { dataset: datasetName, seed: String(seed), ...controls.state() };
  history.replaceState(null, '', `#${encodeState(state)}`);
}
for (const event of ['change', 'input', 'click']) document.addEventListener(event, () => queueMicrotask(saveState));

/** The setup in the address, if there is one: the dataset and its preset first, then every field as it was. */
async function restoreState(): Promise<void> {
  const state = decodeState(location.hash);
  const named = state.dataset ?? 'blobs';
  const dataset = BUILT_IN.includes(named as BuiltInName) ? named : 'blobs';
  if (state.seed !== undefined && Number.isSafeInteger(Number(state.seed))) seed = Number(state.seed);
  controls.restore({ noise: state.noise, trainShare: state.trainShare, inputs: state.inputs });
  controls.setDatasets(datasetOptions(), dataset);
  await chooseDataset(dataset);
  controls.restore(state);
  map.setShowTest(controls.showTest.checked);
  map.setDiscretize(controls.discretize.checked);
  // A rate other than the one the optimiser would be given counts as typed.
  rateTyped =
    state.learningRate !== undefined &&
    Number(state.learningRate) !== learningRateFor(controls.optimizer.value, PRESETS[dataset as BuiltInName]);
  await reset(); // the network as restored, described
  if (named === 'csv') controls.showMessage("A CSV's rows are not in the address: drop the file on the page again.", 'info');
  saveState();
}

// Tests wait for this before they press anything.
void restoreState().then(() => {
  document.documentElement.dataset.ready = '';
});
