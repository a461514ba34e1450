/**
 * The settings form: its menus filled from what the library offers, read
 * into checked Settings (a bad field is marked and named in the message),
 * and written back from a dataset's preset. Also the message over the map,
 * and the CSV column menus under it.
 */
import { OPTIMIZER_NAMES, type BackendName } from 'wasmlp';
import type { CsvColumns } from './csv.js';
import { HIDDEN_ACTIVATIONS, parseLayers, type Settings } from './model.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

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
  readonly optimizer = $<HTMLSelectElement>('optimizer');
  readonly learningRate = $<HTMLInputElement>('learning-rate');
  readonly batchSize = $<HTMLInputElement>('batch-size');
  readonly epochs = $<HTMLInputElement>('epochs');
  readonly train = $<HTMLButtonElement>('train');
  readonly stop = $<HTMLButtonElement>('stop');
  readonly reset = $<HTMLButtonElement>('reset');
  /** A CSV's columns: the two features (the map's axes) and the label. */
  readonly columns = { x: $<HTMLSelectElement>('column-x'), y: $<HTMLSelectElement>('column-y'), label: $<HTMLSelectElement>('column-label') };
  private readonly columnsRow = $<HTMLDivElement>('columns');
  private readonly message = $<HTMLDivElement>('message');
  private readonly messageText = $<HTMLParagraphElement>('message-text');
  private readonly output = $<HTMLParagraphElement>('output');

  constructor() {
    fill(this.activation, HIDDEN_ACTIVATIONS.map((name) => ({ value: name, label: name })));
    fill(this.optimizer, OPTIMIZER_NAMES.map((name) => ({ value: name, label: name })));
    $('message-close').addEventListener('click', () => this.showMessage(undefined));
  }

  setDatasets(options: DatasetOption[], selected: string): void {
    fill(this.dataset, options);
    this.dataset.value = selected;
  }

  get backend(): BackendName {
    return (this.form.elements.namedItem('backend') as RadioNodeList).value as BackendName;
  }

  /** The settings, checked; throws naming the first bad field (and marks it). */
  read(): Settings {
    for (const input of [this.layers, this.learningRate, this.batchSize, this.epochs]) input.removeAttribute('aria-invalid');
    const hidden = this.checked(this.layers, () => parseLayers(this.layers.value));
    const learningRate = this.checked(this.learningRate, () => {
      const value = Number(this.learningRate.value);
      if (!(value > 0) || !Number.isFinite(value)) throw new Error('Learning rate: a positive number, such as 0.01');
      return value;
    });
    const batchSize = this.checked(this.batchSize, () => {
      if (this.batchSize.value.trim() === '') return undefined;
      const value = Number(this.batchSize.value);
      if (!Number.isInteger(value) || value < 1) throw new Error('Batch size: a whole number of rows, or blank for all of them');
      return value;
    });
    const epochs = this.checked(this.epochs, () => {
      const value = Number(this.epochs.value);
      if (!Number.isInteger(value) || value < 1 || value > 1_000_000) throw new Error('Epochs: a whole number from 1 to 1,000,000');
      return value;
    });
    return {
      hidden,
      activation: this.activation.value as Settings['activation'],
      optimizer: this.optimizer.value as Settings['optimizer'],
      learningRate,
      batchSize,
      epochs,
      backend: this.backend,
    };
  }

  apply(settings: Omit<Settings, 'backend'>): void {
    this.layers.value = settings.hidden.join(', ');
    this.activation.value = settings.activation;
    this.optimizer.value = settings.optimizer;
    this.learningRate.value = String(settings.learningRate);
    this.batchSize.value = settings.batchSize === undefined ? '' : String(settings.batchSize);
    this.epochs.value = String(settings.epochs);
  }

  /** Shows the column menus with `names` and `chosen` selected, or (undefined) hides them. */
  showColumns(names: string[] | undefined, chosen?: CsvColumns): void {
    this.columnsRow.hidden = names === undefined;
    if (!names || !chosen) return;
    for (const role of ['x', 'y', 'label'] as const) {
      fill(this.columns[role], names.map((name, c) => ({ value: String(c), label: name })));
      this.columns[role].value = String(chosen[role]);
    }
  }

  readColumns(): CsvColumns {
    return { x: Number(this.columns.x.value), y: Number(this.columns.y.value), label: Number(this.columns.label.value) };
  }

  /** While training, settings are locked: changing one starts a new network. */
  setTraining(training: boolean): void {
    for (const element of [...this.form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select'), ...Object.values(this.columns)]) {
      element.disabled = training;
    }
    this.train.disabled = training;
    this.stop.disabled = !training;
  }

  showOutput(text: string): void {
    this.output.textContent = text;
  }

  /** The message over the map (where it is in view whatever the window's height), or none. */
  showMessage(text: string | undefined, kind: 'error' | 'info' = 'error'): void {
    this.message.hidden = !text;
    this.messageText.textContent = text ?? '';
    this.message.classList.toggle('info', kind === 'info');
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

function fill(select: HTMLSelectElement, options: DatasetOption[]): void {
  select.replaceChildren(...options.map(({ value, label, unavailable }) => {
    const option = new Option(unavailable ? `${label} (unavailable)` : label, value);
    option.disabled = unavailable !== undefined;
    if (unavailable) option.title = unavailable;
    return option;
  }));
}
