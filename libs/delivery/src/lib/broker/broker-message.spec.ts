import { EventType, type OutboxEvent } from '@health-bridge/health-archive';
import { webhookBody } from '../webhooks/webhook-payload';
import { brokerMessage } from './broker-message';

const event: OutboxEvent = {
  id: 'evt_01JEXAMPLE7ZQ4N8W2V6T3K5RD',
  type: EventType.AuthorizationGranted,
  storedAt: new Date('2022-12-29T02:06:01.789Z'),
  phone: '15312341234',
  sequence: 7,
  data: { phone: '15312341234', accountId: 'OA==|MTEx', memberId: 'OA==|LTE=', authorizedAt: '2022-12-29T02:00:00.000Z' },
  cursor: 'ZXY6MDo0Mg',
};

describe('brokerMessage', () => {
  it('routes by the event type and carries the event id, persistence and the content type', () => {
    const message = brokerMessage(event);
    expect(message.routingKey).toBe('authorization.granted');
    expect(message.options).toEqual({
      persistent: true,
      messageId: 'evt_01JEXAMPLE7ZQ4N8W2V6T3K5RD',
      contentType: 'application/json',
      // Seconds of storedAt, rounded down.
      timestamp: 1672279561,
      type: 'authorization.granted',
      headers: { 'x-sequence': 7 },
    });
  });

  it('keeps the phone out of the headers (it is in the body only)', () => {
    const { options } = brokerMessage(event);
    expect(JSON.stringify(options)).not.toContain('15312341234');
  });

  it("has the webhook body: type, storedAt as ISO, and the event's data with its sequence", () => {
    const body = JSON.parse(brokerMessage(event).content.toString('utf8'));
    expect(body).toEqual({
      type: 'authorization.granted',
      timestamp: '2022-12-29T02:06:01.789Z',
      data: { phone: '15312341234', accountId: 'OA==|MTEx', memberId: 'OA==|LTE=', authorizedAt: '2022-12-29T02:00:00.000Z', sequence: 7 },
    });
    expect(brokerMessage(event).content.toString('utf8')).toBe(webhookBody(event));
  });

  it('does not change the event it was given', () => {
    const before = JSON.stringify(event);
    brokerMessage(event);
    expect(JSON.stringify(event)).toBe(before);
  });
});
