/** The app's channels: its info, the folder picker, the workspace. */
import type { ParaspineApi } from '../../shared/contract';
import { ApiError, type ApiContext } from './context';

export function appChannels(ctx: ApiContext): Pick<ParaspineApi, 'app:info' | 'folder:pick' | 'workspace:set' | 'settings:setRater'> {
  const { opts, access, settings, userTyped, appInfo } = ctx;
  return {
    async 'app:info'() {
      return appInfo();
    },

    async 'folder:pick'() {
      if (!opts.pickFolder) throw new ApiError('folder:pick is not available in the browser: type the folder path instead');
      const folder = await opts.pickFolder();
      if (folder === null) return null;
      return access.grant(folder);
    },

    async 'workspace:set'(folder) {
      const real = userTyped ? await access.grant(folder) : await access.check(folder);
      await settings.update((s) => {
        s.workspace = real;
      });
      return appInfo();
    },

    async 'settings:setRater'(name) {
      await settings.update((s) => {
        s.rater = name.trim();
      });
      return appInfo();
    },
  };
}
