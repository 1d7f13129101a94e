/**
 * A WFDB file that cannot be read as what it claims to be. The message names the file and the
 * line (headers) or byte offset (binary files) where reading failed.
 */
export class WfdbFormatError extends Error {
  override readonly name = 'WfdbFormatError';

  /**
   * @param file - the file being read
   * @param where - `line N` or `byte N`
   * @param problem - what is wrong there
   */
  constructor(
    readonly file: string,
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${file}: ${where}: ${problem}`);
  }
}
