/** The ids of the resources: built from the archive's keys so that each one can be read back from its id alone. */

/** FHIR's `id` datatype. */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** An observation name as the protocol lib writes them: lower-case words joined by `-`. */
const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** `${measurementId}-${name}`, or null when that would not be a FHIR id (a name this lib does not expect, a too-long id). */
export function observationId(measurementId: number, name: string): string | null {
  const id = `${measurementId}-${name}`;
  return Number.isSafeInteger(measurementId) && measurementId > 0 && NAME.test(name) && FHIR_ID.test(id) ? id : null;
}

/** The measurement and the observation name an Observation id names; null for an id this server never gives. */
export function parseObservationId(id: string): { measurementId: number; name: string } | null {
  if (typeof id !== 'string' || !FHIR_ID.test(id)) return null;
  const match = /^([1-9][0-9]*)-(.+)$/.exec(id);
  if (!match || !NAME.test(match[2])) return null;
  const measurementId = Number(match[1]);
  return Number.isSafeInteger(measurementId) ? { measurementId, name: match[2] } : null;
}

export const documentReferenceId = (measurementId: number) => `${measurementId}-files`;

/** The id of the DocumentReference of a measurement's files; null for junk. */
export function parseDocumentReferenceId(id: string): number | null {
  const match = typeof id === 'string' ? /^([1-9][0-9]*)-files$/.exec(id) : null;
  const measurementId = match ? Number(match[1]) : NaN;
  return Number.isSafeInteger(measurementId) ? measurementId : null;
}

/**
 * A device's id: the lower-case hex of its serial's UTF-8 bytes, so that any serial Viatom sends
 * (spaces, slashes, any script) gives a FHIR id, and the serial comes back from the id. 1 to 32
 * bytes (64 hex digits, the longest id FHIR allows); null otherwise.
 */
export function deviceIdOf(sn: string): string | null {
  if (typeof sn !== 'string') return null;
  const bytes = Buffer.from(sn, 'utf8');
  return bytes.length >= 1 && bytes.length <= 32 ? bytes.toString('hex') : null;
}

/** The serial a device id was made from; null for what deviceIdOf never gives (upper case, odd length, not UTF-8). */
export function deviceSnOf(id: string): string | null {
  if (typeof id !== 'string' || !/^(?:[0-9a-f]{2}){1,32}$/.test(id)) return null;
  const sn = Buffer.from(id, 'hex').toString('utf8');
  return deviceIdOf(sn) === id ? sn : null;
}
