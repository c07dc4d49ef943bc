import { UserError } from '../errors';

export { errorMessage, oneLine } from '../errors';

/**
 * A DICOM file that cannot be used (a UserError of kind 'input'). `message` is one line a person can
 * act on ("truncated pixel data (8130 of 8192 bytes)"); it never contains a stack trace.
 */
export class DicomFileError extends UserError {
  /** True when the bytes given were only a prefix of the file and a longer prefix may succeed. */
  readonly needMoreBytes: boolean;
  constructor(message: string, needMoreBytes = false) {
    super('input', message);
    this.name = 'DicomFileError';
    this.needMoreBytes = needMoreBytes;
  }
}
