// Renders resources/icon.svg into the icon files packaging needs (electron-builder.yml):
//   resources/icons/NxN.png (16..1024, Linux), resources/icon.png (1024), resources/icon.ico (Windows),
//   resources/icon.icns (macOS). Run by hand after changing the SVG: `node scripts/build-icons.mjs`
// (needs the system Chromium, as the e2e tests do). The outputs are committed.
// The ICO and ICNS containers are written here: each is a small header and a table of PNG images
// (ICO: 6-byte header + 16-byte entries, PNG payloads since Vista; ICNS: 'icns' + typed PNG chunks since
// OS X 10.7), a few lines that need no package (electron-builder would otherwise need its own tool chain
// at build time, and none of the packages we have writes either format).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { decode } from 'fast-png';

export const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
/** ICNS chunk types of PNG images by size (Apple's icns types). */
export const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
];

export function ico(images /* [size, png][] */) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(([size, png], i) => {
    const e = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, e); // 0 means 256
    header.writeUInt8(size >= 256 ? 0 : size, e + 1);
    header.writeUInt8(0, e + 2); // no palette
    header.writeUInt8(0, e + 3);
    header.writeUInt16LE(1, e + 4); // planes
    header.writeUInt16LE(32, e + 6); // bits per pixel
    header.writeUInt32LE(png.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map(([, png]) => png)]);
}

export function icns(chunks /* [type, png][] */) {
  const parts = chunks.map(([type, png]) => {
    const h = Buffer.alloc(8);
    h.write(type, 0, 'latin1');
    h.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([h, png]);
  });
  const h = Buffer.alloc(8);
  h.write('icns', 0, 'latin1');
  h.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4);
  return Buffer.concat([h, ...parts]);
}

async function render() {
  const svg = readFileSync('resources/icon.svg', 'utf8');
  const browser = await chromium.launch({ executablePath: process.env.PARASPINE_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  const pngs = new Map();
  try {
    for (const size of PNG_SIZES) {
      const page = await browser.newPage({ viewport: { width: size, height: size } });
      const sized = svg.replace('width="1024" height="1024"', `width="${size}" height="${size}"`);
      await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${sized}</body></html>`);
      const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
      const img = decode(png);
      if (img.width !== size || img.height !== size) throw new Error(`rendered ${img.width}x${img.height}, not ${size}x${size}`);
      pngs.set(size, png);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  mkdirSync('resources/icons', { recursive: true });
  for (const [size, png] of pngs) writeFileSync(`resources/icons/${size}x${size}.png`, png);
  writeFileSync('resources/icon.png', pngs.get(1024));
  writeFileSync('resources/icon.ico', ico(ICO_SIZES.map((s) => [s, pngs.get(s)])));
  writeFileSync('resources/icon.icns', icns(ICNS_TYPES.map(([t, s]) => [t, pngs.get(s)])));
}

if (import.meta.url === `file://${process.argv[1]}`) await render();
