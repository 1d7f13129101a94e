/**
 * A model artifact that cannot be used: wrong format, unknown version, checksum mismatch, or a
 * missing or ill-typed field. `field` is the JSON path of the problem (e.g.
 * `artifact.threshold.value`), also part of the message.
 */
export class ArtifactError extends Error {
  override readonly name = 'ArtifactError';
  constructor(
    message: string,
    /** JSON path of the offending field, `artifact` for the whole document. */
    readonly field: string,
  ) {
    super(message);
  }
}
