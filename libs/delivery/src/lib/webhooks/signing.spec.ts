import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { webhookSignature, webhookSignatureHeader, webhookTimestamp } from './signing';

/** The vector the Standard Webhooks libraries are tested with (libraries/javascript/src/webhook.test.ts, "sign function works"). */
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signing', () => {
  it("matches the spec libraries' published vector", () => {
    expect(webhookSignature(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    // The receivers' libraries take the secret with or without its prefix: so does this.
    expect(webhookSignature(VECTOR.secret.slice('whsec_'.length), VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
  });

  it('gives what the standardwebhooks package computes, and that it verifies', () => {
    const secret = `whsec_${Buffer.from('a 32-byte key for these tests!!!').toString('base64')}`;
    const body = JSON.stringify({ type: 'measurement.archived', timestamp: '2025-01-08T10:00:00.000Z', data: { phone: '15312341234', note: '心电图 ✓', sequence: 3 } });
    const now = new Date();
    const timestamp = webhookTimestamp(now);
    const header = webhookSignatureHeader([secret], 'evt_01JFQ8Z3K4W5X6Y7Z8A9B0C1D2', timestamp, body);
    const webhook = new Webhook(secret);
    expect(header).toBe(webhook.sign('evt_01JFQ8Z3K4W5X6Y7Z8A9B0C1D2', new Date(timestamp * 1000), body));
    const headers = { 'webhook-id': 'evt_01JFQ8Z3K4W5X6Y7Z8A9B0C1D2', 'webhook-timestamp': String(timestamp), 'webhook-signature': header };
    expect(webhook.verify(body, headers)).toEqual(JSON.parse(body));
    // Any change to what is signed fails: the body, the id, the timestamp.
    expect(() => webhook.verify(body.replace('3}', '4}'), headers)).toThrow(WebhookVerificationError);
    expect(() => webhook.verify(body, { ...headers, 'webhook-id': 'evt_01JFQ8Z3K4W5X6Y7Z8A9B0C1D3' })).toThrow(WebhookVerificationError);
    expect(() => webhook.verify(body, { ...headers, 'webhook-timestamp': String(timestamp + 1) })).toThrow(WebhookVerificationError);
  });

  it('signs with every secret during a rotation: space-separated, each verifies alone, another secret does not', () => {
    const current = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    const previous = `whsec_${Buffer.alloc(32, 2).toString('base64')}`;
    const other = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
    const timestamp = webhookTimestamp(new Date());
    const header = webhookSignatureHeader([current, previous], 'evt_x', timestamp, '{}');
    const signatures = header.split(' ');
    expect(signatures).toHaveLength(2);
    expect(signatures[0]).toBe(webhookSignature(current, 'evt_x', timestamp, '{}'));
    expect(signatures[1]).toBe(webhookSignature(previous, 'evt_x', timestamp, '{}'));
    const headers = { 'webhook-id': 'evt_x', 'webhook-timestamp': String(timestamp), 'webhook-signature': header };
    expect(() => new Webhook(current).verify('{}', headers)).not.toThrow();
    expect(() => new Webhook(previous).verify('{}', headers)).not.toThrow();
    expect(() => new Webhook(other).verify('{}', headers)).toThrow(WebhookVerificationError);
  });

  it('refuses to sign without a key', () => {
    expect(() => webhookSignatureHeader([], 'evt_x', 1, '{}')).toThrow();
    expect(() => webhookSignature('whsec_', 'evt_x', 1, '{}')).toThrow();
  });

  it('takes the timestamp in whole Unix seconds', () => {
    expect(webhookTimestamp(new Date('2021-02-25T15:02:10.999Z'))).toBe(1614265330);
  });
});
