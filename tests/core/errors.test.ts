import { describe, expect, it } from 'vitest';
import { CLI_EXIT_CODES, ERROR_KINDS, HTTP_STATUS, toUserError, UserError } from '../../src/core/errors';
import { DicomFileError } from '../../src/core/dicom/errors';
import { NiftiError } from '../../src/core/masks/nifti';
import { MaskOverlapError } from '../../src/core/masks/resample';
import { parseLevels } from '../../src/core/anatomy/anatomy';
import { CliError, UsageError } from '../../src/cli/args';
import { ApiError } from '../../src/node/api';
import { AccessError } from '../../src/node/access';

describe('one error model', () => {
  it('every kind has a CLI exit code and an HTTP status, distinct where the kind differs in meaning', () => {
    for (const k of ERROR_KINDS) {
      expect(CLI_EXIT_CODES[k]).toBeGreaterThan(0);
      expect(HTTP_STATUS[k]).toBeGreaterThanOrEqual(400);
    }
    expect(CLI_EXIT_CODES.usage).toBe(2);
    expect(CLI_EXIT_CODES.input).toBe(1);
    expect(new Set(ERROR_KINDS.map((k) => HTTP_STATUS[k])).size).toBe(ERROR_KINDS.length);
  });

  it('the format readers, the CLI, the API and folder access throw UserErrors of the right kind', () => {
    expect(toUserError(new DicomFileError('x.dcm: truncated pixel data')).kind).toBe('input');
    expect(toUserError(new NiftiError('m.nii', 'not a NIfTI file')).kind).toBe('input');
    expect(toUserError(new MaskOverlapError('psoas')).kind).toBe('input');
    expect(toUserError(new UsageError('bad option')).kind).toBe('usage');
    expect(toUserError(new CliError('unusable')).kind).toBe('input');
    expect(toUserError(new ApiError('bad argument')).kind).toBe('usage');
    expect(toUserError(new AccessError('/x: outside the folders you opened')).kind).toBe('access');
    expect(() => parseLevels('L9')).toThrow(UserError);
  });

  it('file-system errors map by errno code; anything else is internal; messages stay one line', () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/x'"), { code: 'ENOENT' });
    expect(toUserError(enoent).kind).toBe('notFound');
    expect(toUserError(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })).kind).toBe('access');
    const bug = toUserError(new TypeError("Cannot read properties of undefined (reading 'x')\n    at foo (bar.ts:1:1)"));
    expect(bug.kind).toBe('internal');
    expect(bug.message).toBe("Cannot read properties of undefined (reading 'x')");
    expect(toUserError('plain string thrown').message).toBe('plain string thrown');
    expect(new UserError('input', 'two\nlines').message).toBe('two lines');
  });
});
