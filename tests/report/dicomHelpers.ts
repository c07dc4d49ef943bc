/** Shared by the SR and SEG tests: the 3 mm CT measured with its masks, dciodvfy, and reading DICOM back with dcmjs. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { measure, type MeasureResult } from './measure';
import { buildDicomReportInput, type DicomReportInput } from '../../src/core/report/dicomInput';

export const DATA = resolve(__dirname, '../../../shared/data');
export const ABDOMEN = join(DATA, 'ct-abdomen-3mm/dicom');
export const MASKS = join(DATA, 'ct-abdomen-3mm/masks');

/** `paraspine measure --levels auto --split-autochthon` on the 3 mm CT, and the DICOM report input made from it. */
export async function measuredAbdomen(): Promise<{ result: MeasureResult; input: DicomReportInput }> {
  const result = await measure({ folder: ABDOMEN, masks: MASKS, levels: 'auto', splitAutochthon: true });
  const input = buildDicomReportInput({ ...result.dicom!, records: result.measurements });
  return { result, input };
}

/** dciodvfy's messages on a file: errors and warnings (it writes them to stderr). */
export function dciodvfy(file: string): { errors: string[]; warnings: string[]; all: string } {
  const has = spawnSync('sh', ['-c', 'command -v dciodvfy']).status === 0;
  if (!has) throw new Error('dciodvfy is not installed (Debian: apt-get install dicom3tools)');
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  const all = `${r.stdout}${r.stderr}`;
  const lines = all.split('\n');
  return { errors: lines.filter((l) => /^Error/.test(l)), warnings: lines.filter((l) => /^Warning/.test(l)), all };
}

export function readDicom(file: string): NaturalDataset {
  const b = readFileSync(file);
  const dict = dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
}

/** The CT's files read with DCMTK's dcmdump (not our loader), as (SOPInstanceUID, z) in the order of z. */
export function ctInstancesByZ(folder: string): { uid: string; z: number }[] {
  const files = readdirSync(folder).map((f) => join(folder, f));
  const text = execFileSync('dcmdump', ['+P', '0008,0018', '+P', '0020,0032', '+F', ...files], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const uids = [...text.matchAll(/^\(0008,0018\) UI \[([\d.]+)\]/gm)].map((m) => m[1]!);
  const zs = [...text.matchAll(/^\(0020,0032\) DS \[([^\]]+)\]/gm)].map((m) => Number(m[1]!.split('\\')[2]));
  if (uids.length !== files.length || zs.length !== files.length) throw new Error(`dcmdump gave ${uids.length} UIDs and ${zs.length} positions for ${files.length} files`);
  return uids.map((uid, n) => ({ uid, z: zs[n]! })).sort((a, b) => a.z - b.z);
}

/** A code item as scheme:value. */
export function codeOf(item: NaturalDataset | undefined): string {
  return item ? `${String(item['CodingSchemeDesignator'])}:${String(item['CodeValue'])}` : '';
}

/** Expected codes, written out here (not read from the app's table). */
export const MUSCLE_BY_CODE: Record<string, string> = {
  'SCT:68455001': 'psoas',
  'SCT:44947003': 'erectorSpinae',
  'SCT:5709001': 'multifidus',
  'SCT:6001004': 'quadratusLumborum',
  'SCT:244849004': 'autochthon',
};
export const SIDE_BY_CODE: Record<string, string> = { 'SCT:7771000': 'left', 'SCT:24028007': 'right' };
