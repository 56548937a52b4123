import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AuthorizationGrantedEvent, AuthorizationRevokedEvent, MeasurementReceivedEvent, type EventFeed } from '@health-bridge/health-archive';
import { OutboxCursor } from '../outbox-cursor';
import type { Sql } from '../sql';
import { BrokerLink, BrokerUnavailableError, type BrokerTarget } from './broker-link';
import { brokerMessage } from './broker-message';
import { pause, settledWithin, Wakeup } from './wakeup';

/** The outbox cursor of the broker destination (one row of `outbox_cursor`, shared by the replicas). */
export const BROKER_CURSOR_NAME = 'rabbitmq';
/** Events per page: read, published, confirmed, then the cursor moves past them. */
const PAGE_SIZE = 200;
/** How often the feed is looked at when no in-process event woke the publisher (other replicas' events are found so). */
const POLL_INTERVAL_MS = 250;
/** The cursor's lease: another replica takes over this long after this one stopped renewing it. */
const LEASE_TTL_MS = 30_000;
/** Renewed this often while held (well within the TTL, so that a slow round does not lose it). */
const LEASE_RENEW_MS = 10_000;
/** Back-off after a failed round (the database away, a page refused): doubling from the first to the last. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;
/** At shutdown: how long the confirms of the page in flight are waited for, then how long closing the connection may take. */
const SHUTDOWN_CONFIRMS_MS = 5_000;
const SHUTDOWN_CLOSE_MS = 3_000;

/** What the health check and the metrics show of the publisher. */
export interface BrokerStatus {
  /** Connected to RabbitMQ with the exchange declared, and not blocked by it. */
  connected: boolean;
  /** When a page was last confirmed by the broker (null: not yet, since this process started). */
  lastPublishedAt: Date | null;
  /**
   * Events read from the feed and not yet confirmed: the page in hand (at most 200; a full page
   * may have more behind it), 0 once caught up. Null while another replica holds the cursor, or
   * before the first read.
   */
  backlog: number | null;
  /** This process holds the cursor's lease (only one replica publishes at a time). */
  holdsLease: boolean;
}

export interface BrokerPublisherSettings {
  broker: BrokerTarget;
  /** False: this process does not publish (another replica does); the publisher stays idle. */
  worker: boolean;
}

/**
 * Publishes every event of the outbox to a RabbitMQ topic exchange, at least once and in feed
 * order: a page of the feed is published, every confirm awaited, and only then is the cursor
 * (`outbox_cursor` row `rabbitmq`) moved past it. A nack, a lost connection or a timeout leaves
 * the cursor where it was: the page is published again once the broker is back (a consumer
 * dedupes by `messageId`, the event id). One replica publishes at a time, holding the cursor's
 * lease; a new broker destination starts before the oldest event kept, so it gets all of them.
 *
 * Nothing the broker or the database does stops it or the process: every failure is logged
 * (once, not once a poll) and tried again after a back-off.
 */
export class BrokerPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('BrokerPublisher');
  private readonly link: BrokerLink;
  private readonly cursor: OutboxCursor;
  private readonly wakeup = new Wakeup();
  private readonly stop = new AbortController();
  private loop: Promise<void> | null = null;
  /** The cursor as this process holds it: the position saved, and when the lease wants renewing. */
  private lease: { position: string; renewAt: number } | null = null;
  private backlog: number | null = null;
  private lastPublishedAt: Date | null = null;
  private failures = 0;
  private lastProblem: string | null = null;

  constructor(
    private readonly settings: BrokerPublisherSettings,
    private readonly feed: EventFeed,
    sql: Sql,
  ) {
    this.link = new BrokerLink(settings.broker, this.logger);
    const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.cursor = new OutboxCursor(sql, BROKER_CURSOR_NAME, owner, LEASE_TTL_MS);
  }

  status(): BrokerStatus {
    return { connected: this.link.available, lastPublishedAt: this.lastPublishedAt, backlog: this.backlog, holdsLease: this.lease !== null };
  }

  onApplicationBootstrap(): void {
    if (!this.settings.worker) {
      this.logger.log(`not a delivery worker: another replica publishes to RabbitMQ ${this.link.maskedUrl}`);
      return;
    }
    this.link.open();
    // run() catches what each round throws; this is for a bug in the loop itself, never to end the process.
    this.loop = this.run().catch((error: unknown) => this.logger.error(`the broker publisher stopped: ${message(error)}`));
  }

  // The archive's events only wake the publisher early; the outbox is what it publishes.
  @OnEvent(AuthorizationGrantedEvent.eventName)
  @OnEvent(AuthorizationRevokedEvent.eventName)
  @OnEvent(MeasurementReceivedEvent.eventName)
  wake(): void {
    this.wakeup.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    const loop = this.loop;
    if (!loop) return;
    this.stop.abort();
    // The page in flight, if any, is given a moment for its confirms (then the cursor moves past it).
    if (!(await settledWithin(loop, SHUTDOWN_CONFIRMS_MS))) {
      this.logger.warn('stopping before RabbitMQ confirmed the last page: it will be published again');
    }
    if (!(await this.link.close(SHUTDOWN_CLOSE_MS))) this.logger.warn('the RabbitMQ connection did not close in time');
    // Closing rejected any confirm still awaited, so the loop ends now.
    await settledWithin(loop, SHUTDOWN_CLOSE_MS);
    if (this.lease) {
      this.lease = null;
      // Lets another replica take over at once rather than after the lease's TTL.
      await this.cursor.release().catch((error: unknown) => this.logger.warn(`the broker cursor's lease could not be released: ${message(error)}`));
    }
  }

  private async run(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      let outcome: Round;
      try {
        outcome = await this.round(signal);
      } catch (error) {
        this.failed(error);
        await pause(Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (this.failures - 1)), signal);
        continue;
      }
      if (outcome === 'waited') continue;
      this.recovered();
      if (outcome === 'idle') await this.wakeup.sleep(POLL_INTERVAL_MS, signal);
    }
  }

  /** One page of the feed, published and confirmed, and the cursor moved past it. */
  private async round(signal: AbortSignal): Promise<Round> {
    if (!this.link.available) {
      // No polling while the broker is away: the link says when it is back.
      await this.link.untilAvailable(signal);
      return 'waited';
    }
    const position = await this.holdLease();
    if (position === null) return 'idle';
    const page = await this.feed.read({ after: position, limit: PAGE_SIZE });
    if (page.items.length === 0) {
      this.backlog = 0;
      return 'idle';
    }
    this.backlog = page.items.length;
    try {
      await this.renewingLease(() => this.link.publishAll(page.items.map(brokerMessage)));
    } catch (error) {
      // Lost with the connection: the link has logged the outage, once.
      throw this.link.available ? error : new BrokerUnavailableError(message(error));
    }
    const now = new Date();
    if (!(await this.cursor.advance(page.nextCursor, now))) {
      this.lostLease();
      return 'idle';
    }
    this.lease = { position: page.nextCursor, renewAt: now.getTime() + LEASE_RENEW_MS };
    this.lastPublishedAt = now;
    this.backlog = 0;
    return page.items.length === PAGE_SIZE ? 'more' : 'idle';
  }

  /** The position to publish from while this process holds the lease (taken or renewed when due); null when another replica holds it. */
  private async holdLease(): Promise<string | null> {
    if (this.lease && Date.now() < this.lease.renewAt) return this.lease.position;
    const now = new Date();
    const position = await this.cursor.acquire(async () => this.feed.startCursor(), now);
    if (position === null) {
      this.lostLease();
      return null;
    }
    if (!this.lease) this.logger.log('publishing the event feed to RabbitMQ from this process');
    this.lease = { position, renewAt: now.getTime() + LEASE_RENEW_MS };
    return position;
  }

  /** Runs `work` (a page waiting for its confirms, through an outage maybe) while renewing the lease. */
  private async renewingLease<T>(work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => {
      this.cursor
        .acquire(async () => this.feed.startCursor())
        .then((held) => {
          if (held === null) this.lostLease();
        })
        .catch((error: unknown) => this.logger.warn(`the broker cursor's lease could not be renewed: ${message(error)}`));
    }, LEASE_RENEW_MS);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  private lostLease(): void {
    if (this.lease) this.logger.log('another replica now publishes the event feed to RabbitMQ');
    this.lease = null;
    this.backlog = null;
  }

  private failed(error: unknown): void {
    this.failures++;
    // The broker is away: the link has said so, once; a page that failed with it is no news.
    if (error instanceof BrokerUnavailableError) {
      this.logger.debug(`a page was not published, the broker being away: ${message(error)}`);
      return;
    }
    // Once per kind of failure, not once per try (counts in the message do not make a new kind).
    const kind = message(error).replace(/\d+/g, '#');
    if (kind === this.lastProblem) {
      this.logger.debug(`publishing to RabbitMQ failed again (try ${this.failures}): ${message(error)}`);
      return;
    }
    this.lastProblem = kind;
    this.logger.error(`publishing to RabbitMQ failed, trying again: ${message(error)}`);
  }

  private recovered(): void {
    const tries = this.failures;
    this.failures = 0;
    if (this.lastProblem === null) return;
    this.lastProblem = null;
    this.logger.log(`publishing to RabbitMQ works again (after ${tries} failed ${tries === 1 ? 'try' : 'tries'})`);
  }
}

/** `more`: a full page went, go on at once; `idle`: caught up (or not ours), poll later; `waited`: the broker was away until now. */
type Round = 'more' | 'idle' | 'waited';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
