import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The layering rules of eslint.config.js (run over src/ by `npm run lint`, part of `npm test`) catch
 * what they promise: each probe below is linted as if it were a file in the named layer.
 */
const ROOT = resolve(__dirname, '..');
const eslint = new ESLint({ cwd: ROOT });

async function problems(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: resolve(ROOT, file) });
  return r!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layer rules', () => {
  const refused: [string, string, RegExp][] = [
    ['src/core/probe.ts', "import { createApi } from '../node/api'; export const x = createApi;", /no-restricted-paths/],
    ['src/core/probe.ts', "import { channels } from '../shared/contract'; export const x = channels;", /no-restricted-paths/],
    ['src/core/probe.ts', "import { readFile } from 'node:fs/promises'; export const x = readFile;", /no-nodejs-modules/],
    ['src/core/probe.ts', "import React from 'react'; export const x = React;", /no-restricted-imports/],
    ['src/shared/probe.ts', "import { createApi } from '../node/api'; export const x = createApi;", /no-restricted-paths/],
    ['src/node/probe.ts', "import { app } from 'electron'; export const x = app;", /no-restricted-imports/],
    ['src/node/probe.ts', "import { handleKey } from '../renderer/keyboard'; export const x = handleKey;", /no-restricted-paths/],
    ['src/cli/probe.ts', "import { channels } from '../shared/contract'; export const x = channels;", /no-restricted-paths/],
    ['src/cli/probe.ts', "import { RenderingEngine } from '@cornerstonejs/core'; export const x = RenderingEngine;", /no-restricted-imports/],
    ['src/renderer/probe.ts', "import { createApi } from '../node/api'; export const x = createApi;", /no-restricted-paths/],
    ['src/renderer/probe.ts', "import path from 'node:path'; export const x = path;", /no-nodejs-modules/],
    ['src/renderer/components/probe.ts', "import { RenderingEngine } from '@cornerstonejs/core'; export const x = RenderingEngine;", /no-restricted-imports/],
    ['src/main/probe.ts', "import { handleKey } from '../renderer/keyboard'; export const x = handleKey;", /no-restricted-paths/],
    ['src/main/probe.ts', "import { measureSlice } from '../core/metrics/measure'; export const x = measureSlice;", /no-restricted-paths/],
  ];
  for (const [file, code, rule] of refused) {
    it(`refuses in ${file}: ${code.split(';')[0]}`, async () => {
      expect((await problems(file, code)).join('\n')).toMatch(rule);
    });
  }

  const allowed: [string, string][] = [
    ['src/shared/probe.ts', "import { DEFAULT_LEVELS } from '../core/anatomy/anatomy'; export const x = DEFAULT_LEVELS;"],
    ['src/node/probe.ts', "import { readFile } from 'node:fs/promises'; import { channels } from '../shared/contract'; import { DEFAULT_LEVELS } from '../core/anatomy/anatomy'; export const x = [readFile, channels, DEFAULT_LEVELS];"],
    ['src/main/probe.ts', "import { app } from 'electron'; import { createService } from '../node/createService'; export const x = [app, createService];"],
    ['src/cli/probe.ts', "import { scanFolder } from '../node/dicomFiles'; export const x = scanFolder;"],
    ['src/renderer/viewer/probe.ts', "import { RenderingEngine } from '@cornerstonejs/core'; import { channels } from '../../shared/contract'; export const x = [RenderingEngine, channels];"],
  ];
  for (const [file, code] of allowed) {
    it(`allows in ${file}: ${code.split(';')[0]}`, async () => {
      expect(await problems(file, code)).toEqual([]);
    });
  }
});
