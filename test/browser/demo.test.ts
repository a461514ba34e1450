/**
 * The playground (dist/demo, as `npm run demo` serves it) in real Chromium:
 * it trains the seed blobs to accuracy 1.000 in a worker and draws the
 * decision boundary; its menus follow the library's registries; the spiral
 * trains through softmax; both backends report a speed; a diverged run is
 * reported in view and cleared, and the next starts afresh; a bad field is
 * named on the first click of Train; a CSV loads from the file picker and
 * from a drop (csv-parse: quoted fields), a bad one is refused with a
 * message, and a wider one (examples/iris.csv) trains on the columns chosen.
 * Screenshots go to artifacts/.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveStatic, type StaticServer } from '../../scripts/serve.js';
import { ACTIVATION_NAMES, OPTIMIZER_NAMES } from '../../src/index.js';
import { launchChromium, type Browser } from './chromium.js';

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
  await page.goto(server.url);
  await page.waitForSelector('html[data-ready]');
  await mkdir(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

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
    let blue = 0, orange = 0, green = 0, white = 0;
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
    expect(await train()).toBe('done');
    expect(await chartPoints()).toEqual([2000, 2000]);

    await page.fill('#learning-rate', '1e300'); // continues the same network, which diverges
    expect(await train()).toBe('error');
    expect(await messageInView(1280, 720)).toBe(true);
    const message = await page.textContent('#message');
    expect(message).toMatch(/diverged/);
    expect(message).toMatch(/learning ?rate/i);
    // Cleared, not left as it was (or black from NaN predictions): the next Train is a new network.
    expect(await chartPoints()).toEqual([0, 0]);
    expect(await page.textContent('#epoch')).toBe('0');
    expect((await canvasColours()).white).toBeGreaterThan(0.8);

    await page.fill('#learning-rate', '20');
    expect(await train()).toBe('done');
    expect(await page.isHidden('#message')).toBe(true);
    expect(await page.textContent('#acc')).toBe('1.000');
    expect(await page.textContent('#epoch')).toBe('2,000');
    expect(await chartPoints()).toEqual([2000, 2000]); // this run's epochs, not drawn after the last run's
  } finally {
    await page.setViewportSize({ width: 1440, height: 900 });
  }
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
  await expect.poll(() => page.textContent('#output')).toMatch(/3 softmax units, categoricalCrossentropy/);
  expect(await train()).toBe('done');
  expect(Number(await page.textContent('#acc'))).toBeGreaterThan(0.9);
  const colours = await canvasColours();
  for (const hue of ['blue', 'orange', 'green'] as const) expect(colours[hue]).toBeGreaterThan(0.1);
  await page.screenshot({ path: `${ARTIFACTS}/demo-spiral.png` });
}, 120_000);

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
  await expect.poll(() => page.textContent('#message')).toMatch(/^quoted\.csv: 40 rows, 2 classes \(cat, big, dog\); features x, y/);
  expect(await page.$eval('body', (body) => body.classList.contains('dragging'))).toBe(false);
  expect(await legend()).toEqual(['cat, big', 'dog']);
  expect(await page.inputValue('#dataset')).toBe('csv');
  expect(await page.isHidden('#columns')).toBe(true); // three columns: nothing to choose
  expect(await train()).toBe('done');
  expect(await page.textContent('#acc')).toBe('1.000');
}, 120_000);

it('loads examples/iris.csv and trains on the two feature columns chosen', async () => {
  await page.setInputFiles('#file', `${ROOT}examples/iris.csv`);
  await expect.poll(() => page.textContent('#message')).toMatch(/^iris\.csv: 150 rows, 3 classes \(setosa, versicolor, virginica\); features sepal_length, sepal_width/);
  expect(await page.isVisible('#columns')).toBe(true);
  const chosen = () => page.$$eval('#columns select', (selects) => selects.map((s) => (s as HTMLSelectElement).selectedOptions[0].text));
  expect(await chosen()).toEqual(['sepal_length', 'sepal_width', 'species']);

  await page.selectOption('#column-x', { label: 'petal_length' });
  await page.selectOption('#column-y', { label: 'petal_width' });
  await expect.poll(() => page.textContent('#message')).toMatch(/features petal_length, petal_width standardised/);
  expect(await chosen()).toEqual(['petal_length', 'petal_width', 'species']);

  // The species as a feature: refused, naming the first cell that is not a number; the menus go back.
  await page.selectOption('#column-x', { label: 'species' });
  await page.waitForSelector('#message:not(.info):not([hidden])');
  expect(await page.textContent('#message')).toBe('iris.csv, line 2, column 5 (species): "setosa" is not a number');
  expect(await chosen()).toEqual(['petal_length', 'petal_width', 'species']);

  expect(await train()).toBe('done');
  expect(Number(await page.textContent('#acc'))).toBeGreaterThan(0.9);
  expect(await legend()).toEqual(['setosa', 'versicolor', 'virginica']);
  const colours = await canvasColours();
  for (const hue of ['blue', 'orange', 'green'] as const) expect(colours[hue]).toBeGreaterThan(0.05);
}, 120_000);

it('logs no error on the page', () => {
  expect(errors).toEqual([]);
});
