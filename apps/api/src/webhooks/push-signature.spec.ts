import { createHmac } from 'node:crypto';
import type { PushSignatureConfig } from '../config/security-config';
import { PushSignatureVerifier, STANDARD_WEBHOOKS_SIGNATURE } from './push-signature';

// The published test vector of the Standard Webhooks spec (standard-webhooks/standard-webhooks, spec/standard-webhooks.md).
const SW = {
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const standard = (secrets = [SW.secret]): PushSignatureConfig => ({
  scheme: 'standard-webhooks',
  secrets,
  ...STANDARD_WEBHOOKS_SIGNATURE,
  toleranceSeconds: 300,
});
const swHeaders = (signature = SW.signature, timestamp = String(SW.timestamp), id = SW.id) => ({
  'webhook-id': id,
  'webhook-timestamp': timestamp,
  'webhook-signature': signature,
});

// GitHub's documented example (docs.github.com, "Validating webhook deliveries").
const GH = {
  secret: "It's a Secret to Everybody",
  body: 'Hello, World!',
  signature: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
};
const github = (overrides: Partial<PushSignatureConfig> = {}): PushSignatureConfig => ({
  scheme: 'hmac',
  secrets: [GH.secret],
  algorithm: 'sha256',
  header: 'x-hub-signature-256',
  encoding: 'hex',
  prefix: 'sha256=',
  timestampHeader: null,
  toleranceSeconds: 300,
  ...overrides,
});

describe('Standard Webhooks signatures', () => {
  const verifier = new PushSignatureVerifier(standard());
  const at = SW.timestamp;

  it('accepts the published test vector', () => {
    expect(verifier.verify(SW.body, swHeaders(), at)).toEqual({ ok: true });
  });
  it('refuses a wrong secret', () => {
    const other = new PushSignatureVerifier(standard(['whsec_' + Buffer.from('another secret of 32 bytes......').toString('base64')]));
    expect(other.verify(SW.body, swHeaders(), at)).toEqual({ ok: false, reason: 'the signature does not match' });
  });
  it('refuses the body with one byte changed, and the same JSON re-serialised', () => {
    expect(verifier.verify('{"test": 2432232315}', swHeaders(), at).ok).toBe(false);
    expect(verifier.verify(JSON.stringify(JSON.parse(SW.body)), swHeaders(), at).ok).toBe(false);
  });
  it('refuses another message id (the id is signed)', () => {
    expect(verifier.verify(SW.body, swHeaders(SW.signature, String(SW.timestamp), 'msg_other'), at).ok).toBe(false);
  });
  it('refuses a missing or malformed header', () => {
    expect(verifier.verify(SW.body, { 'webhook-id': SW.id, 'webhook-timestamp': String(at) }, at)).toMatchObject({ ok: false, reason: expect.stringContaining('missing') });
    for (const bad of ['g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=', 'v1,', 'v1,not base64!', 'v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=']) {
      expect(verifier.verify(SW.body, swHeaders(bad), at)).toMatchObject({ ok: false, reason: expect.stringContaining('malformed') });
    }
    expect(verifier.verify(SW.body, { ...swHeaders(), 'webhook-id': undefined }, at).ok).toBe(false);
    expect(verifier.verify(SW.body, swHeaders(SW.signature, 'yesterday'), at).ok).toBe(false);
  });
  it('refuses a repeated header (several values)', () => {
    expect(verifier.verify(SW.body, { ...swHeaders(), 'webhook-signature': [SW.signature, SW.signature] }, at).ok).toBe(false);
  });
  it('refuses an old and a future timestamp, beyond the tolerance only', () => {
    expect(verifier.verify(SW.body, swHeaders(), at + 300).ok).toBe(true);
    expect(verifier.verify(SW.body, swHeaders(), at + 301)).toEqual({ ok: false, reason: 'the webhook-timestamp is too old' });
    expect(verifier.verify(SW.body, swHeaders(), at - 301)).toEqual({ ok: false, reason: 'the webhook-timestamp is in the future' });
  });
  it('accepts several signatures where one is valid', () => {
    const wrong = 'v1,' + Buffer.alloc(32, 7).toString('base64');
    expect(verifier.verify(SW.body, swHeaders(`${wrong} v1a,xyz ${SW.signature}`), at)).toEqual({ ok: true });
    expect(verifier.verify(SW.body, swHeaders(`${wrong} ${wrong}`), at).ok).toBe(false);
  });
  it('refuses a signature of the wrong length', () => {
    const full = Buffer.from(SW.signature.slice(3), 'base64');
    expect(verifier.verify(SW.body, swHeaders('v1,' + full.subarray(0, 31).toString('base64')), at).ok).toBe(false);
    expect(verifier.verify(SW.body, swHeaders('v1,' + Buffer.concat([full, Buffer.from([0])]).toString('base64')), at).ok).toBe(false);
  });
  it('accepts any of several secrets (rotation)', () => {
    const rotating = new PushSignatureVerifier(standard(['whsec_' + Buffer.from('the new secret, 32 bytes long...').toString('base64'), SW.secret]));
    expect(rotating.verify(SW.body, swHeaders(), at)).toEqual({ ok: true });
  });
});

describe('plain HMAC header signatures (GitHub style)', () => {
  it("accepts GitHub's documented example", () => {
    expect(new PushSignatureVerifier(github()).verify(GH.body, { 'x-hub-signature-256': GH.signature })).toEqual({ ok: true });
  });
  it('refuses a wrong secret, a changed byte, a missing or malformed header, a wrong length', () => {
    const v = new PushSignatureVerifier(github());
    expect(new PushSignatureVerifier(github({ secrets: ["It's a Secret to Everybody!"] })).verify(GH.body, { 'x-hub-signature-256': GH.signature }).ok).toBe(false);
    expect(v.verify('Hello, World?', { 'x-hub-signature-256': GH.signature }).ok).toBe(false);
    expect(v.verify(GH.body, {}).ok).toBe(false);
    expect(v.verify(GH.body, { 'x-hub-signature-256': GH.signature.slice(7) })).toMatchObject({ ok: false, reason: expect.stringContaining('malformed') });
    expect(v.verify(GH.body, { 'x-hub-signature-256': 'sha256=zz' + GH.signature.slice(9) })).toMatchObject({ ok: false, reason: expect.stringContaining('malformed') });
    expect(v.verify(GH.body, { 'x-hub-signature-256': GH.signature.slice(0, -2) }).ok).toBe(false);
    expect(v.verify(GH.body, { 'x-hub-signature-256': GH.signature + '00' }).ok).toBe(false);
  });
  it('takes upper-case hex, and several signatures where one is valid', () => {
    const v = new PushSignatureVerifier(github());
    expect(v.verify(GH.body, { 'x-hub-signature-256': 'sha256=' + GH.signature.slice(7).toUpperCase() }).ok).toBe(true);
    expect(v.verify(GH.body, { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}, ${GH.signature}` }).ok).toBe(true);
  });
  it('computes sha512 in base64 with a signed timestamp', () => {
    const secret = 'a-secret-of-16-characters-or-more';
    const v = new PushSignatureVerifier(github({ secrets: [secret], algorithm: 'sha512', encoding: 'base64', prefix: '', header: 'x-signature', timestampHeader: 'x-timestamp' }));
    const now = 1_700_000_000;
    const sign = (ts: number, body: string) => createHmac('sha512', secret).update(`${ts}.${body}`).digest('base64');
    expect(v.verify('{"a":1}', { 'x-signature': sign(now, '{"a":1}'), 'x-timestamp': String(now) }, now)).toEqual({ ok: true });
    // The timestamp is signed: changing it breaks the signature.
    expect(v.verify('{"a":1}', { 'x-signature': sign(now, '{"a":1}'), 'x-timestamp': String(now + 1) }, now).ok).toBe(false);
    expect(v.verify('{"a":1}', { 'x-signature': sign(now - 301, '{"a":1}'), 'x-timestamp': String(now - 301) }, now)).toMatchObject({ ok: false, reason: expect.stringContaining('too old') });
    expect(v.verify('{"a":1}', { 'x-signature': sign(now, '{"a":1}') }, now)).toMatchObject({ ok: false, reason: expect.stringContaining('x-timestamp') });
    // A sha256-length signature is the wrong length for sha512.
    expect(v.verify('{"a":1}', { 'x-signature': createHmac('sha256', secret).update(`${now}.{"a":1}`).digest('base64'), 'x-timestamp': String(now) }, now).ok).toBe(false);
  });
});
