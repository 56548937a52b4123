import type { Logger } from '@nestjs/common';
import { connect, type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import type { BrokerMessage } from './broker-message';
import { brokerSecretRedactor, maskBrokerUrl } from './broker-url';
import { settledWithin } from './wakeup';

/** Heartbeats find a peer gone without a goodbye (a crashed host, a cut cable) within about twice this. */
const HEARTBEAT_SECONDS = 10;
/** Between two connection attempts while the broker is away. */
const RECONNECT_SECONDS = 2;
/** A TCP connect that hangs (a host that drops packets) is given up after this. */
const CONNECT_TIMEOUT_MS = 10_000;
/** A message not confirmed within this fails its page, which is published again. */
const CONFIRM_TIMEOUT_MS = 10_000;
/** The first and the longest wait before a new channel, when the broker closed ours but kept the connection. */
const CHANNEL_RETRY_FIRST_MS = 1_000;
const CHANNEL_RETRY_MAX_MS = 30_000;

/** Where events are published: a RabbitMQ URL (it may hold a password) and a topic exchange. */
export interface BrokerTarget {
  url: string;
  exchange: string;
}

/** The broker cannot take messages now (away, blocking us, or the link closing): nothing was handed to it. */
export class BrokerUnavailableError extends Error {
  override readonly name = 'BrokerUnavailableError';
}

/**
 * The publisher's connection to RabbitMQ. amqp-connection-manager reconnects by itself and
 * replays the channel's setup (declaring the exchange); this class adds what at-least-once
 * publishing needs on top of it:
 * - whether the broker can take messages now: while it cannot, nothing is handed to the
 *   manager, whose in-memory queue would otherwise hold every message published meanwhile;
 * - one log line when the broker goes away and one when it is back (its URL without the
 *   password), however many attempts fail in between;
 * - a new channel when the broker closed ours but kept the connection (the exchange deleted
 *   under us, say), which the manager would otherwise wait for a new connection to make.
 */
export class BrokerLink {
  readonly maskedUrl: string;
  private readonly redact: (text: string) => string;
  private manager: AmqpConnectionManager | null = null;
  private wrapper: ChannelWrapper | null = null;
  /** The amqplib channel the last setup ran on, while it is open. */
  private channel: ConfirmChannel | null = null;
  private lastChannelError: string | null = null;
  private ready = false;
  private blocked = false;
  private closing = false;
  private connectedOnce = false;
  /** Since when publishing has been paused (logged once, when it began). */
  private pausedSince: number | null = null;
  private channelFailures = 0;
  private channelRetry: NodeJS.Timeout | null = null;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly target: BrokerTarget,
    private readonly logger: Logger,
  ) {
    this.maskedUrl = maskBrokerUrl(target.url);
    this.redact = brokerSecretRedactor(target.url);
  }

  /** Connected, the exchange declared, and not blocked by the broker: a page may be published. */
  get available(): boolean {
    return this.ready && !this.blocked && !this.closing;
  }

  /** Starts connecting in the background: a broker away at start is an outage like any other. */
  open(): void {
    const manager = connect([this.target.url], {
      heartbeatIntervalInSeconds: HEARTBEAT_SECONDS,
      reconnectTimeInSeconds: RECONNECT_SECONDS,
      connectionOptions: { timeout: CONNECT_TIMEOUT_MS, clientProperties: { connection_name: 'health-bridge broker publisher' } },
    });
    manager.on('connectFailed', ({ err }) => this.paused(describe(err)));
    manager.on('disconnect', ({ err }) => this.paused(err ? describe(err) : 'the connection closed'));
    manager.on('blocked', ({ reason }) => {
      this.blocked = true;
      this.logger.warn(`RabbitMQ ${this.maskedUrl} blocks publishing (${this.redact(String(reason))}): events wait in the outbox`);
    });
    manager.on('unblocked', () => {
      this.blocked = false;
      this.logger.log(`RabbitMQ ${this.maskedUrl} no longer blocks publishing`);
      this.notify();
    });
    const wrapper = manager.createChannel({
      name: 'broker-publisher',
      confirm: true,
      publishTimeout: CONFIRM_TIMEOUT_MS,
      setup: (channel: ConfirmChannel) => this.setup(channel),
    });
    // 'connect': the channel is open and its setup done.
    wrapper.on('connect', () => this.resumed());
    wrapper.on('error', (err: unknown) => this.paused(`the publishing channel failed: ${describe(err)}`));
    this.manager = manager;
    this.wrapper = wrapper;
  }

  /**
   * Publishes the messages and waits for every confirm. Rejects when the broker is not
   * available (BrokerUnavailableError: nothing sent), or when any message was refused (nack),
   * lost with the connection or not confirmed in time: then some may have been delivered, none
   * may be counted as published.
   */
  async publishAll(messages: readonly BrokerMessage[]): Promise<void> {
    const wrapper = this.wrapper;
    if (!wrapper || !this.available) throw new BrokerUnavailableError(`RabbitMQ ${this.maskedUrl} is not available`);
    const results = await Promise.allSettled(messages.map((m) => wrapper.publish(this.target.exchange, m.routingKey, m.content, m.options)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) {
      throw new Error(`RabbitMQ did not confirm ${failed.length} of ${messages.length} messages (${this.redact(describe(failed[0].reason))})`);
    }
  }

  /** Resolves when the broker is available again, or the link closes, or the signal aborts. */
  untilAvailable(signal: AbortSignal): Promise<void> {
    if (this.available || this.closing || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * Closes the channel (a message not yet confirmed is rejected) and the connection, within
   * `boundMs`: amqp-connection-manager's close waits for a connection attempt in progress.
   * False when the bound passed first (the close goes on in the background).
   */
  async close(boundMs: number): Promise<boolean> {
    this.closing = true;
    this.ready = false;
    if (this.channelRetry) clearTimeout(this.channelRetry);
    this.notify();
    const manager = this.manager;
    this.manager = null;
    this.wrapper = null;
    if (!manager) return true;
    const closed = manager.close().catch((error: unknown) => this.logger.warn(`closing the RabbitMQ connection failed: ${this.redact(describe(error))}`));
    return settledWithin(closed, boundMs);
  }

  private async setup(channel: ConfirmChannel): Promise<void> {
    this.channel = channel;
    this.lastChannelError = null;
    // Without a listener, an 'error' of the channel (the broker closing it) would be thrown out
    // of amqplib's socket handler and end the process.
    channel.on('error', (err: unknown) => (this.lastChannelError = this.redact(describe(err))));
    channel.on('close', () => this.channelClosed(channel));
    await channel.assertExchange(this.target.exchange, 'topic', { durable: true });
  }

  private channelClosed(channel: ConfirmChannel): void {
    if (this.channel !== channel) return;
    this.channel = null;
    this.ready = false;
    if (this.closing) return;
    // When the whole connection went, the manager reconnects (and says why in 'disconnect').
    // When only the channel went, it would wait for that forever: reconnect it ourselves, later
    // each time the new channel is closed again (an exchange of another type, say).
    const delay = Math.min(CHANNEL_RETRY_MAX_MS, CHANNEL_RETRY_FIRST_MS * 2 ** this.channelFailures++);
    if (this.channelRetry) clearTimeout(this.channelRetry);
    this.channelRetry = setTimeout(() => {
      this.channelRetry = null;
      const manager = this.manager;
      if (this.closing || !manager || this.channel !== null || !manager.isConnected()) return;
      this.paused(`RabbitMQ closed the channel: ${this.lastChannelError ?? 'no reason given'}`);
      manager.reconnect();
    }, delay);
    this.channelRetry.unref();
  }

  private paused(reason: string): void {
    this.ready = false;
    if (this.closing || this.pausedSince !== null) return;
    this.pausedSince = Date.now();
    this.logger.warn(
      `publishing to RabbitMQ ${this.maskedUrl} paused: ${this.redact(reason)}. Events wait in the outbox; reconnecting every ${RECONNECT_SECONDS} s`,
    );
  }

  private resumed(): void {
    if (this.closing) return;
    this.ready = true;
    this.channelFailures = 0;
    if (this.pausedSince !== null) {
      this.logger.log(`publishing to RabbitMQ ${this.maskedUrl} resumed after ${((Date.now() - this.pausedSince) / 1000).toFixed(1)} s`);
      this.pausedSince = null;
    } else if (!this.connectedOnce) {
      this.logger.log(`connected to RabbitMQ ${this.maskedUrl}: publishing every event to the exchange ${this.target.exchange}`);
    }
    this.connectedOnce = true;
    this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
