/** The mask import channel: levels and outlines from segmentation masks of a series (node/importMasks.ts). */
import type { ParaspineApi } from '../../shared/contract';
import { importMasks } from '../importMasks';
import type { ApiContext } from './context';

export function maskChannels(ctx: ApiContext): Pick<ParaspineApi, 'masks:import'> {
  const { access, masks, now, userTyped, resolve } = ctx;
  return {
    async 'masks:import'(req) {
      return importMasks({ access, masks, userTyped, now, resolve }, req);
    },
  };
}
