/**
 * An ECG file that cannot be read as what it claims to be (WFDB, EDF/BDF, CSV). The message
 * names the file and where reading failed: a line, a byte offset, a header field or a cell, so a
 * user can open the file and see the problem. Catch this one class to report any reader's error.
 */
export class EcgFormatError extends Error {
  override readonly name: string = 'EcgFormatError';

  /**
   * @param file - the file being read
   * @param where - `line N`, `byte N`, `field "..."`, `line N, column M`
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
