/** A search parameter this server cannot read: the caller answers 400 with an OperationOutcome (`invalid`) carrying the message. */
export class FhirSearchError extends Error {
  override readonly name = 'FhirSearchError';
}
