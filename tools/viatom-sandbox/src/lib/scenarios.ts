import { normalizePhone, PushType } from '@health-bridge/viatom-protocol';
import { isPlainObject } from './body';
import type { PushSender } from './push-sender';
import {
  accountIdForPhone,
  MEASUREMENT_DATA_TYPES,
  measurementPush,
  randomDataTag,
  resolveViatomTime,
  sampleTimeFormat,
  statePush,
  VIATOM_TIME_FORMATS,
  writeViatomTime,
  type ViatomTimeFormat,
} from './pushes';
import type { PushRecord, PushTrigger, SandboxPushSender } from './types';

/** Bad input to a push scenario: the admin API answers 400 with `errors`. */
export class SandboxInputError extends TypeError {
  constructor(readonly errors: string[]) {
    super(errors.join('; '));
    this.name = 'SandboxInputError';
  }
}

export interface ScenarioContext {
  pusher: PushSender;
  authorizedPhones: Set<string>;
  timeZone: string;
}

/** Reads the fields of a scenario's input, collecting every problem. */
class Input {
  readonly errors: string[] = [];
  private readonly body: Record<string, unknown>;

  constructor(input: unknown) {
    if (input === undefined || input === null) this.body = {};
    else if (isPlainObject(input)) this.body = input;
    else {
      this.body = {};
      this.errors.push('body: must be a JSON object');
    }
  }

  has(field: string): boolean {
    return this.body[field] !== undefined && this.body[field] !== null;
  }

  get(field: string): unknown {
    return this.body[field];
  }

  phone(required: boolean): string | undefined {
    if (!this.has('phone')) {
      if (required) this.errors.push('phone: required');
      return undefined;
    }
    const phone = normalizePhone(this.body['phone']);
    if (!phone) this.errors.push('phone: must be digits with an optional leading "+", 6 to 20 digits');
    return phone ?? undefined;
  }

  string(field: string, options: { allowEmpty?: boolean } = {}): string | undefined {
    if (!this.has(field)) return undefined;
    const value = this.body[field];
    if (typeof value !== 'string' || (!options.allowEmpty && value === '')) {
      this.errors.push(`${field}: must be a ${options.allowEmpty ? '' : 'non-empty '}string`);
      return undefined;
    }
    return value;
  }

  time(field: string, timeZone: string, fallback?: Date, format?: ViatomTimeFormat): string {
    const value = resolveViatomTime(this.body[field], timeZone, fallback, format);
    if (value === null) {
      this.errors.push(
        `${field}: must be "YYYY-MM-DD HH:mm:ss", epoch milliseconds like "1694676339000" or an ISO instant like 2022-12-29T08:33:40Z`,
      );
      return '';
    }
    return value;
  }

  check(): void {
    if (this.errors.length > 0) throw new SandboxInputError(this.errors);
  }
}

async function sendAll(ctx: ScenarioContext, messages: unknown[], trigger: PushTrigger): Promise<PushRecord[]> {
  const records: PushRecord[] = [];
  // One after the other: order matters (out-of-order, duplicates).
  for (const message of messages) records.push(await ctx.pusher.send(message, trigger));
  return records;
}

/** The push scenarios, shared by the admin API and the in-process `sandbox.send`. */
export function createScenarios(ctx: ScenarioContext, trigger: PushTrigger): SandboxPushSender {
  const state = (type: PushType.UserAuthorized | PushType.UserCancelled) => async (raw: unknown) => {
    const input = new Input(raw);
    const phone = input.phone(true);
    const time = input.time('time', ctx.timeZone);
    const dataTag = input.string('dataTag', { allowEmpty: true });
    input.check();
    if (type === PushType.UserAuthorized) ctx.authorizedPhones.add(phone!);
    else ctx.authorizedPhones.delete(phone!);
    return sendAll(ctx, [statePush(type, phone!, time, dataTag)], trigger);
  };
  const phoneOnly = (raw: unknown): string => {
    const input = new Input(raw);
    const phone = input.phone(true);
    input.check();
    return phone!;
  };

  return {
    authorized: state(PushType.UserAuthorized),
    cancelled: state(PushType.UserCancelled),

    async measurement(raw) {
      const input = new Input(raw);
      const phone = input.phone(false);
      const accountId = input.string('accountId');
      if (!phone && !accountId && input.errors.length === 0) input.errors.push('phone or accountId: one is required');
      let dataType = 2;
      if (input.has('dataType')) {
        const value = input.get('dataType');
        if (typeof value !== 'number' || !MEASUREMENT_DATA_TYPES.includes(value)) {
          input.errors.push(`dataType: must be one of ${MEASUREMENT_DATA_TYPES.join(', ')}`);
        } else dataType = value;
      }
      let timeFormat: ViatomTimeFormat = 'datetime';
      if (input.has('timeFormat')) {
        const value = input.get('timeFormat');
        if (VIATOM_TIME_FORMATS.includes(value as ViatomTimeFormat)) timeFormat = value as ViatomTimeFormat;
        else input.errors.push(`timeFormat: must be one of ${VIATOM_TIME_FORMATS.join(', ')}`);
      }
      const measureTime = input.time('measureTime', ctx.timeZone, new Date(Date.now() - 5 * 60_000), timeFormat);
      const time = input.time('time', ctx.timeZone, undefined, timeFormat);
      const dataTag = input.string('dataTag', { allowEmpty: true });
      const deviceSn = input.string('deviceSn', { allowEmpty: true });
      input.check();
      const message = measurementPush({
        phone,
        accountId: accountId ?? accountIdForPhone(phone!),
        dataType,
        measureTime,
        time,
        dataTag,
        deviceSn,
      });
      return sendAll(ctx, [message], trigger);
    },

    async samples(raw) {
      const phone = phoneOnly(raw);
      const now = new Date();
      const measuredAt = new Date(now.getTime() - 5 * 60_000);
      // Both of Viatom's time forms in one run: which data type gets which is sampleTimeFormat's rule.
      const messages = MEASUREMENT_DATA_TYPES.map((dataType) => {
        const format = sampleTimeFormat(dataType);
        const time = writeViatomTime(now, format, ctx.timeZone);
        const measureTime = writeViatomTime(measuredAt, format, ctx.timeZone);
        return measurementPush({ phone, accountId: accountIdForPhone(phone), dataType, measureTime, time });
      });
      return sendAll(ctx, messages, trigger);
    },

    async duplicate(raw) {
      const phone = phoneOnly(raw);
      ctx.authorizedPhones.add(phone);
      const message = statePush(PushType.UserAuthorized, phone, resolveViatomTime(undefined, ctx.timeZone)!, randomDataTag());
      return sendAll(ctx, [message, message], trigger);
    },

    async emptyDataTag(raw) {
      const phone = phoneOnly(raw);
      ctx.authorizedPhones.add(phone);
      const message = statePush(PushType.UserAuthorized, phone, resolveViatomTime(undefined, ctx.timeZone)!, '');
      return sendAll(ctx, [message, message], trigger);
    },

    async outOfOrder(raw) {
      const phone = phoneOnly(raw);
      const now = Date.now();
      const authorizedAt = resolveViatomTime(undefined, ctx.timeZone, new Date(now - 60_000))!;
      const cancelledAt = resolveViatomTime(undefined, ctx.timeZone, new Date(now))!;
      // The latest word is the cancel: that is the state a receiver should end in.
      ctx.authorizedPhones.delete(phone);
      return sendAll(
        ctx,
        [statePush(PushType.UserCancelled, phone, cancelledAt), statePush(PushType.UserAuthorized, phone, authorizedAt)],
        trigger,
      );
    },

    async raw(raw) {
      const input = new Input(raw);
      const body = input.string('body', { allowEmpty: true });
      const contentType = input.string('contentType');
      const hasMessage = isPlainObject(raw) && Object.prototype.hasOwnProperty.call(raw, 'message');
      if (hasMessage === (body !== undefined) && input.errors.length === 0) {
        input.errors.push('message or body: exactly one is required (message: any JSON; body: a string sent verbatim)');
      }
      if (contentType !== undefined && body === undefined) input.errors.push('contentType: only with body');
      input.check();
      if (body !== undefined) return [await ctx.pusher.send(body, trigger, { body, contentType })];
      return [await ctx.pusher.send(input.get('message'), trigger)];
    },
  };
}
