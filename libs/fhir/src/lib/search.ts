/** The `code` search parameter of Observation (a FHIR token), and what it means for the archive's measurements. */
import { CATALOG, conceptOf } from './codes';
import { FhirSearchError } from './errors';
import type { CodeableConcept, Coding } from './types';
import { dataTypeOfKind, measurementKindOf, type MeasurementKind } from '@health-bridge/viatom-protocol';

/** One token of the `code` parameter (https://hl7.org/fhir/R4/search.html#token). */
export interface CodeToken {
  /** The coding's system: absent for `code` (any system), `''` for `|code` (a coding with no system), else `system|code`. */
  system?: string;
  /** The code: absent for `system|` (any code of that system). */
  code?: string;
}

/** The parsed `code` parameter: an Observation matches when one of its codings matches one of the tokens. */
export interface CodeFilter {
  tokens: CodeToken[];
}

/**
 * The items of a token list and the parts of each (`a|b,c` is `[['a','b'],['c']]`), with FHIR's
 * escapes (`\,` `\|` `\$` `\\`) resolved; null when a `\` ends the value.
 */
function itemsOf(value: string): string[][] | null {
  const items: string[][] = [['']];
  for (let i = 0; i < value.length; i++) {
    const item = items[items.length - 1];
    const char = value[i];
    if (char === ',') items.push(['']);
    else if (char === '|') item.push('');
    else if (char === '\\' && i + 1 >= value.length) return null;
    else item[item.length - 1] += char === '\\' ? value[++i] : char;
  }
  return items;
}

/**
 * Reads the `code` parameter: a comma-separated list of `code`, `system|code`, `|code` or
 * `system|`. Throws a FhirSearchError for an empty or malformed value.
 */
export function parseCodeFilter(param: string): CodeFilter {
  if (typeof param !== 'string' || param.trim() === '') throw new FhirSearchError('The code parameter is empty');
  const items = itemsOf(param);
  if (!items) throw new FhirSearchError(`The code parameter "${param}" ends with a lone escape character`);
  const tokens = items.map((parts): CodeToken => {
    const malformed = parts.length > 2 || parts.every((part) => part === '') || parts.some((part) => part !== part.trim());
    if (malformed) {
      throw new FhirSearchError(`The code parameter "${param}" is not a list of tokens ([system|]code): "${parts.join('|')}" cannot be read`);
    }
    if (parts.length === 1) return { code: parts[0] };
    const [system, code] = parts;
    return code === '' ? { system } : { system, code };
  });
  return { tokens };
}

function tokenMatches(token: CodeToken, coding: Coding): boolean {
  // Every coding this server writes has a system, so `|code` (no system) matches none of them.
  if (token.system !== undefined && token.system !== coding.system) return false;
  return token.code === undefined || token.code === coding.code;
}

/** Whether an Observation's `code` matches the filter (its own code; components are `component-code`, not searched here). */
export function matchesCodeFilter(filter: CodeFilter, code: CodeableConcept): boolean {
  return (code.coding ?? []).some((coding) => filter.tokens.some((token) => tokenMatches(token, coding)));
}

/** The Observation codes a measurement of this `data_type` can yield (empty for a data_type this lib does not know). */
export function observationCodesOf(dataType: number): CodeableConcept[] {
  const kind = measurementKindOf(dataType);
  return kind ? CATALOG[kind].map(conceptOf) : [];
}

/** The Viatom data_types whose measurements can yield an Observation matching the filter, ascending: what the caller's query narrows to. */
export function dataTypesFor(filter: CodeFilter): number[] {
  return (Object.keys(CATALOG) as MeasurementKind[])
    .map(dataTypeOfKind)
    .filter((dataType) => observationCodesOf(dataType).some((code) => matchesCodeFilter(filter, code)))
    .sort((a, b) => a - b);
}
