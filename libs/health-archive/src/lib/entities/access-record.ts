/**
 * The access audit: one row for each person whose data an answer revealed (PIPL art. 51's
 * record of processing): when, which API key (by its name, never the key), what route, whom (the
 * phone's keyed hash), the request id. Kept longer than the data it is about.
 */
export class AccessRecord {
  id!: number;
  at!: Date;
  /** The API key's name (`API_KEYS=name:key`), or its fingerprint for a key written without one. */
  apiKey!: string;
  method!: string;
  /** The route's pattern (`/api/v1/authorizations/:phone`): never the values in it. */
  route!: string;
  /** The person, as the keyed hash of their phone. */
  phoneHash!: string;
  requestId!: string | null;
  /** The HTTP status of the answer. */
  status!: number;
}
