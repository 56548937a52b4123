import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDate, IsIn, IsOptional } from 'class-validator';
import { DELIVERY_STATUSES, type DeliveryStatus, type WebhookDeliveryEntry } from '@health-bridge/delivery';
import { EVENT_TYPES } from '@health-bridge/health-archive';
import { PageDto, PageQueryDto, toInstant } from '../common/dto';

const STATUS_DESCRIPTION =
  '`pending`: waiting for its next attempt (or in one); `delivered`: the receiver answered 2xx; `failed`: every attempt of the retry schedule failed (a retry or a recover sends it again).';

export class WebhookDeliveryListQueryDto extends PageQueryDto {
  @ApiProperty({ required: false, enum: DELIVERY_STATUSES, description: `Only deliveries in this state. ${STATUS_DESCRIPTION}` })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES, { message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` })
  status?: DeliveryStatus;
}

export class WebhookAttemptDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'When the attempt started (its `webhook-timestamp`).', example: '2025-01-08T10:00:00.125Z' })
  at!: string;
  @ApiProperty({ type: Number, nullable: true, description: "The receiver's HTTP status; null when no answer came (refused, reset, timed out).", example: 503 })
  statusCode!: number | null;
  @ApiProperty({ description: 'How long the attempt took, in milliseconds.', example: 184 })
  durationMs!: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      "Why it failed, in the service's own words, never the receiver's answer (it may echo the event): `HTTP 500`, " +
      '`HTTP 302 (redirects are not followed: change the endpoint URL)`, `connection refused`, `connection reset by the receiver`, ' +
      '`host … not found (DNS)`, `TLS error: …`, `no complete answer within 15000 ms`…; at most 1024 characters. null on success.',
    example: 'HTTP 503',
  })
  error!: string | null;
}

export class WebhookDeliveryDto {
  @ApiProperty({ description: "The event's id: the `webhook-id` of every attempt.", example: 'evt_01JFQ8Z3K4W5X6Y7Z8A9B0C1D2' })
  eventId!: string;
  @ApiProperty({ enum: EVENT_TYPES, example: 'measurement.archived' })
  eventType!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES, description: STATUS_DESCRIPTION, example: 'pending' })
  status!: DeliveryStatus;
  @ApiProperty({ type: [WebhookAttemptDto], description: 'Every attempt, oldest first.' })
  attempts!: WebhookAttemptDto[];
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'When it is tried next (pending only). While the endpoint is disabled it keeps the time the schedule set and is not tried; once the endpoint is enabled, a time passed meanwhile is tried at once.',
    example: '2025-01-08T10:05:00.125Z',
  })
  nextAttemptAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', description: 'When the event was given to this endpoint.', example: '2025-01-08T10:00:00.101Z' })
  createdAt!: string;

  static from(entry: WebhookDeliveryEntry): WebhookDeliveryDto {
    return {
      eventId: entry.eventId,
      eventType: entry.eventType,
      status: entry.status,
      attempts: entry.attempts.map((a) => ({ at: a.at.toISOString(), statusCode: a.statusCode, durationMs: a.durationMs, error: a.error })),
      nextAttemptAt: entry.nextAttemptAt?.toISOString() ?? null,
      createdAt: entry.createdAt.toISOString(),
    };
  }
}

export class WebhookDeliveryPageDto extends PageDto {
  @ApiProperty({ type: [WebhookDeliveryDto] })
  items!: WebhookDeliveryDto[];
}

export class RecoverWebhookDeliveriesDto {
  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'Every failed delivery created at or after this instant is sent again: ISO 8601 with a zone, e.g. `2025-01-08T00:00:00Z`.',
    example: '2025-01-08T00:00:00Z',
  })
  @Transform(toInstant)
  @IsDate({ message: 'since must be an ISO 8601 date-time with a zone, e.g. 2025-01-08T00:00:00Z' })
  since!: Date;
}

export class RecoveredWebhookDeliveriesDto {
  @ApiProperty({ description: 'How many failed deliveries are due again now.', example: 12 })
  queued!: number;
}
