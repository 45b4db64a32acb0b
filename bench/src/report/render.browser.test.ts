/**
 * report.html as a person sees it: headless Chromium (Debian package `chromium`) screenshots the
 * fixture's report, and the charts must show in it. REPORT_SCREENSHOT=<file.png> keeps the shot.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { writeReport } from './render';
import { PALETTE } from './svg';
import { FIXTURE_RAW, fixtureReport } from './testing/fixture';
import { CHROMIUM, screenshot } from './testing/browser';
import { decodePng, rgbAt, type DecodedImage } from './testing/png';

const WIDTH = 1280;
const HEIGHT = 2400;

function hex(colour: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16)) as [number, number, number];
}

const near = (a: readonly number[], b: readonly number[], tolerance: number): boolean => a.every((v, i) => Math.abs(v - (b[i] ?? 0)) <= tolerance);

/** The box around every pixel of `colour`, and how many there are. */
function footprint(image: DecodedImage, colour: string): { count: number; top: number; bottom: number; left: number; right: number } {
  const target = hex(colour);
  const box = { count: 0, top: Infinity, bottom: -1, left: Infinity, right: -1 };
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (!near(rgbAt(image, x, y), target, 6)) continue;
      box.count += 1;
      box.top = Math.min(box.top, y);
      box.bottom = Math.max(box.bottom, y);
      box.left = Math.min(box.left, x);
      box.right = Math.max(box.right, x);
    }
  }
  return box;
}

void describe('report.html in Chromium', () => {
  let root: string;
  let image: DecodedImage;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium fonts-dejavu-core (or set CHROMIUM)`);
    root = await mkdtemp(join(tmpdir(), 'report-browser-'));
    const files = await writeReport(join(root, 'report'), fixtureReport(), FIXTURE_RAW);
    const png = join(root, 'report.png');
    await screenshot(pathToFileURL(files.reportHtml).href, png, join(root, 'profile'), WIDTH, HEIGHT);
    if (process.env.REPORT_SCREENSHOT) await copyFile(png, process.env.REPORT_SCREENSHOT);
    image = decodePng(await readFile(png));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  void it('takes a full-size screenshot', () => {
    assert.deepEqual([image.width, image.height], [WIDTH, HEIGHT]);
  });

  void it('shows the first chart: bars in both engines’ colours, with text and axes among them', () => {
    const http = footprint(image, PALETTE[0]);
    const caliper = footprint(image, PALETTE[1]);
    assert.ok(http.count > 2000, `${http.count} pixels of the first series' colour`);
    assert.ok(caliper.count > 2000, `${caliper.count} pixels of the second series' colour`);
    // The paper comparison chart comes first; its bars lie in the upper half of the page.
    assert.ok(http.top < HEIGHT / 2 && caliper.top < HEIGHT / 2, `first bars at y=${http.top} and y=${caliper.top}`);

    const region = { top: Math.min(http.top, caliper.top), bottom: Math.min(http.top, caliper.top) + 200, left: 0, right: WIDTH };
    const colours = new Set<string>();
    for (let y = region.top; y < region.bottom; y++) {
      for (let x = region.left; x < region.right; x++) {
        const rgb = rgbAt(image, x, y);
        if (!rgb.every((v) => v > 245)) colours.add(rgb.join(','));
      }
    }
    assert.ok(colours.size >= 3, `${colours.size} distinct non-white colours where the first chart is`);
  });
});
