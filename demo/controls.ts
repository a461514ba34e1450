/**
 * The settings form: its menus filled from what the library offers, read
 * into checked Settings (a bad field is marked and named in the message),
 * and written back from a dataset's preset. Also the message above the map,
 * and the CSV column menus (label first).
 */
import { type BackendName, OPTIMIZER_NAMES } from 'wasmlp';
import type { CsvColumns } from './csv.js';
import { FEATURES, type FeatureId, PLAIN } from './inputs.js';
import { HIDDEN_ACTIVATIONS, parseLayers, type Settings } from './model.js';
import { DROPOUT_RATES, PENALTIES, PENALTY_RATES, type Penalty, type Regularization } from './regularization.js';
import type { PageState } from './state.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** What each optimiser does, in plain words, for its option's tooltip. */
const OPTIMIZER_WORDS: Partial<Record<string, string>> = {
  sgd: 'Stochastic gradient descent: every weight steps downhill by the learning rate times its gradient',
  adam: 'Adam: steps scaled for each weight by its recent gradients; its learning rate is about the size of a step',
  rmsprop: "RMSprop: steps divided by a running average of each weight's recent gradient sizes",
  adagrad: "Adagrad: steps divided by the total of each weight's past gradient sizes, so they shrink as training goes on",
  adamw: 'AdamW: Adam that also shrinks every weight a little at each step (weight decay)',
};

export interface DatasetOption {
  value: string;
  label: string;
  /** Why it cannot be chosen, if it cannot. */
  unavailable?: string;
}

export class Controls {
  readonly form = $<HTMLFormElement>('controls');
  readonly dataset = $<HTMLSelectElement>('dataset');
  readonly layers = $<HTMLInputElement>('layers');
  readonly activation = $<HTMLSelectElement>('activation');
  readonly dropout = $<HTMLSelectElement>('dropout');
  readonly penalty = $<HTMLSelectElement>('regularization');
  readonly penaltyRate = $<HTMLSelectElement>('regularization-rate');
  readonly optimizer = $<HTMLSelectElement>('optimizer');
  readonly learningRate = $<HTMLInputElement>('learning-rate');
  readonly batchSize = $<HTMLInputElement>('batch-size');
  readonly epochs = $<HTMLInputElement>('epochs');
  readonly paced = $<HTMLInputElement>('paced');
  readonly train = $<HTMLButtonElement>('train');
  readonly step = $<HTMLButtonElement>('step');
  readonly stop = $<HTMLButtonElement>('stop');
  readonly reset = $<HTMLButtonElement>('reset');
  /** A CSV's columns: the two features (the map's axes) and the label. */
  readonly columns = {
    x: $<HTMLSelectElement>('column-x'),
    y: $<HTMLSelectElement>('column-y'),
    label: $<HTMLSelectElement>('column-label'),
  };
  /** Under the map: the inputs computed from each point, and how the data is drawn and split. */
  readonly inputs: HTMLInputElement[];
  readonly noise = $<HTMLInputElement>('noise');
  readonly trainShare = $<HTMLInputElement>('train-share');
  readonly showTest = $<HTMLInputElement>('show-test');
  readonly discretize = $<HTMLInputElement>('discretize');
  readonly regenerate = $<HTMLButtonElement>('regenerate');
  private readonly columnsRow = $<HTMLDivElement>('columns');
  private readonly message = $<HTMLDivElement>('message');
  private readonly messageText = $<HTMLParagraphElement>('message-text');
  private readonly output = $<HTMLParagraphElement>('output');
  private readonly runStatus = $<HTMLParagraphElement>('run-status');

  constructor() {
    fill(
      this.activation,
      HIDDEN_ACTIVATIONS.map((name) => ({ value: name, label: name })),
    );
    fill(
      this.optimizer,
      OPTIMIZER_NAMES.map((name) => ({ value: name, label: name, title: OPTIMIZER_WORDS[name] })),
    );
    fill(this.penalty, PENALTIES);
    fill(
      this.penaltyRate,
      PENALTY_RATES.map((rate) => ({ value: String(rate), label: String(rate) })),
    );
    fill(
      this.dropout,
      DROPOUT_RATES.map((rate) => ({ value: String(rate), label: String(rate) })),
    );
    this.inputs = FEATURES.map(({ id, label, title }) => {
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.value = id;
      input.checked = PLAIN.includes(id);
      const chip = document.createElement('label');
      chip.title = title;
      chip.append(input, label);
      $('inputs').append(chip);
      return input;
    });
    for (const [range, shown] of [
      [this.noise, 'noise-value'],
      [this.trainShare, 'train-share-value'],
    ] as const) {
      range.addEventListener('input', () => {
        $(shown).textContent = `${range.value}%`;
      });
    }
    $('message-close').addEventListener('click', () => this.showMessage(undefined));
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !this.message.hidden) this.showMessage(undefined);
    });
    // A field marked bad is unmarked as it is edited: the mark is for the value Train refused.
    for (const input of this.checkedFields) input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
  }

  /** The fields read() checks (and marks). */
  private get checkedFields(): HTMLInputElement[] {
    return [this.layers, this.learningRate, this.batchSize, this.epochs, this.inputs[0]];
  }

  setDatasets(options: DatasetOption[], selected: string): void {
    fill(this.dataset, options);
    this.dataset.value = selected;
  }

  /** The inputs checked, in their order. */
  get features(): FeatureId[] {
    return this.inputs.filter((input) => input.checked).map((input) => input.value as FeatureId);
  }

  setFeatures(ids: readonly string[]): void {
    for (const input of this.inputs) input.checked = ids.includes(input.value);
  }

  /** Sets a range and the percentage shown beside it. */
  setRange(range: HTMLInputElement, percent: number): void {
    range.value = String(percent);
    range.dispatchEvent(new Event('input'));
  }

  get backend(): BackendName {
    return (this.form.elements.namedItem('backend') as RadioNodeList).value as BackendName;
  }

  /**
   * The settings, checked; throws naming the first bad field (and marks it,
   * and only it). Every value comes here: the form has novalidate, so the
   * browser's own checks, whose tooltips would contradict these messages,
   * never run first.
   */
  read(): Settings {
    for (const input of this.checkedFields) input.removeAttribute('aria-invalid');
    const hidden = this.checked(this.layers, () => parseLayers(this.layers.value));
    const learningRate = this.checked(this.learningRate, () => {
      const value = numberIn(this.learningRate);
      // The networks here are float32, where the library refuses a rate that would round to 0, a subnormal or Infinity.
      if (!(value >= 1e-37 && value <= 1e38))
        throw new Error('Learning rate: a positive number from 1e-37 to 1e38, such as 0.01');
      return value;
    });
    const batchSize = this.checked(this.batchSize, () => {
      // Blank is all the rows; text the field cannot read as a number is not blank.
      if (this.batchSize.value.trim() === '' && !this.batchSize.validity.badInput) return undefined;
      const value = numberIn(this.batchSize);
      if (!Number.isSafeInteger(value) || value < 1)
        throw new Error('Batch size: a positive whole number of rows, such as 32, or blank for all of them');
      return value;
    });
    const epochs = this.checked(this.epochs, () => {
      const value = numberIn(this.epochs);
      if (!Number.isInteger(value) || value < 1 || value > 1_000_000)
        throw new Error('Epochs: a positive whole number, up to 1,000,000');
      return value;
    });
    const features = this.checked(this.inputs[0], () => {
      const chosen = this.features;
      if (chosen.length === 0) throw new Error('Inputs: choose at least one (under the map), such as x₁ and x₂');
      return chosen;
    });
    return {
      hidden,
      features,
      activation: this.activation.value as Settings['activation'],
      regularization: this.regularization,
      optimizer: this.optimizer.value as Settings['optimizer'],
      learningRate,
      batchSize,
      epochs,
      backend: this.backend,
      paced: this.paced.checked,
    };
  }

  /** The menus' choices (each from a fixed list: nothing to check). */
  get regularization(): Regularization {
    return {
      penalty: this.penalty.value as Penalty,
      rate: Number(this.penaltyRate.value),
      dropout: Number(this.dropout.value),
    };
  }

  apply(settings: Omit<Settings, 'backend' | 'paced' | 'features'>): void {
    this.layers.value = settings.hidden.join(', ');
    this.activation.value = settings.activation;
    this.penalty.value = settings.regularization.penalty;
    this.penaltyRate.value = String(settings.regularization.rate);
    this.dropout.value = String(settings.regularization.dropout);
    this.optimizer.value = settings.optimizer;
    this.learningRate.value = String(settings.learningRate);
    this.batchSize.value = settings.batchSize === undefined ? '' : String(settings.batchSize);
    this.epochs.value = String(settings.epochs);
  }

  /** The fields as they are, as text (checked or not): the page's state but for the dataset and seed. */
  state(): PageState {
    return {
      noise: this.noise.value,
      trainShare: this.trainShare.value,
      inputs: this.features.join(','),
      layers: this.layers.value,
      activation: this.activation.value,
      regularization: this.penalty.value,
      regularizationRate: this.penaltyRate.value,
      dropout: this.dropout.value,
      optimizer: this.optimizer.value,
      learningRate: this.learningRate.value,
      batchSize: this.batchSize.value,
      epochs: this.epochs.value,
      backend: this.backend,
      paced: String(this.paced.checked),
      showTest: String(this.showTest.checked),
      discretize: String(this.discretize.checked),
    };
  }

  /** Sets the fields a state has; a menu's value this build does not offer is left as it is. */
  restore(state: PageState): void {
    const choose = (select: HTMLSelectElement, value: string | undefined) => {
      if (value !== undefined && [...select.options].some((option) => option.value === value && !option.disabled))
        select.value = value;
    };
    if (state.noise !== undefined) this.setRange(this.noise, Number(state.noise) || 0);
    if (state.trainShare !== undefined) this.setRange(this.trainShare, Number(state.trainShare) || 100);
    if (state.inputs !== undefined) this.setFeatures(state.inputs.split(','));
    if (state.layers !== undefined) this.layers.value = state.layers;
    choose(this.activation, state.activation);
    choose(this.penalty, state.regularization);
    choose(this.penaltyRate, state.regularizationRate);
    choose(this.dropout, state.dropout);
    choose(this.optimizer, state.optimizer);
    if (state.learningRate !== undefined) this.learningRate.value = state.learningRate;
    if (state.batchSize !== undefined) this.batchSize.value = state.batchSize;
    if (state.epochs !== undefined) this.epochs.value = state.epochs;
    const backend = this.form.querySelector<HTMLInputElement>(
      `input[name="backend"][value="${CSS.escape(state.backend ?? '')}"]`,
    );
    if (backend) backend.checked = true;
    for (const [box, value] of [
      [this.paced, state.paced],
      [this.showTest, state.showTest],
      [this.discretize, state.discretize],
    ] as const) {
      if (value !== undefined) box.checked = value === 'true';
    }
  }

  /** Shows the column menus with `names` and `chosen` selected, or (undefined) hides them. */
  showColumns(names: string[] | undefined, chosen?: CsvColumns): void {
    this.columnsRow.hidden = names === undefined;
    if (!names || !chosen) return;
    for (const role of ['x', 'y', 'label'] as const) {
      fill(
        this.columns[role],
        names.map((name, c) => ({ value: String(c), label: name })),
      );
      this.columns[role].value = String(chosen[role]);
    }
  }

  readColumns(): CsvColumns {
    return { x: Number(this.columns.x.value), y: Number(this.columns.y.value), label: Number(this.columns.label.value) };
  }

  /**
   * While training, settings are locked: changing one starts a new network.
   * The keyboard follows the buttons: Train (or a field, by Enter) is
   * disabled as a run starts, so Stop takes the focus; Stop is disabled as it
   * ends, so Train takes it back. Focus anywhere else stays where it is.
   */
  setTraining(training: boolean): void {
    const focused = document.activeElement;
    for (const element of [
      ...this.form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select'),
      ...Object.values(this.columns),
      ...this.inputs,
      this.noise,
      this.trainShare,
      this.regenerate,
    ]) {
      element.disabled = training;
    }
    this.train.disabled = training;
    this.step.disabled = training;
    this.stop.disabled = !training;
    this.stop.removeAttribute('aria-disabled');
    const lost = !focused || focused === document.body || (focused as HTMLInputElement).disabled;
    if (lost) (training ? this.stop : this.train).focus();
  }

  /**
   * Stop was heard: the run ends after the worker's current epoch, which on
   * a big network takes seconds. The button dims at once and the line under
   * the numbers says so ("Stopping…" on the button would not fit beside
   * Train and Reset). aria-disabled rather than disabled: the focus stays on
   * the button.
   */
  setStopping(): void {
    this.stop.setAttribute('aria-disabled', 'true');
    this.showRunStatus('Stopping after this epoch…');
  }

  get isStopping(): boolean {
    return this.stop.getAttribute('aria-disabled') === 'true';
  }

  /** The line under the numbers, read out (politely) when it changes; `spoken` is for screen readers only. */
  showRunStatus(text: string, spoken = ''): void {
    this.runStatus.replaceChildren(text);
    if (spoken) {
      const hidden = document.createElement('span');
      hidden.className = 'visually-hidden';
      hidden.textContent = ` ${spoken}`;
      this.runStatus.append(hidden);
    }
  }

  /** The note under the network settings: text, and phrases with a tooltip (their technical name). */
  showOutput(parts: (string | { text: string; title: string })[]): void {
    this.output.replaceChildren(
      ...parts.map((part) => {
        if (typeof part === 'string') return part;
        const term = document.createElement('span');
        term.className = 'term';
        term.textContent = part.text;
        term.title = part.title;
        return term;
      }),
    );
  }

  /**
   * The message above the map, or none. Scrolled into view if it is out of
   * it (on a phone, the buttons are at the bottom of the window when Train
   * is pressed, and the message is below them).
   */
  showMessage(text: string | undefined, kind: 'error' | 'info' = 'error'): void {
    this.message.hidden = !text;
    this.messageText.textContent = text ?? '';
    this.message.classList.toggle('info', kind === 'info');
    if (!text) return;
    const { top, bottom } = this.message.getBoundingClientRect();
    if (top < 0 || bottom > window.innerHeight) this.message.scrollIntoView({ block: 'nearest' });
  }

  /** Reads a field; if it is bad, marks it and (as Train was pressed) puts the cursor in it. */
  private checked<T>(input: HTMLInputElement, read: () => T): T {
    try {
      return read();
    } catch (error) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      throw error;
    }
  }
}

/** A number field's value; NaN for text it cannot read (which its value gives as ""). */
function numberIn(input: HTMLInputElement): number {
  return input.validity.badInput || input.value.trim() === '' ? NaN : Number(input.value);
}

/** A menu's options; `title`: what the option does, as its tooltip. */
function fill(select: HTMLSelectElement, options: readonly (DatasetOption & { title?: string })[]): void {
  select.replaceChildren(
    ...options.map(({ value, label, unavailable, title }) => {
      const option = new Option(unavailable ? `${label} (unavailable)` : label, value);
      option.disabled = unavailable !== undefined;
      if (title) option.title = title;
      if (unavailable) option.title = unavailable;
      return option;
    }),
  );
}
