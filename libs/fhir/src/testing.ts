// Test support: the strict FHIR R4 check the lib's own tests use, for tests of the API that serves the resources.
export { fhirProblems } from './testing/fhir-validation';
