import { EcgFormatError } from './ecg-format-error';

/**
 * A WFDB file that cannot be read as what it claims to be. The message names the file and the
 * line (headers) or byte offset (binary files) where reading failed. A kind of
 * {@link EcgFormatError}, so callers reading any format can catch one class.
 */
export class WfdbFormatError extends EcgFormatError {
  override readonly name: string = 'WfdbFormatError';
}
