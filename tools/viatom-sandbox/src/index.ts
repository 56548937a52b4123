export { createSandbox } from './lib/sandbox';
export {
  accountIdForPhone,
  DEFAULT_MEMBER_ID,
  MEASUREMENT_DATA_TYPES,
  sampleMeasureResult,
  sampleTimeFormat,
  type ViatomTimeFormat,
} from './lib/pushes';
export { SandboxInputError } from './lib/scenarios';
export type {
  CredentialVerdict,
  MeasurementPushOptions,
  OpenApiCall,
  PushRecord,
  PushTrigger,
  RawPushOptions,
  Sandbox,
  SandboxEndpointName,
  SandboxFault,
  SandboxOptions,
  SandboxPushSender,
  StatePushOptions,
} from './lib/types';
// Test support for the tests of every project that stand Viatom in with the sandbox.
export { closedPort, failure, until, waitFor } from './testing/test-support';
