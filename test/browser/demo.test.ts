/**
 * The playground (dist/demo, as `npm run demo` serves it) in real Chromium:
 * it trains the seed blobs to accuracy 1.000 in a worker and draws the
 * decision boundary; its menus follow the library's registries; the spiral
 * trains through softmax; both backends report a speed; a CSV loads, and a
 * bad one is refused with a message. Screenshots go to artifacts/.
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
  expect(await page.textContent('#message')).toBe('bad.csv, line 3: the feature "oops" is not a number');
}, 120_000);

it('logs no error on the page', () => {
  expect(errors).toEqual([]);
});
