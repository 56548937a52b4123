// Viatom's wire format and rules, with no I/O: shared by the client, the archive and the sandbox.

/** The envelope, endpoints, headers, bodies and error codes of Viatom's open API, and the shape of a push. */
export {
  CREDENTIAL_ERROR_CODES,
  pushAcknowledgement,
  VIATOM_LANGUAGES,
  ViatomEndpoint,
  ViatomErrorCode,
  ViatomHeader,
  type CancelRequestBody,
  type JumpPathData,
  type ViatomEnvelope,
  type ViatomLanguage,
  type ViatomPushWire,
} from './lib/wire';

/** Push types, validation of a push as received, and the order pushes apply in. */
export {
  DEFAULT_MAX_CLOCK_SKEW_MS,
  findUnstorableJson,
  MAX_ID_LENGTH,
  MAX_JSON_DEPTH,
  MAX_INT32,
  MeasurementDataType,
  pushOrdering,
  pushSourceTime,
  PushTimeBasis,
  PushType,
  topLevelNumberTexts,
  validatePush,
  type PushValidationOptions,
  type PushValidationResult,
  type UnstorableJson,
  type ViatomPush,
} from './lib/push';

/** Viatom's wall-clock times (no zone on the wire) read and written in a configured UTC offset. */
export { DEFAULT_VIATOM_TIME_ZONE, formatViatomTime, isValidUtcOffset, parseViatomTime, readViatomTime } from './lib/time';

/** The phone rule Viatom accounts are keyed by, and the mask phones are logged with. */
export { maskPhone, normalizePhone, PHONE_PATTERN, PHONE_RULE, unformatPhone } from './lib/phone';

/** Measurement pushes decoded into typed observations. */
export {
  dataTypeOfKind,
  dataTypesOfKinds,
  decodeMeasurement,
  MeasurementKind,
  measurementKindOf,
  readMeasurement,
  type DecodedMeasurement,
  type MeasurementReading,
  type Observation,
} from './lib/measurement';
