/** The app version for the command line (which may import node, not shared): the one constant in shared/appVersion. */
export { APP_VERSION } from '../shared/appVersion';
