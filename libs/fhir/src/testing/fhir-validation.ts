/**
 * Test support: a resource checked against FHIR R4 (4.0.1) by the `fhir` package, unexpected
 * properties counted as errors, plus what that validator does not check itself (its regexes
 * are unanchored): ids, references and dateTimes in full. Tests only; the lib never validates.
 */
import { Fhir } from 'fhir';

const fhir = new Fhir();

const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const REFERENCE = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;
// R4's dateTime (https://hl7.org/fhir/R4/datatypes.html#dateTime), anchored.
const YEAR = '([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)';
const TIME = 'T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))';
const DATE_TIME = new RegExp(`^${YEAR}(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(${TIME})?)?)?$`);
const DATE_TIME_KEYS = new Set(['effectiveDateTime', 'issued', 'lastUpdated', 'date', 'start', 'end']);

/** Warnings that are expected: LOINC and health-bridge's codes are not in the validator's (absent) example value sets. */
const EXPECTED_WARNING = /^Code "[^"]+" \((http:\/\/loinc\.org|https:\/\/health-bridge\.dev\/fhir\/CodeSystem\/[a-z-]+)\) not found in value set$/;

function ownChecks(value: unknown, path: string, problems: string[]): void {
  if (Array.isArray(value)) {
    if (value.length === 0) problems.push(`${path}: empty array`);
    value.forEach((item, i) => ownChecks(item, `${path}[${i}]`, problems));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const record = value as Record<string, unknown>;
  if (Object.keys(record).length === 0) problems.push(`${path}: empty object`);
  for (const [key, member] of Object.entries(record)) {
    const at = `${path}.${key}`;
    if (member === undefined || member === null || member === '') problems.push(`${at}: ${String(member)} value`);
    if (key === 'id' && typeof member === 'string' && !ID.test(member)) problems.push(`${at}: "${member}" is not a FHIR id`);
    if (key === 'reference' && typeof member === 'string' && !REFERENCE.test(member)) problems.push(`${at}: "${member}" is not a relative reference`);
    if (DATE_TIME_KEYS.has(key) && typeof member === 'string' && !DATE_TIME.test(member)) problems.push(`${at}: "${member}" is not a dateTime`);
    ownChecks(member, at, problems);
  }
}

/** Every problem of a resource: the validator's errors and unexpected warnings, and the checks above. Empty: valid. */
export function fhirProblems(resource: object): string[] {
  const { messages = [] } = fhir.validate(resource, { errorOnUnexpected: true });
  const problems = messages
    .filter((m) => {
      const severity = String(m.severity);
      return severity === 'error' || severity === 'fatal' || (severity === 'warning' && !EXPECTED_WARNING.test(m.message ?? ''));
    })
    .map((m) => `${m.location}: ${m.message} (${m.severity})`);
  ownChecks(resource, (resource as { resourceType?: string }).resourceType ?? 'resource', problems);
  return problems;
}
