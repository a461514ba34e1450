/**
 * The playground (dist/demo, as `npm run demo` serves it) in real Chromium:
 * it trains the seed blobs to accuracy 1.000 in a worker and draws the
 * decision boundary; its menus follow the library's registries; the spiral
 * trains through softmax; both backends report a speed; a diverged run is
 * reported in view and cleared, and the next starts afresh; a bad field is
 * named on the first click of Train; a CSV loads from the file picker and
 * from a drop (csv-parse: quoted fields), a bad one is refused with a
 * message, and a wider one (examples/iris.csv) trains on the columns chosen.
 * Also: Stop is heard at once, and the map never has more than one
 * prediction asked of the worker (the requests are counted); a run
 * says how it ended, to screen readers too; a loss that did not go down gets
 * a hint; every bad field gets the page's message (not the browser's); the
 * keyboard (focus, Escape, the file picker) and the speeds, rates and loss
 * axis labels as shown. Screenshots go to artifacts/.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatRate } from '../../demo/format.js';
import { type StaticServer, serveStatic } from '../../scripts/serve.js';
import { ACTIVATION_NAMES, OPTIMIZER_NAMES } from '../../src/index.js';
import { type Browser, launchChromium } from './chromium.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = `${ROOT}artifacts`;

let server: StaticServer;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  server = await serveStatic(`${ROOT}dist/demo`);
  browser = await launchChromium();
  ({ page, errors } = await browser.page());
  await page.addInitScript(recordWorkerRequests);
  await page.goto(server.url);
  await page.waitForSelector('html[data-ready]');
  // Full speed: these tests train many runs, and compare the backends' speeds.
  await page.uncheck('#paced');
  await mkdir(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface WorkerRequest {
  method: string;
  /** Requests of this method to this worker not yet answered when it was sent, itself included. */
  inFlight: number;
}

/**
 * Runs in the page before its scripts: every request posted to a worker
 * (wasmlp's { id, method, args }), in order, in window.workerRequests, with
 * how many of its kind that worker had yet to answer.
 */
function recordWorkerRequests(): void {
  const log: WorkerRequest[] = [];
  (window as unknown as { workerRequests: WorkerRequest[] }).workerRequests = log;
  const Native = window.Worker;
  window.Worker = class extends Native {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      const open = new Map<number, string>();
      this.addEventListener('message', ({ data }) => {
        if (data && ('result' in data || 'error' in data)) open.delete(data.id);
      });
      const post = this.postMessage.bind(this) as (message: unknown, transfer: Transferable[]) => void;
      this.postMessage = (message: { id?: number; method?: string }, transfer?: Transferable[] | StructuredSerializeOptions) => {
        if (message && typeof message.method === 'string') {
          open.set(message.id!, message.method);
          log.push({ method: message.method, inFlight: [...open.values()].filter((method) => method === message.method).length });
        }
        post(message, transfer as Transferable[]);
      };
    }
  };
}

/** The requests posted to the workers since the page loaded. */
function workerRequests(): Promise<WorkerRequest[]> {
  return page.evaluate(() => (window as unknown as { workerRequests: WorkerRequest[] }).workerRequests);
}

/** Presses Train and waits for the run to end; returns the state it ended in. */
async function train(): Promise<string | null> {
  await page.click('#train');
  await page.waitForSelector('#status:is([data-state="done"], [data-state="error"])', { timeout: 90_000 });
  return page.getAttribute('#status', 'data-state');
}

/** How many epochs the loss and the accuracy charts hold. */
function chartPoints(): Promise<number[]> {
  return page.$$eval('#loss-chart, #acc-chart', (canvases) => canvases.map((c) => Number((c as HTMLElement).dataset.points)));
}

/** Whether the message is shown, whole, inside the window (of `width` x `height`, not scrolled). */
async function messageInView(width: number, height: number): Promise<boolean> {
  const box = await page.locator('#message').boundingBox();
  if (!box || !(await page.isVisible('#message'))) return false;
  const scrolled = await page.evaluate(() => window.scrollY);
  return scrolled === 0 && box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height;
}

/** The legend's class names. */
function legend(): Promise<string[]> {
  return page.$$eval('#legend span', (spans) => spans.map((span) => span.textContent ?? ''));
}

/** The boundary canvas's pixels, summarised: how many colours, and how much of it each class's hue covers. */
function canvasColours(): Promise<{ distinct: number; blue: number; orange: number; green: number; white: number }> {
  return page.$eval('#boundary', (canvas) => {
    const { width, height } = canvas as HTMLCanvasElement;
    const pixels = (canvas as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, width, height).data;
    const seen = new Set<number>();
    let blue = 0,
      orange = 0,
      green = 0,
      white = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      const [r, g, b] = [pixels[i], pixels[i + 1], pixels[i + 2]];
      seen.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
      if (r > 245 && g > 245 && b > 245) white++;
      else if (b > r + 40) blue++;
      else if (r > b + 40 && r > g) orange++;
      else if (g > r + 25 && g > b) green++;
    }
    const n = pixels.length / 4;
    return { distinct: seen.size, blue: blue / n, orange: orange / n, green: green / n, white: white / n };
  });
}

it('offers the activations and optimisers the library exports', async () => {
  const values = (id: string) => page.$$eval(`#${id} option`, (options) => options.map((o) => (o as HTMLOptionElement).value));
  expect(await values('activation')).toEqual(ACTIVATION_NAMES.filter((name) => name !== 'softmax'));
  expect(await values('optimizer')).toEqual([...OPTIMIZER_NAMES]);
});

it('trains the seed blobs to accuracy 1.000 in a worker and draws the decision boundary', async () => {
  expect(await page.inputValue('#dataset')).toBe('blobs');
  expect(await train()).toBe('done');
  expect(await page.textContent('#acc')).toBe('1.000');
  expect(await page.textContent('#epoch')).toBe('2,000');
  const colours = await canvasColours();
  expect(colours.distinct).toBeGreaterThan(20);
  expect(colours.white).toBeLessThan(0.5);
  expect(colours.blue).toBeGreaterThan(0.2);
  expect(colours.orange).toBeGreaterThan(0.2);
  await page.screenshot({ path: `${ARTIFACTS}/demo.png` });
}, 120_000);

it('trains on the js backend too, and shows the epochs per second of both', async () => {
  await page.click('.segmented label:has(input[value="js"])');
  await page.waitForSelector('#status[data-state="idle"]'); // a new backend is a new network
  expect(await page.textContent('#epoch')).toBe('0');
  expect(await train()).toBe('done');
  expect(await page.textContent('#acc')).toBe('1.000');
  for (const backend of ['wasm', 'js']) expect(await page.textContent(`#speed-${backend}`)).toMatch(/^[\d,]+$/);
  await page.click('.segmented label:has(input[value="wasm"])');
  await page.waitForSelector('#status[data-state="idle"]');
}, 120_000);

it('reports a diverged run in view, clears it, and starts the next run afresh', async () => {
  await page.setViewportSize({ width: 1280, height: 720 });
  try {
    expect(await page.inputValue('#dataset')).toBe('blobs');
    // relu, which does not saturate as the preset's sigmoid does: a huge step overflows.
    await page.selectOption('#activation', 'relu');
    await page.waitForSelector('#status[data-state="idle"]');
    await page.fill('#learning-rate', '0.5');
    expect(await train()).toBe('done');
    expect(await chartPoints()).toEqual([2000, 2000]);

    await page.fill('#learning-rate', '1e30'); // continues the same network, which diverges
    expect(await train()).toBe('error');
    expect(await messageInView(1280, 720)).toBe(true);
    const message = await page.textContent('#message');
    expect(message).toMatch(/diverged/);
    // In the page's words: not fit's option name, nor its remark on a regression (the page has none),
    // nor that the weights were put back (the page starts a new network, and says so).
    expect(message).toMatch(/try a smaller learning rate than 1e\+30\. The network was reset/);
    expect(message).not.toMatch(/learningRate|regression|as they were/);
    // The map and numbers cleared, not left as they were (or black from NaN predictions): the next
    // Train is a new network. The curves stay until then: 2,000 epochs and the one whose loss soared.
    expect(await chartPoints()).toEqual([2001, 2001]);
    expect(await page.textContent('#epoch')).toBe('0');
    expect((await canvasColours()).white).toBeGreaterThan(0.8);

    await page.fill('#learning-rate', '0.5');
    expect(await train()).toBe('done');
    expect(await page.isHidden('#message')).toBe(true);
    expect(await page.textContent('#acc')).toBe('1.000');
    expect(await page.textContent('#epoch')).toBe('2,000');
    expect(await chartPoints()).toEqual([2000, 2000]); // this run's epochs, not drawn after the last run's
  } finally {
    await page.selectOption('#activation', 'sigmoid');
    await page.waitForSelector('#status[data-state="idle"]');
    await page.fill('#learning-rate', '20');
    await page.setViewportSize({ width: 1440, height: 900 });
  }
}, 120_000);

it('hints at the learning rate when a run ends with its loss no lower than after its first epoch', async () => {
  await page.fill('#learning-rate', '1e6'); // SGD on the blobs: the sigmoids saturate, and the loss stays at 10.36
  await page.click('#reset');
  await page.waitForSelector('#status[data-state="idle"]');
  expect(await train()).toBe('done');
  await page.waitForSelector('#message.info:not([hidden])');
  expect(await page.textContent('#message')).toMatch(
    /^The loss did not go down \(.+\): the learning rate may be too large \(or too small\)\.$/,
  );

  await page.fill('#learning-rate', '20');
  await page.click('#reset');
  await page.waitForSelector('#status[data-state="idle"]');
  expect(await page.isHidden('#message')).toBe(true);
  expect(await train()).toBe('done');
  expect(await page.isHidden('#message')).toBe(true); // a run that learns gets no hint
}, 120_000);

it('checks every field itself (the form has novalidate) and marks only the field it names', async () => {
  expect(await page.getAttribute('#controls', 'novalidate')).not.toBeNull();
  const cases: [string, string, RegExp][] = [
    ['learning-rate', '-1', /^Learning rate: a positive number/],
    ['learning-rate', '0', /^Learning rate: a positive number/],
    ['learning-rate', '1e300', /^Learning rate: a positive number from 1e-37 to 1e38/], // Infinity in float32
    ['learning-rate', '1e-45', /^Learning rate: a positive number from 1e-37 to 1e38/], // a subnormal in float32
    ['batch-size', '0', /^Batch size: a positive whole number/],
    ['batch-size', '1.5', /^Batch size: a positive whole number/],
    ['batch-size', '-2', /^Batch size: a positive whole number/],
    ['batch-size', '1e-3', /^Batch size: a positive whole number/],
    ['epochs', '0', /^Epochs: a positive whole number/],
    ['epochs', '1.5', /^Epochs: a positive whole number/],
    ['epochs', '-1', /^Epochs: a positive whole number/],
    ['epochs', '', /^Epochs: a positive whole number/],
  ];
  const good: Record<string, string> = { 'learning-rate': '20', 'batch-size': '', epochs: '2000' };
  const marked = () => page.$$eval('[aria-invalid="true"]', (elements) => elements.map((element) => element.id));
  for (const [id, value, message] of cases) {
    await page.fill(`#${id}`, value);
    await page.click('#train');
    await page.waitForSelector('#message:not(.info):not([hidden])');
    expect(await page.textContent('#message'), `${id} = ${value}`).toMatch(message);
    expect(await marked(), `${id} = ${value}`).toEqual([id]);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(id);
    expect(await page.getAttribute('#status', 'data-state')).not.toBe('training');
    await page.fill(`#${id}`, good[id]); // editing the field clears its mark
    expect(await marked()).toEqual([]);
  }

  // Text the number field cannot read is not a blank batch size (all the rows).
  await page.fill('#batch-size', '');
  await page.focus('#batch-size');
  await page.keyboard.type('1e');
  expect(await page.inputValue('#batch-size')).toBe(''); // as the browser gives it
  await page.click('#train');
  await page.waitForSelector('#message:not(.info):not([hidden])');
  expect(await page.textContent('#message')).toMatch(/^Batch size: a positive whole number/);

  // The mark moves with the message, and goes when every field is good.
  await page.fill('#epochs', '0'); // the batch size is still bad, and checked first
  await page.click('#train');
  expect(await marked()).toEqual(['batch-size']);
  await page.fill('#batch-size', '');
  await page.click('#train');
  await page.waitForSelector('#message:not(.info):not([hidden])');
  expect(await page.textContent('#message')).toMatch(/^Epochs:/);
  expect(await marked()).toEqual(['epochs']);
  await page.fill('#epochs', '2000');
  expect(await train()).toBe('done');
  expect(await marked()).toEqual([]);
  expect(await page.isHidden('#message')).toBe(true);
}, 120_000);

it('takes hidden layers as positive whole numbers separated by commas, and nothing else', async () => {
  const refused: [string, RegExp][] = [
    ['8,,4', /^Hidden layers: a layer without units in "8,,4"/],
    ['8,4,', /^Hidden layers: a layer without units in "8,4,"/],
    ['1e2', /^Hidden layers: "1e2" is not a whole number of units/],
    ['0x10', /^Hidden layers: "0x10" is not a whole number of units/],
    ['8 4', /^Hidden layers: separate the layers with commas, such as 8, 4/],
    ['-8', /^Hidden layers: "-8" is not a whole number of units/],
    ['8, 513', /^Hidden layers: "513" is not a whole number of units from 1 to 512/],
    ['0', /^Hidden layers: 0 is not a layer; use none for no hidden layer$/],
  ];
  for (const [value, message] of refused) {
    await page.fill('#layers', value);
    await page.click('#train');
    await page.waitForSelector('#message:not(.info):not([hidden])');
    expect(await page.textContent('#message'), value).toMatch(message);
    expect(await page.getAttribute('#layers', 'aria-invalid'), value).toBe('true');
  }
  for (const value of ['none', '', ' None ']) {
    await page.fill('#layers', value);
    await page.press('#layers', 'Tab'); // the change that describes the network
    await expect
      .poll(() => page.textContent('#output'), { message: JSON.stringify(value) })
      .toBe('No hidden layer: straight boundaries between the classes, then the probability of class 1.');
    expect(await page.getAttribute('#output .term', 'title')).toBe(
      'Logistic regression: 1 sigmoid unit; loss binaryCrossentropy',
    );
  }
  await page.fill('#layers', ' 8 ,4 ');
  expect(await train()).toBe('done');
  expect(await page.textContent('#output')).toBe(
    "Output: the probability of class 1. Starts from the original example's weights.",
  );
  // The technical names, as tooltips.
  expect(await page.$$eval('#output .term', (terms) => terms.map((term) => (term as HTMLElement).title))).toEqual([
    '1 sigmoid unit; loss binaryCrossentropy',
    "The seed notebook's initial weights (data/seed-numpy.json)",
  ]);
  expect(await page.textContent('#acc')).toBe('1.000');
  await page.fill('#layers', '8, 4');
}, 120_000);

it('names a bad Hidden layers value on the first click of Train, and takes none as no hidden layer', async () => {
  await page.setViewportSize({ width: 1280, height: 720 });
  try {
    await page.fill('#layers', 'abc');
    // A real click, held as long as a person holds one, with the cursor still in the field: the
    // field's change (on blur, at mousedown) resets the network, and nothing that reset redraws may
    // move the button or take the focus before the mouseup.
    await page.click('#train', { delay: 150 });
    await page.waitForSelector('#message:not(.info):not([hidden])', { timeout: 5_000 });
    expect(await page.textContent('#message')).toMatch(/^Hidden layers: "abc" is not a whole number/);
    expect(await page.getAttribute('#layers', 'aria-invalid')).toBe('true');
    expect(await messageInView(1280, 720)).toBe(true);

    await page.fill('#layers', 'none');
    expect(await train()).toBe('done'); // logistic regression: the blobs are linearly separable
    expect(await page.textContent('#acc')).toBe('1.000');
    expect(await page.getAttribute('#layers', 'aria-invalid')).toBeNull();
  } finally {
    await page.setViewportSize({ width: 1440, height: 900 });
  }
  await page.fill('#layers', '8, 4');
  await page.click('#reset');
  await page.waitForSelector('#status[data-state="idle"]');
}, 120_000);

it('trains the 3-arm spiral through a softmax output', async () => {
  await page.selectOption('#dataset', 'spiral');
  await expect.poll(() => page.textContent('#output')).toMatch(/^Output: a probability for each of the 3 classes\./);
  expect(await page.getAttribute('#output .term', 'title')).toBe('3 softmax units; loss categoricalCrossentropy');
  expect(await train()).toBe('done');
  expect(Number(await page.textContent('#acc'))).toBeGreaterThan(0.9);
  const colours = await canvasColours();
  for (const hue of ['blue', 'orange', 'green'] as const) expect(colours[hue]).toBeGreaterThan(0.1);
  await page.screenshot({ path: `${ARTIFACTS}/demo-spiral.png` });
}, 120_000);

it('hears Stop at once, asks the worker for one map at a time and none after the stop, and says the run stopped', async () => {
  expect(await page.inputValue('#dataset')).toBe('spiral');
  await page.fill('#layers', '128, 128');
  await page.fill('#epochs', '1000000');
  await page.click('#reset');
  await page.waitForSelector('#status[data-state="idle"]');
  const before = (await workerRequests()).length;

  // By the keyboard: Train disables itself, and the focus goes to Stop rather than to nowhere.
  await page.focus('#train');
  await page.keyboard.press('Enter');
  expect(await page.getAttribute('#status', 'data-state')).toBe('training');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('stop');
  expect(await page.textContent('#run-status')).toBe('Training…');
  // A few map refreshes, so that there is something to count.
  await expect
    .poll(async () => (await workerRequests()).slice(before).filter((r) => r.method === 'predict').length, { timeout: 30_000 })
    .toBeGreaterThanOrEqual(3);

  // Heard as it is pressed, in the same task as the click: nothing has come back from the worker yet.
  const heard = await page.evaluate(() => {
    const stop = document.getElementById('stop')!;
    stop.click();
    return {
      ariaDisabled: stop.getAttribute('aria-disabled'),
      status: document.getElementById('run-status')!.textContent,
      focus: document.activeElement?.id,
    };
  });
  expect(heard).toEqual({ ariaDisabled: 'true', status: 'Stopping after this epoch…', focus: 'stop' });
  await page.waitForSelector('#status[data-state="stopped"]', { timeout: 60_000 });
  expect(await page.textContent('#run-status')).toMatch(
    /^Stopped at epoch [\d,]+ of 1,000,000\. Loss [\d.e-]+, accuracy [\d.]+, [\d,.]+ epochs per second\.$/,
  );
  expect(await page.textContent('#run-status .visually-hidden')).toMatch(/^ Loss/); // the numbers, for a screen reader only
  expect(await page.getAttribute('#stop', 'aria-disabled')).toBeNull();
  expect(await page.isDisabled('#stop')).toBe(true);
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('train');

  const requests = (await workerRequests()).slice(before);
  const predicts = requests.filter((r) => r.method === 'predict');
  expect(Math.max(...predicts.map((r) => r.inFlight))).toBe(1);
  // After the stop, one prediction at most: the map of the network as it stopped. No evaluate: the last epoch's numbers are shown.
  const afterStop = requests.slice(requests.findIndex((r) => r.method === 'stop') + 1);
  expect(afterStop.filter((r) => r.method === 'predict').length).toBeLessThanOrEqual(1);
  expect(afterStop.filter((r) => r.method === 'evaluate')).toEqual([]);

  // Train continues the network: the run after a stop (whose last map may still be on its way) keeps to one prediction at a time too.
  await page.fill('#epochs', '200');
  expect(await train()).toBe('done');
  expect(await page.textContent('#run-status')).toMatch(/^Finished at epoch [\d,]+\. Loss/);
  expect(
    Math.max(
      ...(await workerRequests())
        .slice(before)
        .filter((r) => r.method === 'predict')
        .map((r) => r.inFlight),
    ),
  ).toBe(1);
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('train');
  expect(await page.getAttribute('#run-status', 'role')).toBe('status');
  expect(await page.getAttribute('#run-status', 'aria-live')).toBe('polite');

  await page.fill('#layers', '32, 32');
  await page.fill('#epochs', '1500');
  await page.click('#reset');
  await page.waitForSelector('#status[data-state="idle"]');
  expect(await page.textContent('#run-status')).toBe('');
}, 120_000);

it('clears the speeds when the data changes, also when a CSV dropped during a run stops it', async () => {
  expect(await train()).toBe('done');
  expect(await page.textContent('#speed-wasm')).toMatch(/^[\d,.]+$/);
  await page.selectOption('#dataset', 'xor');
  await page.waitForSelector('#status[data-state="idle"]');
  expect([await page.textContent('#speed-wasm'), await page.textContent('#speed-js')]).toEqual(['–', '–']);

  expect(await train()).toBe('done');
  await page.fill('#epochs', '1000000');
  await page.click('#train');
  await page.waitForFunction(() => document.getElementById('epoch')!.textContent !== '0');
  await page.setInputFiles('#file', `${ROOT}examples/iris.csv`);
  await expect.poll(() => page.textContent('#message')).toMatch(/^iris\.csv: 150 rows/);
  await page.waitForSelector('#status[data-state="idle"]');
  expect([await page.textContent('#speed-wasm'), await page.textContent('#speed-js')]).toEqual(['–', '–']);
  expect(await page.textContent('#epoch')).toBe('0');
  await page.selectOption('#dataset', 'spiral');
  await page.waitForSelector('#status[data-state="idle"]');
}, 120_000);

it('shows epochs per second to 3 significant digits below 100', () => {
  expect([0.5234, 2.1, 46.26, 99.94, 100.4, 12_812.3, 0].map(formatRate)).toEqual([
    '0.523',
    '2.1',
    '46.3',
    '99.9',
    '100',
    '12,812',
    '0',
  ]);
});

it('loads a CSV (two features and a label), and refuses a malformed one with a message', async () => {
  const rows = ['x,y,kind'];
  for (let i = 0; i < 40; i++) rows.push(`${i % 2 ? 10 + i : -i},${i * 3},${i % 2 ? 'cat' : 'dog'}`);
  await page.setInputFiles('#file', { name: 'pets.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  await page.waitForSelector('#message.info:not([hidden])');
  expect(await page.textContent('#message')).toMatch(/pets\.csv: 40 rows, 2 classes \(cat, dog\)/);
  expect(await page.inputValue('#dataset')).toBe('csv');
  expect(await train()).toBe('done');

  await page.setInputFiles('#file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b,c\n1,2,x\n3,oops,y\n') });
  await page.waitForSelector('#message:not(.info):not([hidden])');
  expect(await page.textContent('#message')).toBe('bad.csv, line 3, column 2 (b): "oops" is not a number');

  // Text everywhere: its header is not taken for data and named as "not a number".
  await page.setInputFiles('#file', {
    name: 'words.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('a,b,label\nfoo,bar,x\nbaz,qux,y\nzz,yy,x\n'),
  });
  await expect.poll(() => page.textContent('#message')).toMatch(/^words\.csv: no numeric feature columns/);
  // Binary files, refused as such rather than with csv-parse's message and their bytes in it.
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(200, 7)]);
  let seed = 1;
  const noise = Buffer.from(Array.from({ length: 3000 }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 23));
  for (const [name, buffer] of [
    ['photo.png', png],
    ['noise.csv', noise],
  ] as const) {
    await page.setInputFiles('#file', { name, mimeType: 'application/octet-stream', buffer });
    await expect.poll(() => page.textContent('#message')).toBe(`${name}: not a CSV text file (an image, or other binary data?)`);
  }
  expect(await page.inputValue('#dataset')).toBe('csv'); // pets.csv is still the data
}, 120_000);

it('loads a CSV dropped on the page, with a quoted field that holds a comma', async () => {
  const rows = ['x,y,"kind"', '# a comment line'];
  for (let i = 0; i < 40; i++) rows.push(`"${i % 2 ? 10 + i : -i}.5",${i * 3},${i % 2 ? '"cat, big"' : 'dog'}`);
  const dataTransfer = await page.evaluateHandle((text) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], 'quoted.csv', { type: 'text/csv' }));
    return transfer;
  }, rows.join('\r\n'));
  await page.dispatchEvent('#drop', 'dragenter', { dataTransfer });
  expect(await page.$eval('body', (body) => body.classList.contains('dragging'))).toBe(true);
  await page.dispatchEvent('#drop', 'dragover', { dataTransfer });
  await page.dispatchEvent('#drop', 'drop', { dataTransfer });
  await expect
    .poll(() => page.textContent('#message'))
    .toMatch(/^quoted\.csv: 40 rows, 2 classes \(cat, big, dog\); features x, y/);
  expect(await page.$eval('body', (body) => body.classList.contains('dragging'))).toBe(false);
  expect(await legend()).toEqual(['cat, big', 'dog']);
  expect(await page.inputValue('#dataset')).toBe('csv');
  expect(await page.isHidden('#columns')).toBe(true); // three columns: nothing to choose
  expect(await train()).toBe('done');
  expect(await page.textContent('#acc')).toBe('1.000');
}, 120_000);

it('loads examples/iris.csv and trains on the two feature columns chosen', async () => {
  await page.setInputFiles('#file', `${ROOT}examples/iris.csv`);
  await expect
    .poll(() => page.textContent('#message'))
    .toMatch(/^iris\.csv: 150 rows, 3 classes \(setosa, versicolor, virginica\); features sepal_length, sepal_width/);
  expect(await page.isVisible('#columns')).toBe(true);
  const chosen = () =>
    page.$$eval('#columns select', (selects) => selects.map((s) => (s as HTMLSelectElement).selectedOptions[0].text));
  expect(await chosen()).toEqual(['species', 'sepal_length', 'sepal_width']);

  await page.selectOption('#column-x', { label: 'petal_length' });
  await page.selectOption('#column-y', { label: 'petal_width' });
  await expect.poll(() => page.textContent('#message')).toMatch(/features petal_length, petal_width standardised/);
  expect(await chosen()).toEqual(['species', 'petal_length', 'petal_width']);

  // The species as a feature: refused, naming the first cell that is not a number; the menus go back.
  await page.selectOption('#column-x', { label: 'species' });
  await page.waitForSelector('#message:not(.info):not([hidden])');
  expect(await page.textContent('#message')).toBe('iris.csv, line 2, column 5 (species): "setosa" is not a number');
  expect(await chosen()).toEqual(['species', 'petal_length', 'petal_width']);

  expect(await train()).toBe('done');
  expect(Number(await page.textContent('#acc'))).toBeGreaterThan(0.9);
  expect(await legend()).toEqual(['setosa', 'versicolor', 'virginica']);
  const colours = await canvasColours();
  for (const hue of ['blue', 'orange', 'green'] as const) expect(colours[hue]).toBeGreaterThan(0.05);
}, 120_000);

it('labels the loss axis with at most 5 ticks that never overlap, at 1280x720 and 1440x900', async () => {
  // After a run, then on an empty chart.
  const ticks = () =>
    page.$eval('#loss-chart', (canvas) => JSON.parse((canvas as HTMLElement).dataset.yTicks!) as [string, number][]);
  const check = async (what: string) => {
    for (const [width, height] of [
      [1280, 720],
      [1440, 900],
    ]) {
      await page.setViewportSize({ width, height });
      await expect.poll(async () => (await ticks()).length).toBeGreaterThan(0);
      const shown = await ticks();
      expect(shown.length, `${what} at ${width}`).toBeLessThanOrEqual(5);
      expect(shown.length, `${what} at ${width}`).toBeGreaterThanOrEqual(2);
      // 12-pixel labels, one line each (14.4 pixels): centred at least a line apart, they do not touch.
      const positions = shown.map(([, y]) => y).sort((a, b) => a - b);
      for (let i = 1; i < positions.length; i++)
        expect(positions[i] - positions[i - 1], `${what} at ${width}: ${JSON.stringify(shown)}`).toBeGreaterThanOrEqual(15);
    }
  };
  // Iris on its sepals: a loss from 1.1 to 0.2 or so, within a decade, where Chart.js's labels crowded (0.29, 0.25, 0.2).
  await page.selectOption('#column-x', { label: 'sepal_length' });
  await page.selectOption('#column-y', { label: 'sepal_width' });
  await page.waitForSelector('#status[data-state="idle"]');
  expect(await train()).toBe('done');
  await check('iris');
  await page.click('#reset');
  await page.waitForSelector('#status[data-state="idle"]');
  await check('an empty chart');
}, 60_000);

it('answers the keyboard: a visible focus ring on the checked backend, the file picker once per key, Escape', async () => {
  await page.setViewportSize({ width: 1280, height: 720 });
  try {
    // The checked button is solid blue: its ring has a white line inside the dark one.
    await page.focus('#epochs');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe('wasm');
    const ring = await page.$eval('input[value="wasm"] + span', (span) => getComputedStyle(span).boxShadow);
    expect(ring).toContain('rgb(255, 255, 255)');
    expect(ring).toContain('rgb(29, 78, 216)');

    // The picker opens once per key press on "choose a file" (not also through the drop zone around it), and from the zone itself.
    await page.evaluate(() => {
      const file = document.getElementById('file')!;
      (window as unknown as { pickerOpened: number }).pickerOpened = 0;
      file.addEventListener('click', (event) => {
        (window as unknown as { pickerOpened: number }).pickerOpened++;
        event.preventDefault(); // no picker in the test
      });
    });
    const opened = () => page.evaluate(() => (window as unknown as { pickerOpened: number }).pickerOpened);
    await page.focus('#browse');
    await page.keyboard.press('Enter');
    expect(await opened()).toBe(1);
    await page.keyboard.press('Space');
    expect(await opened()).toBe(2);
    await page.focus('#drop');
    await page.keyboard.press('Enter');
    expect(await opened()).toBe(3);

    // Escape dismisses the message.
    await page.fill('#layers', 'abc');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#message:not([hidden])');
    await page.keyboard.press('Escape');
    expect(await page.isHidden('#message')).toBe(true);
    await page.fill('#layers', '8, 4');
  } finally {
    await page.setViewportSize({ width: 1440, height: 900 });
  }
});

it('logs no error on the page', () => {
  expect(errors).toEqual([]);
});
