import pkg from '../../package.json';

/** The app version (package.json), bundled at build time so main, the bridge and tests agree. */
export const APP_VERSION: string = (pkg as { version: string }).version;
