import { HEALTH_BRIDGE_OBSERVATION, LOINC } from './codes';
import { FhirSearchError } from './errors';
import { dataTypesFor, observationCodesOf, parseCodeFilter } from './search';

describe('parseCodeFilter', () => {
  it('reads code, system|code, |code and system| tokens, comma-separated', () => {
    expect(parseCodeFilter('8867-4')).toEqual({ tokens: [{ code: '8867-4' }] });
    expect(parseCodeFilter(`http://loinc.org|8867-4,${HEALTH_BRIDGE_OBSERVATION}|spo2-drops,|x,http://loinc.org|`)).toEqual({
      tokens: [
        { system: LOINC, code: '8867-4' },
        { system: HEALTH_BRIDGE_OBSERVATION, code: 'spo2-drops' },
        { system: '', code: 'x' },
        { system: LOINC },
      ],
    });
  });

  it("resolves FHIR's escapes", () => {
    expect(parseCodeFilter('a\\,b,c\\|d')).toEqual({ tokens: [{ code: 'a,b' }, { code: 'c|d' }] });
  });

  it.each([
    ['empty', ''],
    ['blank', '  '],
    ['an empty item', '8867-4,,2708-6'],
    ['a trailing comma', '8867-4,'],
    ['a lone bar', '|'],
    ['two bars', 'http://loinc.org|8867-4|x'],
    ['padding', ' 8867-4'],
    ['a lone escape at the end', '8867-4\\'],
  ])('refuses %s', (_, param) => {
    expect(() => parseCodeFilter(param)).toThrow(FhirSearchError);
  });

  it('names the value it refuses', () => {
    expect(() => parseCodeFilter('a|b|c')).toThrow(/"a\|b\|c"/);
  });
});

describe('dataTypesFor', () => {
  const types = (param: string) => dataTypesFor(parseCodeFilter(param));

  it('gives the data_types whose measurements can yield a matching Observation', () => {
    expect(types('8867-4')).toEqual([2, 3, 5, 6]);
    expect(types('http://loinc.org|85354-9')).toEqual([3]);
    expect(types('14743-9,29463-7')).toEqual([4, 10]);
    expect(types(`${HEALTH_BRIDGE_OBSERVATION}|duration`)).toEqual([2, 5, 15]);
    expect(types('sleep-rem-duration')).toEqual([7]);
  });

  it('gives every data_type for a whole system, none for codes nothing yields', () => {
    expect(types(`${HEALTH_BRIDGE_OBSERVATION}|`)).toEqual([1, 2, 3, 4, 5, 6, 7, 9, 10, 15]);
    expect(types('http://loinc.org|')).toEqual([1, 2, 3, 4, 5, 6, 7, 9, 10, 15]);
    expect(types('http://snomed.info/sct|8867-4')).toEqual([]);
    expect(types('|8867-4')).toEqual([]);
    expect(types('8480-6')).toEqual([]);
  });
});

describe('observationCodesOf', () => {
  it('gives the codes of the Observations a data_type can yield, none for one it does not know', () => {
    expect(observationCodesOf(3).map((c) => c.coding?.map((coding) => coding.code))).toEqual([
      ['85354-9', 'blood-pressure'],
      ['pulse-pressure'],
      ['8867-4', 'pulse-rate'],
    ]);
    expect(observationCodesOf(8)).toEqual([]);
  });
});
