import { parseViatomTime, validatePush } from '@health-bridge/viatom-protocol';
import { MEASUREMENT_DATA_TYPES } from '../index';
import { admin, expectValidPush, receiver, sandbox, useSandbox } from '../testing/sandbox-spec-setup';

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
      measure_result: { spo2: 98, pr: 72, pi: 5.2 },
      remark: '',
      phone: '15312341234',
    });
    expect(message['device_sn']).not.toBe('');
    expect(validatePush(message)).toMatchObject({ ok: true, push: { dataType: 2, measuredAt: new Date('2024-02-29T23:30:00Z') } });
  });

  it('pushes/measurement: blood pressure for an account id without a phone', async () => {
    await admin('/pushes/measurement', { accountId: 'OA==|MTEx', dataType: 3 });
    const message = expectValidPush(receiver.received[0], 1);
    expect(message['account_id']).toBe('OA==|MTEx');
    expect(message['data']).toMatchObject({ data_type: 3, measure_result: { sys: expect.any(Number), dia: expect.any(Number), pr: expect.any(Number) } });
    expect(message['data'].phone).toBeUndefined();
  });

  it('pushes/samples: one measurement of each data type', async () => {
    const answer = await admin('/pushes/samples', { phone: '15312341234' });
    expect(answer.json.sent).toHaveLength(MEASUREMENT_DATA_TYPES.length);
    const messages = receiver.received.map((p) => expectValidPush(p, 1));
    expect(messages.map((m) => m['data'].data_type)).toEqual([...MEASUREMENT_DATA_TYPES]);
    for (const message of messages) expect(Object.keys(message['data'].measure_result).length).toBeGreaterThan(0);
    expect(new Set(messages.map((m) => m['data_tag'])).size).toBe(messages.length);
    expect(messages.find((m) => m['data'].data_type === 1)!['data'].measure_result).toMatchObject({ temp: 36.6 });
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
