import { brokerSecretRedactor, maskBrokerUrl } from './broker-url';

describe('maskBrokerUrl', () => {
  it('replaces the password and keeps the rest', () => {
    expect(maskBrokerUrl('amqp://user:s3cret@rabbit:5672/vhost')).toBe('amqp://user:***@rabbit:5672/vhost');
    expect(maskBrokerUrl('amqps://user:p%40ss@rabbit/vhost?heartbeat=5')).toBe('amqps://user:***@rabbit/vhost?heartbeat=5');
  });

  it('leaves a URL without a password as it is', () => {
    expect(maskBrokerUrl('amqp://127.0.0.1:5672')).toBe('amqp://127.0.0.1:5672');
    expect(maskBrokerUrl('amqp://user@rabbit')).toBe('amqp://user@rabbit');
  });

  it('masks everything before the last @ when the URL does not parse', () => {
    expect(maskBrokerUrl('amqp://user:pa ss#word@rabbit:5672')).toBe('amqp://***@rabbit:5672');
  });
});

describe('brokerSecretRedactor', () => {
  it('takes the password out of any text, raw or percent-encoded', () => {
    const redact = brokerSecretRedactor('amqp://user:p%40ss-word@rabbit:5672');
    expect(redact('login p@ss-word refused; url amqp://user:p%40ss-word@rabbit')).toBe('login *** refused; url amqp://user:***@rabbit');
  });

  it('changes nothing when the URL has no password', () => {
    expect(brokerSecretRedactor('amqp://rabbit')('connect ECONNREFUSED 127.0.0.1:5672')).toBe('connect ECONNREFUSED 127.0.0.1:5672');
  });

  it('finds the password of a URL that does not parse', () => {
    expect(brokerSecretRedactor('amqp://user:pa ss#word@rabbit')('bad pa ss#word')).toBe('bad ***');
  });
});
