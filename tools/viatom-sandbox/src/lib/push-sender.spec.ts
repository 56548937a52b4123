import { startPushReceiver } from '../testing/push-receiver';
import { admin, receiver, useSandbox } from '../testing/sandbox-spec-setup';

// Pushes as sent: what the receiver answered, or why nothing reached it.
useSandbox();

describe('pushes sent', () => {
  it('push answers carry the receiver\'s answer, and failures are reported', async () => {
    receiver.answer = { status: 409, body: 'duplicate' };
    const refused = await admin('/pushes/authorized', { phone: '15312341234' });
    expect(refused.json.sent[0]).toMatchObject({ status: 409, ok: false, body: 'duplicate', error: null });
    const closed = await startPushReceiver();
    await closed.close();
    await admin('/push-url', { url: closed.url });
    const failed = await admin('/pushes/authorized', { phone: '15312341234' });
    expect(failed.json.sent[0]).toMatchObject({ status: null, ok: false, error: expect.stringMatching(/ECONNREFUSED/) });
  });
});
