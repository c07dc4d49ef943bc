#!/usr/bin/env node
// `npm run bench:ui`: how fast the viewer is in Chromium (browser mode, the same bridge as `npm run web`).
// Prints figures (medians over several runs) with their targets; asserts nothing and exits 0 unless the
// script itself breaks (a figure that cannot be measured is printed as skipped, with the reason).
//
//   1. first image, 112-slice 122 x 101 CT: click on the series row -> the axial viewport's first frame
//   2. first image, 20-slice 512 x 512 JPEG 2000 CT, cold (a fresh bridge per run, so it decodes)
//   3. scrolling at 512 x 512: ArrowUp/ArrowDown keydown -> the frame of the new slice, 30 steps
//   4. metrics table after an outline edit: the document change -> the table's DOM shows the new CSA
//   5. a 300-slice 512 x 512 RLE CT (generated once into a temporary folder: the test phantom, written
//      with tests/fixtures' DICOM writer and RLE encoder), cold: click -> first image, and click -> every
//      slice loaded (the store holds the whole volume)
//
// Every first-image figure also says when every slice was in (click -> the 'paraspine:volume-ready'
// mark): the app shows the first slice as soon as it is decoded and loads the rest behind it.
//
// Detection: the app's opt-in marks (src/renderer/perf.ts, switched on by an init script here):
// 'paraspine:rendered' is Cornerstone's IMAGE_RENDERED on the axial viewport (the canvas holds the new
// frame), with the image index shown; the first-image figures also wait until the viewport canvas has
// non-black pixels (checked in the page at each IMAGE_RENDERED) and print that time beside it. The table
// is watched with a MutationObserver. Times are performance.now() in the page (no CDP round trips),
// except the click itself, whose time is the click event's timeStamp.
//
// Options: --runs N (first-image runs of the 112-slice series, default 5), --cold-runs N (J2K runs,
// default 3), --big-runs N (runs of the 300-slice series, default 2), --big-slices N (its slices,
// default 300), --steps N (scroll steps, default 30), --edits N (table updates, default 20), --headed.
// Env: PARASPINE_CHROMIUM (default /usr/bin/chromium), PARASPINE_DATA (default ../shared/data).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : def;
};
const RUNS = opt('runs', 5);
const COLD_RUNS = opt('cold-runs', 3);
const BIG_RUNS = opt('big-runs', 2);
const BIG_SLICES = opt('big-slices', 300);
const STEPS = opt('steps', 30);
const EDITS = opt('edits', 20);
const HEADED = argv.includes('--headed');

const DATA = path.resolve(process.env.PARASPINE_DATA ?? path.join(root, '../shared/data'));
const ABDOMEN = path.join(DATA, 'ct-abdomen-3mm/dicom');
const J2K = path.join(DATA, 'ct-thorax-j2k/dicom');
const CHROMIUM = process.env.PARASPINE_CHROMIUM ?? '/usr/bin/chromium';
// The same as playwright.config.ts CHROMIUM_ARGS (a .ts file this plain script cannot import).
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const FRAME_MS = 1000 / 60;

// ---------------------------------------------------------------------------------------------- helpers

const log = (...a) => console.log(...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function withTimeout(p, ms, what) {
  let t;
  return Promise.race([p, new Promise((_, rej) => (t = setTimeout(() => rej(new Error(`${what}: no result within ${Math.round(ms / 1000)} s`)), ms)))]).finally(() => clearTimeout(t));
}
function quantile(xs, q) {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
}
const median = (xs) => quantile(xs, 0.5);
const fmtMs = (x) => (Number.isFinite(x) ? (x >= 100 ? `${Math.round(x)} ms` : `${x.toFixed(1)} ms`) : '—');

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Build the renderer (and the bridge bundle) when out/renderer is missing or older than its sources. */
function buildIfStale() {
  const index = path.join(root, 'out/renderer/index.html');
  const stale = !existsSync(index) || Math.max(newestMtime('src/renderer'), newestMtime('src/core'), newestMtime('src/shared')) > statSync(index).mtimeMs;
  if (!stale) return;
  log('Building the renderer (node scripts/web.mjs --build-only)...');
  const r = spawnSync(process.execPath, ['scripts/web.mjs', '--build-only'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`the renderer build failed (exit ${r.status})`);
}

/** Start the bridge like tests/e2e/bridge.ts: fresh user data and workspace, port 0, read the page URL. */
const bridges = new Set();
async function startBridge() {
  const base = mkdtempSync(path.join(os.tmpdir(), 'paraspine-bench-ui-'));
  const userData = path.join(base, 'user-data');
  const workspace = path.join(base, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const child = spawn(process.execPath, ['scripts/web.mjs', '--user-data', userData, '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PARASPINE_PORT: '' } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const bridge = {
    workspace,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        bridges.delete(bridge);
        const done = () => {
          rmSync(base, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(kill);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
  bridges.add(bridge);
  try {
    bridge.pageUrl = await withTimeout(
      new Promise((resolve, reject) => {
        const check = () => {
          const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[^\s]+)/.exec(out);
          if (m) resolve(m[1]);
        };
        child.stdout.on('data', check);
        child.on('exit', (code) => reject(new Error(`bridge exited with ${code}:\n${out}`)));
      }),
      120_000,
      'bridge start',
    );
  } catch (e) {
    await bridge.stop();
    throw e;
  }
  return bridge;
}

/** Init script of every bench page: switch the app's marks on; watch the axial canvas for a first image. */
function pageInit() {
  window.__paraspinePerfEnabled = true;
  const bench = {
    lastClick: null,
    /** performance.now() of the first IMAGE_RENDERED after arm() whose canvas has non-black pixels. */
    visibleAt: null,
    armed: false,
    arm() {
      this.visibleAt = null;
      this.armed = true;
    },
  };
  window.__bench = bench;
  document.addEventListener('click', (e) => (bench.lastClick = e.timeStamp), true);
  document.addEventListener(
    'CORNERSTONE_IMAGE_RENDERED',
    (e) => {
      if (!bench.armed || bench.visibleAt !== null) return;
      const t = performance.now();
      const el = e.target;
      if (!(el instanceof HTMLElement) || el.dataset.testid !== 'axial-viewport') return;
      const st = window.__paraspinePerf?.store.getState();
      if (!st?.shown && !st?.volume) return; // no series yet: nothing to look for (shown: its first slice is in)
      const canvas = el.querySelector('canvas');
      const ctx = canvas?.getContext('2d'); // Cornerstone's own 2D context (it exists: it just drew)
      if (!canvas || !ctx || canvas.width < 8 || canvas.height < 8) return;
      // The central square (the body is there): cheap enough not to delay the frame being timed.
      const w = Math.min(128, canvas.width);
      const h = Math.min(128, canvas.height);
      const px = ctx.getImageData((canvas.width - w) >> 1, (canvas.height - h) >> 1, w, h).data;
      let lit = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i] + px[i + 1] + px[i + 2] > 30) lit++;
      if (lit > (w * h) / 20) {
        bench.visibleAt = t;
        bench.armed = false;
      }
    },
    true,
  );
}

async function newAppPage(browser, bridge) {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
  context.setDefaultTimeout(60_000);
  await context.addInitScript(pageInit);
  const page = await context.newPage();
  page.on('pageerror', (e) => log(`  (page error: ${e.message})`));
  await page.goto(bridge.pageUrl);
  await page.waitForFunction(() => !!window.__paraspinePerf, null, { timeout: 30_000 });
  const input = page.getByTestId('workspace-input');
  const shown = page.getByTestId('workspace');
  await input.or(shown).first().waitFor();
  if (await input.isVisible()) {
    await input.fill(bridge.workspace);
    await input.press('Enter');
  }
  await shown.waitFor();
  return { page, close: () => context.close() };
}

async function openFolder(page, folder) {
  await page.getByTestId('folder-input').fill(folder);
  await page.getByTestId('open-folder').click();
  await page.getByTestId('series-row').first().waitFor({ timeout: 120_000 });
}

/**
 * Click the (first) series row; return the click -> first frame times (ms): `rendered` = the first
 * paraspine:rendered mark after the click that shows an image index with the series' first slice in
 * the store (its 'paraspine:first-slice' mark; a build without that mark: the whole volume), `visible` =
 * the canvas check, `load` = click -> every slice in the store (paraspine:volume-ready, waited for).
 */
async function firstImage(page, timeoutMs) {
  await page.evaluate(() => {
    window.__paraspinePerf.clear();
    window.__bench.arm();
  });
  await page.getByTestId('series-row').first().click();
  await page.waitForFunction(() => window.__bench.visibleAt !== null, null, { timeout: timeoutMs, polling: 50 });
  await page.waitForFunction(() => performance.getEntriesByName('paraspine:volume-ready').length > 0, null, { timeout: timeoutMs, polling: 50 });
  return page.evaluate(() => {
    const t0 = window.__bench.lastClick;
    const vol = performance.getEntriesByName('paraspine:volume-ready')[0]?.startTime ?? NaN;
    const first = performance.getEntriesByName('paraspine:first-slice')[0]?.startTime ?? vol;
    const rendered = performance.getEntriesByName('paraspine:rendered').find((m) => m.startTime >= first && m.detail?.index !== null)?.startTime ?? NaN;
    return { rendered: rendered - t0, visible: window.__bench.visibleAt - t0, load: vol - t0 };
  });
}

/** The 300-slice RLE series (scripts/bench-ui-series.ts, bundled here with esbuild into .bench/), written once. */
async function bigRleSeries(slices) {
  const outfile = path.join(root, '.bench', 'bench-ui-series.mjs');
  mkdirSync(path.dirname(outfile), { recursive: true });
  await build({ entryPoints: [path.join(root, 'scripts', 'bench-ui-series.ts')], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
  const { writeRleSeries } = await import(`${pathToFileURL(outfile).href}?t=${Date.now()}`);
  const t0 = performance.now();
  const r = writeRleSeries(path.join(os.tmpdir(), `paraspine-bench-ui-rle-${slices}x512`), slices);
  if (r.written) log(`  wrote ${slices} RLE slices of 512 x 512 to ${r.dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return r.dir;
}

/** Scroll `steps` slices with keydown events (ArrowUp, turning at the ends); per-step ms and the total. */
function scrollSteps(page, steps) {
  return page.evaluate(async (n) => {
    const store = window.__paraspinePerf.store;
    const slices = store.getState().volume.geometry.slices;
    const shown = () => window.__paraspineViewer?.currentImageIndex?.() ?? null;
    // The idle frame interval first (what one frame is in this browser; headless may not run at 60 Hz).
    const idle = [];
    let last = await new Promise((r) => requestAnimationFrame(r));
    for (let f = 0; f < 20; f++) {
      const now = await new Promise((r) => requestAnimationFrame(r));
      idle.push(now - last);
      last = now;
    }
    const times = [];
    let dir = 1;
    const start = performance.now();
    for (let s = 0; s < n; s++) {
      const cur = store.getState().sliceIndex;
      if (cur + dir < 0 || cur + dir >= slices) dir = -dir;
      const target = cur + dir;
      let t0 = 0;
      const rendered = new Promise((resolve) => {
        const on = (e) => {
          if (e.target?.dataset?.testid !== 'axial-viewport' || shown() !== target) return;
          clearTimeout(timer);
          document.removeEventListener('CORNERSTONE_IMAGE_RENDERED', on, true);
          resolve(performance.now());
        };
        const timer = setTimeout(() => {
          document.removeEventListener('CORNERSTONE_IMAGE_RENDERED', on, true);
          resolve(NaN);
        }, 5000);
        document.addEventListener('CORNERSTONE_IMAGE_RENDERED', on, true);
      });
      const key = dir > 0 ? 'ArrowUp' : 'ArrowDown';
      t0 = performance.now();
      window.dispatchEvent(new KeyboardEvent('keydown', { key, code: key, bubbles: true, cancelable: true }));
      const t1 = await rendered;
      times.push(t1 - t0);
      if (!Number.isFinite(t1)) break;
      await new Promise((r) => setTimeout(r, 0));
    }
    return { times, total: performance.now() - start, slices, idle };
  }, steps);
}

/**
 * Draw one outline (left psoas at L3, through the store) on the open 112-slice series, then edit it
 * `edits` times (scaled by 1.15 and back); per edit, ms from the editOutline call to the table's CSA
 * cell showing a new text (MutationObserver) and to the next animation frame after it.
 */
function tableUpdates(page, edits) {
  return page.evaluate(async (n) => {
    const store = window.__paraspinePerf.store;
    const st = store.getState();
    const g = st.volume.geometry;
    const k = Math.min(73, g.slices - 1);
    st.setSlice(k);
    st.setActiveLevel('L3');
    st.setActiveMuscle('psoas');
    st.setActiveSide('left');
    const lps = (i, j) => [0, 1, 2].map((a) => g.slicePositions[k][a] + i * g.columnSpacingMm * g.rowDirection[a] + j * g.rowSpacingMm * g.columnDirection[a]);
    const ring = (f) => Array.from({ length: 16 }, (_, t) => lps(75.5 + 5 * f * Math.cos((Math.PI * t) / 8), 58 + 7 * f * Math.sin((Math.PI * t) / 8)));
    const id = 'bench-ui-outline';
    st.addOutline(id, ring(1));
    const sel = '[data-testid="row-L3-psoas-left"] [data-col="areaMm2"]';
    const t = performance.now();
    while (!document.querySelector(sel)) {
      if (performance.now() - t > 10_000) throw new Error('the metrics table shows no row for the drawn outline');
      await new Promise((r) => setTimeout(r, 20));
    }
    const panel = document.querySelector('[data-testid="metrics"]');
    const dom = [];
    const frame = [];
    for (let e = 0; e < n; e++) {
      await new Promise((r) => setTimeout(r, 60));
      const before = document.querySelector(sel).textContent;
      const changed = new Promise((resolve) => {
        const mo = new MutationObserver(() => {
          const c = document.querySelector(sel);
          if (c && c.textContent !== before) {
            const now = performance.now();
            mo.disconnect();
            clearTimeout(timer);
            resolve(now);
          }
        });
        const timer = setTimeout(() => {
          mo.disconnect();
          resolve(NaN);
        }, 5000);
        mo.observe(panel, { subtree: true, childList: true, characterData: true });
      });
      const t0 = performance.now();
      store.getState().editOutline(id, ring(e % 2 === 0 ? 1.15 : 1), `bench-ui-${e}`);
      const t1 = await changed;
      const t2 = await new Promise((r) => requestAnimationFrame(() => r(performance.now())));
      dom.push(t1 - t0);
      frame.push(t2 - t0);
    }
    return { dom, frame };
  }, edits);
}

// ------------------------------------------------------------------------------------------------ main

const results = []; // { name, value, p90?, target, extra? } or { name, skipped }
let browser = null;

async function cleanup() {
  const b = browser;
  browser = null;
  await b?.close().catch(() => {});
  await Promise.all([...bridges].map((x) => x.stop().catch(() => {})));
}
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => void cleanup().finally(() => process.exit(130)));
// A hang anywhere must not keep the browser and the bridges alive.
const watchdog = setTimeout(() => {
  console.error('bench:ui: still running after 20 minutes, giving up');
  void cleanup().finally(() => process.exit(1));
}, 20 * 60_000);
watchdog.unref();

async function section(name, target, fn) {
  try {
    const r = await fn();
    results.push({ name, target, ...r });
  } catch (e) {
    const reason = String(e?.message ?? e).split('\n')[0];
    log(`  ${name}: skipped (${reason})`);
    results.push({ name, target, skipped: reason });
  }
}

function printTable(chromiumVersion) {
  const cpus = os.cpus();
  log('');
  log(`Paraspine UI bench: Chromium ${chromiumVersion} (${CHROMIUM}, software rendering), Node ${process.version}, ${cpus.length} CPU(s) ${cpus[0]?.model?.trim() ?? ''}, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  log('Medians over runs; noisy on a small shared machine: compare medians, rerun before concluding.');
  if (Number.isFinite(idleFrame)) log(`Idle frame interval in this browser: ${fmtMs(idleFrame)} (median requestAnimationFrame interval with nothing to do).`);
  const rows = [['figure', 'median', 'p90', 'target', 'met', 'notes']];
  for (const r of results) {
    if (r.skipped) rows.push([r.name, '—', '—', fmtMs(r.target), 'skip', r.skipped]);
    else rows.push([r.name, fmtMs(r.value), r.p90 === undefined ? '' : fmtMs(r.p90), fmtMs(r.target), !Number.isFinite(r.target) ? '' : r.value <= r.target ? 'met' : 'not met', r.notes ?? '']);
  }
  const w = rows[0].map((_, c) => Math.max(...rows.map((row) => String(row[c]).length)));
  for (const [i, row] of rows.entries()) {
    log(row.map((cell, c) => (c === 0 || c === 5 ? String(cell).padEnd(w[c]) : String(cell).padStart(w[c]))).join('  ').trimEnd());
    if (i === 0) log(w.map((n) => '-'.repeat(n)).join('  '));
  }
}

let chromiumVersion = '?';
let idleFrame = NaN; // median requestAnimationFrame interval of an idle app page
try {
  buildIfStale();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: !HEADED });
  chromiumVersion = browser.version();

  // 1 and 4: the 112-slice series, one bridge (the scan caches its headers, as in the app), fresh page per run.
  if (!existsSync(ABDOMEN)) {
    results.push({ name: 'first image, 112 x 122x101 CT', target: 300, skipped: `no data at ${ABDOMEN}` });
    results.push({ name: 'table update after an edit (DOM)', target: FRAME_MS, skipped: `no data at ${ABDOMEN}` });
  } else {
    const bridge = await startBridge();
    try {
      await section('first image, 112 x 122x101 CT', 300, async () => {
        const runs = [];
        for (let i = 0; i < RUNS; i++) {
          const { page, close } = await newAppPage(browser, bridge);
          try {
            await openFolder(page, ABDOMEN);
            const r = await firstImage(page, 60_000);
            log(`  first image 112-slice run ${i + 1}: ${fmtMs(r.visible)} (app mark ${fmtMs(r.rendered)}; click -> every slice in store ${fmtMs(r.load)})`);
            runs.push(r);
          } finally {
            await close();
          }
        }
        return {
          value: median(runs.map((r) => r.visible)),
          notes: `${runs.length} runs; app mark ${fmtMs(median(runs.map((r) => r.rendered)))}; click -> every slice in store ${fmtMs(median(runs.map((r) => r.load)))}`,
        };
      });
      let frames = null;
      await section('table update after an edit (DOM)', FRAME_MS, async () => {
        const { page, close } = await newAppPage(browser, bridge);
        try {
          await openFolder(page, ABDOMEN);
          await firstImage(page, 60_000);
          const r = await tableUpdates(page, EDITS);
          const ok = r.dom.filter(Number.isFinite);
          if (!ok.length) throw new Error('the table never showed a new value');
          frames = r.frame.filter(Number.isFinite);
          log(`  table updates (ms, edit -> DOM): ${r.dom.map((x) => x.toFixed(1)).join(' ')}`);
          log(`  table updates (ms, edit -> next frame): ${r.frame.map((x) => x.toFixed(1)).join(' ')}`);
          return { value: median(ok), p90: quantile(ok, 0.9), notes: `${ok.length}/${r.dom.length} edits of a 16-vertex outline; MutationObserver on the CSA cell` };
        } finally {
          await close();
        }
      });
      if (frames?.length) results.push({ name: 'table update after an edit (frame)', target: FRAME_MS, value: median(frames), p90: quantile(frames, 0.9), notes: 'the first requestAnimationFrame after the DOM change (the frame that can show it)' });
    } finally {
      await bridge.stop();
    }
  }

  // 2 and 3: the J2K series, a fresh bridge per run (nothing decoded or cached yet).
  if (!existsSync(J2K)) {
    results.push({ name: 'first image, 20 x 512² J2K, cold', target: 1500, skipped: `no data at ${J2K}` });
    results.push({ name: 'scroll step 512² (key -> frame)', target: FRAME_MS, skipped: `no data at ${J2K}` });
  } else {
    let scrollPage = null;
    let scrollBridge = null;
    try {
      await section('first image, 20 x 512² J2K, cold', 1500, async () => {
        const runs = [];
        for (let i = 0; i < COLD_RUNS; i++) {
          const bridge = await startBridge();
          let keep = false;
          const { page, close } = await newAppPage(browser, bridge).catch(async (e) => {
            await bridge.stop();
            throw e;
          });
          try {
            await openFolder(page, J2K);
            const r = await firstImage(page, 120_000);
            log(`  first image J2K cold run ${i + 1}: ${fmtMs(r.visible)} (app mark ${fmtMs(r.rendered)}; click -> every slice in store ${fmtMs(r.load)})`);
            runs.push(r);
            if (i === COLD_RUNS - 1) {
              keep = true; // the last page goes on to the scroll figure
              scrollPage = { page, close };
              scrollBridge = bridge;
            }
          } finally {
            if (!keep) {
              await close();
              await bridge.stop();
            }
          }
        }
        return {
          value: median(runs.map((r) => r.visible)),
          notes: `${runs.length} runs, fresh bridge each; app mark ${fmtMs(median(runs.map((r) => r.rendered)))}; click -> every slice in store ${fmtMs(median(runs.map((r) => r.load)))}`,
        };
      });
      await section('scroll step 512² (key -> frame)', FRAME_MS, async () => {
        if (!scrollPage) throw new Error('the J2K series did not open');
        await sleep(500);
        const r = await scrollSteps(scrollPage.page, STEPS);
        const ok = r.times.filter(Number.isFinite);
        if (ok.length < r.times.length) throw new Error(`step ${r.times.length} never rendered the new slice within 5 s`);
        log(`  scroll steps (ms): ${ok.map((x) => x.toFixed(1)).join(' ')}`);
        idleFrame = median(r.idle);
        const med = median(ok);
        return { value: med, p90: quantile(ok, 0.9), notes: `${ok.length} steps over ${r.slices} slices; ${(1000 / med).toFixed(1)} slices/s at the median, ${((1000 * ok.length) / r.total).toFixed(1)} slices/s overall` };
      });
    } finally {
      await scrollPage?.close().catch(() => {});
      await scrollBridge?.stop();
    }
  }
  // 5: a large compressed series, cold: first image and every slice loaded.
  {
    const first = `first image, ${BIG_SLICES} x 512² RLE, cold`;
    const all = `all slices loaded, ${BIG_SLICES} x 512² RLE, cold`;
    let big = null;
    try {
      big = await bigRleSeries(BIG_SLICES);
    } catch (e) {
      const reason = String(e?.message ?? e).split('\n')[0];
      results.push({ name: first, target: 1500, skipped: reason }, { name: all, target: NaN, skipped: reason });
    }
    if (big) {
      const runs = [];
      await section(first, 1500, async () => {
        for (let i = 0; i < BIG_RUNS; i++) {
          const bridge = await startBridge();
          try {
            const { page, close } = await newAppPage(browser, bridge);
            try {
              await openFolder(page, big);
              const r = await firstImage(page, 600_000);
              log(`  ${BIG_SLICES}-slice RLE cold run ${i + 1}: first image ${fmtMs(r.visible)} (app mark ${fmtMs(r.rendered)}); every slice in store ${fmtMs(r.load)}`);
              runs.push(r);
            } finally {
              await close();
            }
          } finally {
            await bridge.stop();
          }
        }
        return { value: median(runs.map((r) => r.visible)), notes: `${runs.length} runs, fresh bridge each; app mark ${fmtMs(median(runs.map((r) => r.rendered)))}` };
      });
      if (runs.length) results.push({ name: all, target: NaN, value: median(runs.map((r) => r.load)), notes: `${runs.length} runs: click -> the whole volume in the store (no target: it loads behind the first image)` });
    }
  }
  printTable(chromiumVersion);
} catch (e) {
  console.error(`bench:ui failed: ${e?.stack ?? e}`);
  process.exitCode = 1;
} finally {
  await cleanup();
  clearTimeout(watchdog);
}
