import { ViatomEndpoint } from '@health-bridge/viatom-protocol';
import type { SandboxEndpointName, SandboxFault } from './types';

export const ENDPOINT_NAMES: Record<SandboxEndpointName, string> = {
  jump_path: ViatomEndpoint.AuthJumpPath,
  cancel: ViatomEndpoint.AuthCancel,
};

const MAX_LATENCY_MS = 120_000;
const FIELDS = new Set([
  'latencyMs',
  'errorCode',
  'errorMessage',
  'httpStatus',
  'nonJson',
  'noEnvelope',
  'oversized',
  'dropConnection',
  'count',
  'endpoints',
]);

function toEndpointName(value: unknown): SandboxEndpointName | null {
  if (value === 'jump_path' || value === ENDPOINT_NAMES.jump_path) return 'jump_path';
  if (value === 'cancel' || value === ENDPOINT_NAMES.cancel) return 'cancel';
  return null;
}

/** Checks a fault from outside; returns it normalised, or the list of what is wrong. */
export function parseFault(input: unknown): { ok: true; fault: SandboxFault } | { ok: false; errors: string[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: ['fault: must be a JSON object'] };
  }
  const raw = input as Record<string, unknown>;
  const errors: string[] = [];
  const fault: SandboxFault = {};
  for (const key of Object.keys(raw)) {
    if (!FIELDS.has(key)) errors.push(`${key}: unknown field (known: ${[...FIELDS].join(', ')})`);
  }
  const int = (field: keyof SandboxFault, min: number, max: number): number | undefined => {
    const value = raw[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      errors.push(`${field}: must be an integer from ${min} to ${max}`);
      return undefined;
    }
    return value;
  };
  const bool = (field: keyof SandboxFault): boolean | undefined => {
    const value = raw[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') {
      errors.push(`${field}: must be true or false`);
      return undefined;
    }
    return value || undefined;
  };

  const latencyMs = int('latencyMs', 0, MAX_LATENCY_MS);
  const errorCode = int('errorCode', -2_147_483_648, 2_147_483_647);
  const httpStatus = int('httpStatus', 100, 599);
  const count = int('count', 1, 1_000_000);
  const nonJson = bool('nonJson');
  const noEnvelope = bool('noEnvelope');
  const oversized = bool('oversized');
  const dropConnection = bool('dropConnection');

  if (errorCode === 0) errors.push('errorCode: 0 is success, not a fault');
  if (raw['errorMessage'] !== undefined && raw['errorMessage'] !== null) {
    if (typeof raw['errorMessage'] !== 'string') errors.push('errorMessage: must be a string');
    else if (errorCode === undefined) errors.push('errorMessage: only with errorCode');
    else fault.errorMessage = raw['errorMessage'];
  }
  if (raw['endpoints'] !== undefined && raw['endpoints'] !== null) {
    const list = raw['endpoints'];
    if (!Array.isArray(list) || list.length === 0) {
      errors.push('endpoints: must be a non-empty array of "jump_path" / "cancel"');
    } else {
      const names = list.map(toEndpointName);
      if (names.some((name) => name === null)) errors.push('endpoints: each must be "jump_path" or "cancel"');
      else fault.endpoints = [...new Set(names as SandboxEndpointName[])];
    }
  }

  const answers = [
    dropConnection && 'dropConnection',
    nonJson && 'nonJson',
    noEnvelope && 'noEnvelope',
    oversized && 'oversized',
    errorCode !== undefined && 'errorCode',
  ].filter(Boolean);
  if (answers.length > 1) errors.push(`${answers.join(', ')}: choose one`);
  if (dropConnection && httpStatus !== undefined) errors.push('httpStatus: a dropped connection has no status');
  if (latencyMs === undefined && httpStatus === undefined && answers.length === 0 && errors.length === 0) {
    errors.push('fault: set at least one of latencyMs, errorCode, httpStatus, nonJson, noEnvelope, oversized, dropConnection');
  }
  if (errors.length > 0) return { ok: false, errors };

  if (latencyMs !== undefined) fault.latencyMs = latencyMs;
  if (errorCode !== undefined) fault.errorCode = errorCode;
  if (httpStatus !== undefined) fault.httpStatus = httpStatus;
  if (nonJson) fault.nonJson = true;
  if (noEnvelope) fault.noEnvelope = true;
  if (oversized) fault.oversized = true;
  if (dropConnection) fault.dropConnection = true;
  if (count !== undefined) fault.count = count;
  return { ok: true, fault };
}

/** Holds the fault in force and hands it to matching calls, counting them down. */
export class FaultState {
  private current: SandboxFault | null = null;

  get fault(): SandboxFault | null {
    return this.current ? structuredClone(this.current) : null;
  }

  set(input: SandboxFault): SandboxFault {
    const parsed = parseFault(input);
    if (!parsed.ok) throw new TypeError(`Invalid sandbox fault: ${parsed.errors.join('; ')}`);
    this.current = parsed.fault;
    return structuredClone(parsed.fault);
  }

  reset(): void {
    this.current = null;
  }

  /** The fault to apply to this call, if any (a copy: counting down does not change it). */
  take(endpoint: SandboxEndpointName): SandboxFault | null {
    const fault = this.current;
    if (!fault) return null;
    if (fault.endpoints && !fault.endpoints.includes(endpoint)) return null;
    const applied = structuredClone(fault);
    if (fault.count !== undefined) {
      fault.count -= 1;
      if (fault.count <= 0) this.current = null;
    }
    return applied;
  }
}
