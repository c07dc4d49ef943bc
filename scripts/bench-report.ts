/**
 * Time to make the PDF report (printed by `npm run bench`, or alone with BENCH_ONLY=report; asserts
 * nothing): the 3 mm abdominal CT with its masks (levels auto: 4 level pages, key images 488 x 404 px)
 * and the 512 x 512 J2K thorax CT with its autochthon masks on one slice (--z), both from
 * ../shared/data (a line says so where it is missing). Median of several runs of renderPdfReport alone
 * (key images rasterised and PNG-encoded, text laid out, the font subset embedded), after the measure.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadSeriesFromFolder } from '../src/node/dicomFiles';
import { sliceZ } from '../src/core/geometry/volumeGeometry';
import { reportInput } from '../src/core/report/model';
import { renderPdfReport } from '../src/node/reports/pdf';
import { APP_VERSION } from '../src/node/appVersion';
import { WINDOW_PRESETS } from '../src/shared/windowPresets';
import { measuredWithKeyImages } from '../tests/report/measured';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function one(what: string, folder: string, masks: string, opts: { levels?: 'auto'; z?: number[] }, runs: number): Promise<void> {
  if (!existsSync(folder) || !existsSync(masks)) {
    process.stdout.write(`  ${what}: not found (${folder}), skipped\n`);
    return;
  }
  const t0 = performance.now();
  const { result, keyImages } = await measuredWithKeyImages(folder, masks, opts);
  const tMeasure = performance.now() - t0;
  const input = reportInput(result, { softwareVersion: APP_VERSION, madeAt: '2026-01-01T00:00:00.000Z', keyImages });
  const window = WINDOW_PRESETS.find((w) => w.id === 'muscle')!;
  const times: number[] = [];
  // CPU time too: on a shared, loaded machine the wall time says more about the neighbours than about the code.
  const cpu: number[] = [];
  let bytes = 0;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    const c = process.cpuUsage();
    bytes = (await renderPdfReport(input, { paper: 'a4', window })).length;
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
    times.push(performance.now() - t);
  }
  process.stdout.write(
    `  ${what}: PDF ${median(times).toFixed(0)} ms median of ${runs} (first ${times[0]!.toFixed(0)} ms; CPU ${median(cpu).toFixed(0)} ms), ${(bytes / 1024).toFixed(0)} KiB, ${keyImages.length} key image(s) of ${keyImages[0]?.columns}x${keyImages[0]?.rows}; measure + outlines ${tMeasure.toFixed(0)} ms\n`,
  );
}

/** `data`: the shared test data folder (../shared/data beside the checkout). */
export async function benchReport(data: string, runs = 5): Promise<void> {
  const ABDOMEN = join(data, 'ct-abdomen-3mm', 'dicom');
  const ABDOMEN_MASKS = join(data, 'ct-abdomen-3mm', 'masks');
  const THORAX = join(data, 'ct-thorax-j2k');
  process.stdout.write('\nPDF report (renderPdfReport, A4):\n');
  await one('3 mm abdominal CT, 122x101, levels auto', ABDOMEN, ABDOMEN_MASKS, { levels: 'auto' }, runs);
  const thoraxDicom = join(THORAX, 'dicom');
  if (existsSync(thoraxDicom)) {
    const { volume } = await loadSeriesFromFolder(thoraxDicom);
    const z = sliceZ(volume.geometry, Math.floor(volume.geometry.slices / 2));
    await one(`J2K thorax CT, 512x512, --z ${z}`, thoraxDicom, join(THORAX, 'masks'), { z: [z] }, runs);
  } else {
    process.stdout.write(`  J2K thorax CT: not found (${thoraxDicom}), skipped\n`);
  }
}
