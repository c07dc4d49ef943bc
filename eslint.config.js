// Layering, enforced as errors in `npm test` (`npm run lint`). VS Code's `code-layering` rule is the model:
// the folder says which runtime the code may assume and which layers it may import.
//
//   layer          may import (inside src/)      may import (packages)
//   src/core       nothing                       dicom-parser, pako, zod (pure: no Node, DOM, Electron, React, Cornerstone)
//   src/shared     core                          zod, package.json
//   src/node       core, shared                  Node built-ins, codecs, zod (never electron, React or Cornerstone)
//   src/main       node, shared                  electron, Node built-ins
//   src/preload    shared (types)                electron
//   src/renderer   core, shared                  React, zustand, Cornerstone (only src/renderer/viewer)
//   src/cli        core, node                    Node built-ins
//
// Import cycles are errors everywhere in src/.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';

const LAYERS = ['core', 'shared', 'node', 'main', 'preload', 'renderer', 'cli'];
const ALLOWED = {
  core: [],
  shared: ['core'],
  node: ['core', 'shared'],
  main: ['node', 'shared'],
  preload: ['shared'],
  renderer: ['core', 'shared'],
  cli: ['core', 'node'],
};

/** import-x/no-restricted-paths zones: for each layer, every other layer it may not import. */
const zones = LAYERS.flatMap((layer) =>
  LAYERS.filter((other) => other !== layer && !ALLOWED[layer].includes(other)).map((other) => ({
    target: `./src/${layer}`,
    from: `./src/${other}`,
    message: ALLOWED[layer].length
      ? `src/${layer} may import only ${ALLOWED[layer].map((l) => `src/${l}`).join(', ')} (see eslint.config.js).`
      : `src/${layer} imports no other layer (see eslint.config.js).`,
  })),
);

const UI_PACKAGES = ['react', 'react-dom', 'react/*', 'react-dom/*', 'zustand', 'zustand/*'];
const CORNERSTONE = ['@cornerstonejs/core', '@cornerstonejs/core/*', '@cornerstonejs/tools', '@cornerstonejs/tools/*', '@cornerstonejs/dicom-image-loader', '@cornerstonejs/dicom-image-loader/*', '@cornerstonejs/metadata', '@cornerstonejs/metadata/*'];

const restrict = (patterns, message) => ({ group: patterns, message });

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'dist/**', 'test-results/**'] },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'import-x/no-nodejs-modules': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            restrict(['electron', ...UI_PACKAGES, '@cornerstonejs/*', 'nifti-reader-js'], 'src/core is pure: no Electron, React, zustand or Cornerstone.'),
          ],
        },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'import-x/no-nodejs-modules': 'error',
      'no-restricted-imports': ['error', { patterns: [restrict(['electron', ...UI_PACKAGES, '@cornerstonejs/*'], 'src/shared is pure types, schemas and tables.')] }],
    },
  },
  {
    files: ['src/node/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [restrict(['electron', ...UI_PACKAGES, ...CORNERSTONE], 'Node services and the CLI never import Electron, React or Cornerstone (codec packages are allowed).')] },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'import-x/no-nodejs-modules': 'error',
      'no-restricted-imports': ['error', { patterns: [restrict(['electron'], 'Only the Electron shell (src/main, src/preload) imports electron.')] }],
    },
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'],
    ignores: ['src/renderer/viewer/**'],
    rules: {
      'import-x/no-nodejs-modules': 'error',
      'no-restricted-imports': [
        'error',
        { patterns: [restrict(['electron'], 'Only the Electron shell imports electron.'), restrict(CORNERSTONE, 'Only src/renderer/viewer imports Cornerstone; it converts to and from core types.')] },
      ],
    },
  },
);
