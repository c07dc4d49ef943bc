/**
 * The export channels: write an export the renderer made into the workspace's exports folder
 * (export:write), and make a report of the current document through the command line's code
 * (export:report: measureSeries + encodeExport) and write it there the same way.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { rootOf, type ParaspineApi, type SeriesLocator } from '../../shared/contract';
import { exportFileName, type ExportFormat } from '../../core/export/formats';
import { writeFileAtomic } from '../atomicWrite';
import { checkExportBody, encodeExport } from '../exports';
import { measureSeries, type SeriesRef } from '../measureSeries';
import { documentStem } from '../workspace';
import { ApiError, type ApiContext } from './context';

/** Writes `name` into the workspace's exports folder (checked to lie inside it), atomically; export:write, export:report and agreement:pdf. */
export async function writeWorkspaceExport(ctx: ApiContext, name: string, body: Uint8Array): Promise<string> {
  const ws = await ctx.workspace();
  const dir = path.join(ws, 'exports');
  const file = path.join(dir, name);
  await fs.mkdir(dir, { recursive: true });
  // exports/ must really be inside the workspace (not a link to elsewhere), and so must the file.
  const realDir = await fs.realpath(dir);
  if (!isInside(ws, realDir)) throw new ApiError(`export: ${dir} leads outside the workspace ${ws}: not written`);
  const realFile = await ctx.access.check(file);
  if (!isInside(ws, realFile)) throw new ApiError(`export: ${file} is outside the workspace ${ws}: not written`);
  await writeFileAtomic(file, body);
  return file;
}

export function exportChannels(ctx: ApiContext): Pick<ParaspineApi, 'export:write' | 'export:report'> {
  const { workspace } = ctx;
  /** Writes `<stem>.measurements.<ext>` into the workspace's exports folder (checked to lie inside it), atomically. */
  const writeExport = (format: ExportFormat, seriesUid: string, body: Uint8Array): Promise<string> => writeWorkspaceExport(ctx, exportFileName(documentStem(seriesUid), format), body);
  return {
    async 'export:write'({ format, seriesUid, body }) {
      // The renderer computed the bytes (core's export on the volume it holds); this checks and writes them as given.
      checkExportBody(format, body);
      return { path: await writeExport(format, seriesUid, body) };
    },
    async 'export:report'({ format, series, document, heightM, sex, paper }) {
      await workspace(); // refused before the series is read when there is no workspace
      const leftOut: string[] = [];
      const made = (await makeReports(ctx, { formats: [format], series, document, heightM, sex, paper }, (l) => leftOut.push(l)))[0]!;
      return { path: await writeExport(format, made.seriesUid, made.body), leftOut };
    },
  };
}

/** What makeReports needs: export:report's argument, with one or more formats. */
export interface ReportRequest {
  formats: readonly ExportFormat[];
  series: SeriesLocator;
  document: unknown;
  heightM?: number | null | undefined;
  sex?: 'M' | 'F' | null | undefined;
  paper?: 'a4' | 'letter' | undefined;
}

/**
 * The reports of a document, through the command line's code: the series read through its source and
 * measured once (measureSeries), each format encoded (encodeExport). export:report and pacs:store use it.
 */
export async function makeReports(ctx: ApiContext, req: ReportRequest, note: (line: string) => void): Promise<{ format: ExportFormat; seriesUid: string; studyUid: string; body: Uint8Array }[]> {
  const { locator, source } = await ctx.resolve(req.series);
  const ref: SeriesRef<SeriesLocator> = {
    source,
    root: ctx.gateFor(rootOf(locator)).label(rootOf(locator)),
    listRoot: rootOf(locator),
    seriesUid: locator.seriesUid,
    locate: (uid) => ({ ...locator, seriesUid: uid }),
  };
  const result = await measureSeries({ series: ref, annotationsDocument: req.document, annotationsName: 'the annotation document', keepVolume: true });
  const out = [];
  for (const format of req.formats) {
    const body = await encodeExport(format, {
      result,
      volume: result.volume,
      references: result.references,
      options: { paper: req.paper ?? 'a4', heightM: req.heightM ?? null, sex: req.sex ?? null },
      note,
    });
    out.push({ format, seriesUid: result.series.seriesInstanceUid, studyUid: result.series.studyInstanceUid, body });
  }
  return out;
}

/** Whether a real path is the real folder `root` or inside it. */
function isInside(root: string, real: string): boolean {
  const rel = path.relative(root, real);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
