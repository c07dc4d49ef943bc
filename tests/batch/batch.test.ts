/**
 * `paraspine batch` and `paraspine merge` on a generated cohort (cohort.ts), run as the built command
 * line (bin/paraspine.mjs: worker threads and kill -9 need a process of their own). Expected rows are
 * those `paraspine measure` prints for each series alone, and the phantom's own truth (20 pixels at
 * 46 HU; the muscle phantom's psoas of 32 pixels beside a 96-pixel iliacus in its iliopsoas mask, and its
 * autochthon of 288 pixels: measure's default mapping takes the psoas alone and parts the autochthon into
 * multifidus and erector spinae, the multifidus share within L3's published band, 0.12..0.34).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { BIN, BLOCK, ROOT, writeCohort, type Cohort } from './cohort';

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const read = (f: string) => readFileSync(f, 'utf8');
const lines = (f: string) => read(f).trimEnd().split('\n');

let dir: string;
let cohort: Cohort;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'paraspine-batch-'));
  cohort = writeCohort(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('paraspine batch on a generated cohort', () => {
  let whole: string;
  let first: ReturnType<typeof run>;
  beforeAll(() => {
    whole = join(dir, 'whole.csv');
    first = run('batch', cohort.manifest, '--out', whole, '--jobs', '2');
  }, 120_000);

  it('exits 3 and names both bad rows (missing folder, folder without CT); the others are done', () => {
    expect(first.code).toBe(3);
    expect(first.stdout).toBe('');
    expect(first.stderr).toContain('batch: 5 done, 2 failed of 7 rows on 2 worker threads;');
    expect(first.stderr).toMatch(/row 4 \(gone\): failed: .*missing-folder: no such file or folder/);
    expect(first.stderr).toMatch(/row 7 \(no-ct\): failed: .*not-ct.*CT series found: none/);
    const status = parse(read(`${whole}.status.csv`), { columns: true }) as Record<string, string>[];
    expect(status.map((s) => `${s.row} ${s.id} ${s.state}`)).toEqual([
      '1 p-explicitLE done',
      '2 muscle, masks done',
      '3 p-implicitLE done',
      '4 gone failed',
      '5 p-rle done',
      '6 p-deflatedLE done',
      '7 no-ct failed',
    ]);
    expect(status.filter((s) => s.state === 'done').every((s) => s.reason === '')).toBe(true);
    expect(status.filter((s) => s.state === 'failed').every((s) => s.reason !== '' && !s.reason!.includes('\n'))).toBe(true);
  });

  it('each row is what measure prints for that series alone, with the id first', () => {
    const got = lines(whole);
    const measured = (row: (typeof cohort.rows)[number]) => {
      const args = ['measure', join(dir, row.series), '--format', 'csv'];
      if (row.masks) args.push('--masks', join(dir, row.masks));
      if (row.annotations) args.push('--annotations', join(dir, row.annotations));
      if (row.levels) args.push('--levels', row.levels);
      const r = run(...args);
      expect(r.code).toBe(0);
      return lines2(r.stdout);
    };
    const lines2 = (s: string) => s.trimEnd().split('\n');
    const cell = (id: string) => (/[",]/.test(id) ? `"${id.replace(/"/g, '""')}"` : id);
    const done = cohort.rows.filter((r) => !cohort.bad.includes(r.id));
    const expected: string[] = [];
    let header = '';
    for (const row of done) {
      const [h, ...body] = measured(row);
      header = h!;
      expected.push(...body.map((l) => `${cell(row.id)},${l}`));
    }
    expect(got[0]).toBe(`id,${header}`);
    expect(got.slice(1)).toEqual(expected);
    // the truth of the phantoms, independent of measure
    const recs = parse(read(whole), { columns: true }) as Record<string, string>[];
    for (const enc of ['explicitLE', 'implicitLE', 'rle', 'deflatedLE']) {
      const r = recs.filter((x) => x.id === `p-${enc}`);
      expect(r.map((x) => [x.sliceIndex, x.pixels, x.meanHu].map(Number))).toEqual([[BLOCK.slice, BLOCK.pixels, BLOCK.hu]]);
    }
    const muscle = recs.filter((x) => x.id === 'muscle, masks');
    expect(muscle.map((x) => `${x.structure} ${x.muscle} ${x.sourceKind}`)).toEqual(['iliopsoas_left psoas mask-split', 'autochthon_left erectorSpinae mask-split', 'autochthon_left multifidus mask-split']);
    expect(muscle.map((x) => x.source)).toEqual(['iliopsoas_left: psoas component nearest the spine', 'autochthon_left: lateral part (fat-plane split)', 'autochthon_left: medial part (fat-plane split)']);
    const [psoas, es, mf] = muscle.map((x) => Number(x.pixels)) as [number, number, number];
    expect([psoas, es + mf]).toEqual([32, 288]);
    expect(mf / 288).toBeGreaterThanOrEqual(0.12);
    expect(mf / 288).toBeLessThanOrEqual(0.34);
    expect(recs.filter((x) => x.id === 'p-rle').map((x) => [x.source, x.sourceKind])).toEqual([['outline', 'outline']]);
  });

  it('--no-split: the masks raw (128-pixel iliopsoas, 288-pixel autochthon); rows without masks are measured as before', () => {
    const raw = join(dir, 'raw.json');
    const r = run('batch', cohort.manifest, '--out', raw, '--format', 'json', '--jobs', '1', '--no-split');
    expect([r.code, r.stdout]).toEqual([3, '']);
    const doc = JSON.parse(read(raw)) as { rows: { id: string; state: string; result?: { mapping?: string; measurements: { pixels: number; source: string; sourceKind: string }[] } }[] };
    expect(doc.rows.filter((x) => x.state === 'done').map((x) => `${x.id} ${x.result!.mapping ?? '-'} ${x.result!.measurements.map((m) => `${m.pixels} ${m.sourceKind} ${m.source}`).join('+')}`)).toEqual([
      'p-explicitLE - 20 outline outline',
      'muscle, masks raw 128 mask iliopsoas_left+288 mask autochthon_left',
      'p-implicitLE - 20 outline outline',
      'p-rle - 20 outline outline',
      'p-deflatedLE - 20 outline outline',
    ]);
  });

  it('--jobs 1 writes the same bytes as --jobs 2; the JSON format keeps stdout clean', () => {
    const one = join(dir, 'one.csv');
    const r1 = run('batch', cohort.manifest, '--out', one, '--jobs', '1');
    expect(r1.code).toBe(3);
    expect(r1.stderr).toMatch(/batch: 5 done, 2 failed of 7 rows;/); // in the main thread
    expect(read(one)).toBe(read(whole));
    expect(read(`${one}.status.csv`)).toBe(read(`${whole}.status.csv`));
    const js = join(dir, 'whole.json');
    const r = run('batch', cohort.manifest, '--out', js, '--format', 'json', '--jobs', '2');
    expect([r.code, r.stdout]).toEqual([3, '']);
    const doc = JSON.parse(read(js)) as { rows: { id: string; state: string; result?: { measurements: { pixels: number }[] } }[] };
    const muscleRow = doc.rows.find((x) => x.id === 'muscle, masks')!.result!.measurements.map((m) => m.pixels);
    expect([muscleRow.length, muscleRow[0], muscleRow[1]! + muscleRow[2]!]).toEqual([3, 32, 288]); // psoas; erector spinae + multifidus
    expect(doc.rows.map((x) => `${x.id} ${x.state} ${x.result?.measurements.map((m) => m.pixels).join('+') ?? '-'}`)).toEqual([
      'p-explicitLE done 20',
      `muscle, masks done ${muscleRow.join('+')}`,
      'p-implicitLE done 20',
      'gone failed -',
      'p-rle done 20',
      'p-deflatedLE done 20',
      'no-ct failed -',
    ]);
  });

  it('shards (every N-th row from I) merge to the whole, byte for byte', () => {
    const shards = [0, 1, 2].map((i) => join(dir, `shard${i}.csv`));
    shards.forEach((s, i) => {
      const r = run('batch', cohort.manifest, '--out', s, '--shard', `${i}/3`, '--jobs', '1');
      expect([0, 3]).toContain(r.code);
    });
    expect(lines(`${shards[1]!}.status.csv`).slice(1).map((l) => l.split(',')[0])).toEqual(['2', '5']);
    const merged = join(dir, 'merged.csv');
    const m = run('merge', merged, shards[2]!, shards[0]!, shards[1]!);
    expect(m.code).toBe(0);
    expect(read(merged)).toBe(read(whole));
    expect(read(`${merged}.status.csv`)).toBe(read(`${whole}.status.csv`));
    // JSON shards merge to the JSON of the whole as well
    const jsonShards = [0, 1].map((i) => join(dir, `shard${i}.json`));
    jsonShards.forEach((s, i) => expect(run('batch', cohort.manifest, '--out', s, '--shard', `${i}/2`, '--format', 'json', '--jobs', '1').code).toBe(3));
    const wholeJson = join(dir, 'whole2.json');
    expect(run('batch', cohort.manifest, '--out', wholeJson, '--format', 'json', '--jobs', '1').code).toBe(3);
    const mergedJson = join(dir, 'merged.json');
    expect(run('merge', mergedJson, ...jsonShards).code).toBe(0);
    expect(read(mergedJson)).toBe(read(wholeJson));
    // a shard given twice is refused, naming it
    const twice = run('merge', join(dir, 'twice.csv'), shards[0]!, shards[0]!);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('shard0.csv: row 1 is in');
  });

  it('nothing could run: exit 1; usage errors: exit 2; a malformed manifest is named with its line', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'series,annotations\nmissing-folder,s-rle.json\nnot-ct,s-rle.json\n');
    expect(run('batch', bad, '--out', join(dir, 'bad-out.csv')).code).toBe(1);
    const malformed = join(dir, 'malformed.csv');
    writeFileSync(malformed, 'series,id\ns-rle,a\n# a comment\ns-rle,b,extra\n');
    const r = run('batch', malformed, '--out', join(dir, 'm-out.csv'));
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/malformed\.csv: not a valid manifest: .*line 4$/);
    expect(run('batch', cohort.manifest).code).toBe(2);
    expect(run('batch', cohort.manifest, '--out', join(dir, 'x.csv'), '--shard', '3/3').code).toBe(2);
    expect(run('batch', cohort.manifest, '--out', join(dir, 'x.csv'), '--masks', 'm').code).toBe(2);
  });
});

describe('--resume after kill -9', () => {
  it('loses no finished row and measures no done row again', async () => {
    const d = mkdtempSync(join(tmpdir(), 'paraspine-resume-'));
    try {
      const c = writeCohort(d, 6); // 27 rows
      const out = join(d, 'r.csv');
      const parts = join(d, 'r.csv.parts');
      const child = spawn(process.execPath, [BIN, 'batch', c.manifest, '--out', out, '--jobs', '1'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr1 = '';
      child.stderr.on('data', (b: Buffer) => (stderr1 += b.toString()));
      const count = () => (existsSync(parts) ? readdirSync(parts).filter((n) => /^\d+\.json$/.test(n)).length : 0);
      while (count() < 3 && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      expect(existsSync(out)).toBe(false); // killed before the end
      const kept = readdirSync(parts).filter((n) => /^\d+\.json$/.test(n));
      expect(kept.length).toBeGreaterThanOrEqual(3);
      expect(kept.length).toBeLessThan(c.rows.length);
      const before = new Map(kept.map((n) => [n, { text: read(join(parts, n)), mtime: statSync(join(parts, n)).mtimeMs }]));
      const doneBefore = [...before.values()].map((p) => JSON.parse(p.text) as { row: number; state: string }).filter((p) => p.state === 'done').map((p) => p.row);

      const resumed = run('batch', c.manifest, '--out', out, '--jobs', '1', '--resume');
      expect(resumed.code).toBe(3);
      // the rows done before are kept, not measured again; every other row is measured once
      const kept2 = [...resumed.stderr.matchAll(/row (\d+) \([^)]*\): done before, kept/g)].map((m) => Number(m[1]));
      const measured = [...resumed.stderr.matchAll(/row (\d+) \([^)]*\): (done$|failed: )/gm)].map((m) => Number(m[1]));
      expect(kept2.sort((a, b) => a - b)).toEqual(doneBefore.sort((a, b) => a - b));
      expect(measured.filter((r) => doneBefore.includes(r))).toEqual([]);
      expect(new Set(measured).size).toBe(measured.length);
      expect(measured.length + kept2.length).toBe(c.rows.length);
      for (const row of doneBefore) {
        const p = before.get(`${row}.json`)!;
        expect(read(join(parts, `${row}.json`))).toBe(p.text);
        expect(statSync(join(parts, `${row}.json`)).mtimeMs).toBe(p.mtime);
      }
      // the result is that of a run never interrupted
      const fresh = join(d, 'fresh.csv');
      expect(run('batch', c.manifest, '--out', fresh, '--jobs', '1').code).toBe(3);
      expect(read(out)).toBe(read(fresh));
      expect(read(`${out}.status.csv`)).toBe(read(`${fresh}.status.csv`));
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  }, 180_000);
});
