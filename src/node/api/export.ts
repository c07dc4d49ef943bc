/** The export channel: write an export the renderer made into the workspace's exports folder. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ParaspineApi } from '../../shared/contract';
import { exportFileName } from '../../core/export/formats';
import { writeFileAtomic } from '../atomicWrite';
import { checkExportBody } from '../exports';
import { documentStem } from '../workspace';
import { ApiError, type ApiContext } from './context';

export function exportChannels(ctx: ApiContext): Pick<ParaspineApi, 'export:write'> {
  const { access, workspace } = ctx;
  return {
    async 'export:write'({ format, seriesUid, body }) {
      // The renderer computed the bytes (core's export on the volume it holds); this checks and writes them as given.
      checkExportBody(format, body);
      const ws = await workspace();
      const dir = path.join(ws, 'exports');
      const file = path.join(dir, exportFileName(documentStem(seriesUid), format));
      await fs.mkdir(dir, { recursive: true });
      // exports/ must really be inside the workspace (not a link to elsewhere), and so must the file.
      const realDir = await fs.realpath(dir);
      if (!isInside(ws, realDir)) throw new ApiError(`export: ${dir} leads outside the workspace ${ws}: not written`);
      const realFile = await access.check(file);
      if (!isInside(ws, realFile)) throw new ApiError(`export: ${file} is outside the workspace ${ws}: not written`);
      await writeFileAtomic(file, body);
      return { path: file };
    },
  };
}

/** Whether a real path is the real folder `root` or inside it. */
function isInside(root: string, real: string): boolean {
  const rel = path.relative(root, real);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
