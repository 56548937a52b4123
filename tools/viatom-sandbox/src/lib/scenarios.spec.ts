import { decodeMeasurement, parseViatomTime, validatePush } from '@health-bridge/viatom-protocol';
import { MEASUREMENT_DATA_TYPES, sampleMeasureResult, sampleTimeFormat } from '../index';
import { admin, expectValidPush, receiver, sandbox, useSandbox, VIATOM_TIME } from '../testing/sandbox-spec-setup';

const EPOCH_MS = /^\d{13}$/;

// The push scenarios, through the admin API's pushes/* routes and the in-process send.
useSandbox();

describe("push scenarios (the admin API's pushes/* and the in-process send)", () => {
  it('pushes/authorized and pushes/cancelled: given times and data tags, state kept', async () => {
    const authorized = await admin('/pushes/authorized', { phone: '15312341234', time: '2022-12-29 16:33:40', dataTag: 'tag-1' });
    expect(authorized.status).toBe(200);
    expect(authorized.json.sent).toHaveLength(1);
    expect(authorized.json.sent[0]).toMatchObject({ status: 200, ok: true, trigger: 'admin', message: { type: 2 } });
    expect(sandbox.authorizedPhones.has('15312341234')).toBe(true);
    const cancelled = await admin('/pushes/cancelled', { phone: '15312341234', time: '2022-12-29T09:00:00Z' });
    expect(sandbox.authorizedPhones.has('15312341234')).toBe(false);
    expect(cancelled.json.sent[0].message).toMatchObject({ type: 3 });
    const [first, second] = receiver.received.map((p) => p.json as Record<string, unknown>);
    expect(first).toMatchObject({ type: 2, data_tag: 'tag-1', create_time: '2022-12-29 16:33:40', update_time: '2022-12-29 16:33:40' });
    // An ISO instant is written in the sandbox's +08:00.
    expect(second).toMatchObject({ type: 3, create_time: '2022-12-29 17:00:00' });
    expect(second['data_tag']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('pushes/measurement: a ViHealth-shaped record, SpO2 by default', async () => {
    const answer = await admin('/pushes/measurement', { phone: '15312341234', measureTime: '2024-03-01 07:30:00' });
    expect(answer.status).toBe(200);
    const message = expectValidPush(receiver.received[0], 1);
    expect(message['data']).toEqual({
      data_type: 2,
      measure_time: '2024-03-01 07:30:00',
      measure_result: sampleMeasureResult(2, '2024-03-01 07:30:00'),
      remark: '',
      phone: '15312341234',
    });
    expect(message['data'].measure_result).toMatchObject({
      spo2: { value: 98, unit: '%' },
      pr: { value: 72, unit: 'bpm' },
      o2_score: { value: null, unit: '' },
    });
    expect(message['device_sn']).not.toBe('');
    expect(message['create_time']).toMatch(VIATOM_TIME);
    expect(validatePush(message)).toMatchObject({ ok: true, push: { dataType: 2, measuredAt: new Date('2024-02-29T23:30:00Z') } });
  });

  it('pushes/measurement: timeFormat epoch-ms writes defaults and ISO instants in epoch milliseconds, Viatom forms as given', async () => {
    await admin('/pushes/measurement', { phone: '15312341234', dataType: 5, timeFormat: 'epoch-ms', measureTime: '2023-09-14T07:25:39Z' });
    const epoch = expectValidPush(receiver.received[0], 1);
    expect(epoch['data'].measure_time).toBe('1694676339000');
    expect(epoch['create_time']).toMatch(EPOCH_MS);
    expect(epoch['update_time']).toBe(epoch['create_time']);
    expect(Math.abs(Number(epoch['create_time']) - Date.now())).toBeLessThan(60_000);
    await admin('/pushes/measurement', { phone: '15312341234', timeFormat: 'epoch-ms', measureTime: '2024-03-01 07:30:00', time: '1694676639000' });
    const given = expectValidPush(receiver.received[1], 1);
    expect(given).toMatchObject({ create_time: '1694676639000', data: { measure_time: '2024-03-01 07:30:00' } });
    await admin('/pushes/measurement', { phone: '15312341234', measureTime: '1694676339000' });
    const epochGiven = expectValidPush(receiver.received[2], 1);
    expect(epochGiven).toMatchObject({ create_time: expect.stringMatching(VIATOM_TIME), data: { measure_time: '1694676339000' } });
    const refused = await admin('/pushes/measurement', { phone: '15312341234', timeFormat: 'iso' });
    expect(refused.status).toBe(400);
    expect(refused.json.errors).toEqual([expect.stringMatching(/^timeFormat: /)]);
    expect(receiver.received).toHaveLength(3);
  });

  it('pushes/measurement: blood pressure for an account id without a phone', async () => {
    await admin('/pushes/measurement', { accountId: 'OA==|MTEx', dataType: 3 });
    const message = expectValidPush(receiver.received[0], 1);
    expect(message['account_id']).toBe('OA==|MTEx');
    expect(message['data']).toMatchObject({
      data_type: 3,
      measure_result: {
        sbp: { value: expect.any(Number), unit: 'mmHg' },
        dia: { value: expect.any(Number), unit: 'mmHg' },
        pr: { value: expect.any(Number), unit: 'bpm' },
      },
    });
    expect(message['data'].phone).toBeUndefined();
    const names = decodeMeasurement(message['data'])!.observations.map((o) => o.name);
    expect(names).toEqual(expect.arrayContaining(['systolic', 'diastolic']));
  });

  it('pushes/samples: one measurement of each data type', async () => {
    const answer = await admin('/pushes/samples', { phone: '15312341234' });
    expect(answer.json.sent).toHaveLength(MEASUREMENT_DATA_TYPES.length);
    const messages = receiver.received.map((p) => expectValidPush(p, 1));
    expect(messages.map((m) => m['data'].data_type)).toEqual([...MEASUREMENT_DATA_TYPES]);
    for (const message of messages) expect(decodeMeasurement(message['data'])!.observations.length).toBeGreaterThan(0);
    expect(new Set(messages.map((m) => m['data_tag'])).size).toBe(messages.length);
    expect(messages.find((m) => m['data'].data_type === 1)!['data'].measure_result).toEqual({ type: 1, temperature: { value: 36.6, unit: 'Cel' } });
  });

  it('pushes/samples: some in epoch milliseconds, the rest in YYYY-MM-DD HH:mm:ss, all the same instants', async () => {
    await admin('/pushes/samples', { phone: '15312341234' });
    const messages = receiver.received.map((p) => expectValidPush(p, 1));
    const forms = new Set<string>();
    const measuredAt = new Set<number>();
    const sentAt = new Set<number>();
    for (const message of messages) {
      const form = sampleTimeFormat(message['data'].data_type) === 'epoch-ms' ? EPOCH_MS : VIATOM_TIME;
      forms.add(String(form));
      for (const time of [message['create_time'], message['update_time'], message['data'].measure_time]) expect(time).toMatch(form);
      const push = validatePush(message);
      if (!push.ok) throw new Error(push.errors.join('; '));
      measuredAt.add(push.push.measuredAt!.getTime());
      sentAt.add(push.push.createTime!.getTime());
    }
    expect(forms.size).toBe(2);
    expect(messages.filter((m) => EPOCH_MS.test(m['create_time'])).map((m) => m['data'].data_type)).toEqual([2, 4, 6, 9, 15]);
    // Both forms name the same second: measured five minutes before it was sent.
    expect(measuredAt.size).toBe(1);
    expect(sentAt.size).toBe(1);
    expect([...sentAt][0] - [...measuredAt][0]).toBe(5 * 60_000);
  });

  it('pushes/duplicate: the same message twice', async () => {
    const answer = await admin('/pushes/duplicate', { phone: '15312341234' });
    expect(answer.json.sent).toHaveLength(2);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0].raw).toBe(receiver.received[1].raw);
    expect((receiver.received[0].json as { data_tag: string }).data_tag).toMatch(/^[0-9a-f]{32}$/);
    expect(sandbox.authorizedPhones.has('15312341234')).toBe(true);
  });

  it('pushes/empty-data-tag: data_tag "" twice, same content', async () => {
    await admin('/pushes/empty-data-tag', { phone: '15312341234' });
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0].raw).toBe(receiver.received[1].raw);
    const message = expectValidPush(receiver.received[0], 2);
    expect(message['data_tag']).toBe('');
  });

  it('pushes/out-of-order: the later cancel first, then the earlier authorize', async () => {
    await admin('/pushes/out-of-order', { phone: '15312341234' });
    const [first, second] = receiver.received.map((p) => p.json as Record<string, string>);
    expect(first['type']).toBe(3);
    expect(second['type']).toBe(2);
    expect(parseViatomTime(first['update_time'])!.getTime()).toBeGreaterThan(parseViatomTime(second['update_time'])!.getTime());
    expect(sandbox.authorizedPhones.has('15312341234')).toBe(false);
  });

  it('pushes/raw: any JSON as given, or a verbatim body', async () => {
    const weird = JSON.parse('{"type":2,"__proto__":{"polluted":true},"data":{"phone":"1"}}');
    const answer = await admin('/pushes/raw', { message: weird });
    expect(answer.json.sent[0]).toMatchObject({ status: 200, ok: true });
    expect(receiver.received[0].raw).toBe('{"type":2,"__proto__":{"polluted":true},"data":{"phone":"1"}}');
    await admin('/pushes/raw', { body: '{"type":', contentType: 'application/json' });
    expect(receiver.received[1].raw).toBe('{"type":');
    expect((await admin('/pushes/raw', {})).status).toBe(400);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('in-process send mirrors the admin routes', async () => {
    const records = await sandbox.send.samples({ phone: '15312341234' });
    expect(records).toHaveLength(MEASUREMENT_DATA_TYPES.length);
    expect(records.every((r) => r.trigger === 'api' && r.ok)).toBe(true);
    await expect(sandbox.send.authorized({ phone: 'nope' })).rejects.toThrow(/phone/);
  });
});
