import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { PushOutcome, type PushMinuteCount } from '@health-bridge/health-archive';
import type { ViatomCircuitState } from '@health-bridge/viatom-client';
import { toInteger } from '../common/dto';
import type { Overview } from './overview.service';
import { VIATOM_FAILURES_KEPT, type ViatomFailure } from './viatom-failure-log';

export const DEFAULT_OVERVIEW_HOURS = 6;
export const MAX_OVERVIEW_HOURS = 72;

const PUSH_TYPES = ['1', '2', '3', 'other'] as const;
type PushTypeLabel = (typeof PUSH_TYPES)[number];

export class OverviewQueryDto {
  @ApiProperty({
    required: false,
    minimum: 1,
    maximum: MAX_OVERVIEW_HOURS,
    // No `default` here: Swagger UI's "Try it out" would fill it in (the description says it).
    description: `How far back the overview reaches, in whole hours from 1 to ${MAX_OVERVIEW_HOURS}: from now less this many hours (down to the start of that minute) to now. Default ${DEFAULT_OVERVIEW_HOURS}.`,
  })
  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: 'hours must be a whole number' })
  @Min(1, { message: 'hours must be at least 1' })
  @Max(MAX_OVERVIEW_HOURS, { message: `hours must be at most ${MAX_OVERVIEW_HOURS}` })
  hours?: number;
}

export class PushMinuteCountDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'The start of the minute (UTC) the pushes were received in.', example: '2026-12-02T08:41:00.000Z' })
  minute!: string;
  @ApiProperty({ enum: PUSH_TYPES, description: 'The push type: `1` measurement, `2` authorized, `3` cancelled; `other` for any other type (or none).', example: '1' })
  type!: PushTypeLabel;
  @ApiProperty({ enum: PushOutcome, description: 'What became of them, as the push log says (applied, stale, archived, ignored).', example: PushOutcome.Archived })
  outcome!: PushOutcome;
  @ApiProperty({ description: 'How many (never 0: a minute, type and outcome without a push is left out). A repeated delivery of a push is not counted again.', example: 12 })
  count!: number;

  static from(count: PushMinuteCount): PushMinuteCountDto {
    return { minute: count.minute.toISOString(), type: count.type === null ? 'other' : (String(count.type) as PushTypeLabel), outcome: count.outcome, count: count.count };
  }
}

export class ViatomFailureDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'When the call ended, its retries included.', example: '2026-12-02T08:40:12.345Z' })
  at!: string;
  @ApiProperty({ enum: ['jump_path', 'cancel'], description: "Viatom's endpoint, by the last segment of its path.", example: 'cancel' })
  endpoint!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: "The HTTP status of the last attempt's answer (Viatom's, or a gateway's before it); null when none came (refused, reset, timed out).",
    example: 503,
  })
  status!: number | null;
  @ApiProperty({
    description:
      'How the call failed: `refused` (a non-zero code), `credentials-rejected`, `busy` (109999 after the retries), `timeout`, `connection-refused`, `connection-reset`, `network`, `http-status`, `invalid-json`, `invalid-envelope` or `answer-too-large`. Never what was sent (no phone, no credential).',
    example: 'http-status',
  })
  error!: string;
  @ApiProperty({ description: 'How long the call took, every attempt and backoff included, in milliseconds.', example: 2140 })
  durationMs!: number;

  static from(failure: ViatomFailure): ViatomFailureDto {
    return { at: failure.at.toISOString(), endpoint: failure.endpoint, status: failure.status, error: failure.error, durationMs: failure.durationMs };
  }
}

export class ViatomOverviewDto {
  @ApiProperty({
    enum: ['closed', 'open', 'half-open'],
    description: "The circuit breaker in front of Viatom now: `closed` (calls go through), `open` (calls fail fast after repeated failures), `half-open` (the next call is a trial).",
    example: 'closed',
  })
  circuit!: ViatomCircuitState;
  @ApiProperty({
    type: [ViatomFailureDto],
    description: `The last ${VIATOM_FAILURES_KEPT} (at most) calls to Viatom this process made that failed, newest first, whatever the window; kept in memory (a restart, or another replica, has its own). Calls failed fast while the circuit was open are not among them: Viatom was not called.`,
  })
  recentFailures!: ViatomFailureDto[];
}

export class OutboxOverviewDto {
  @ApiProperty({ description: 'Webhook deliveries waiting for an attempt (or in one), across every endpoint, enabled or not.', example: 3 })
  pendingDeliveries!: number;
  @ApiProperty({ description: 'Webhook deliveries given up after the last attempt of the retry schedule (until a retry or a recover), across every endpoint.', example: 1 })
  failedDeliveries!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the first delivery still pending was made; null when none is pending.', example: '2026-12-02T08:39:58.101Z' })
  oldestPendingAt!: string | null;
}

export class DeliveriesOverviewDto {
  @ApiProperty({ description: 'Webhook attempts made in the window that the receiver answered 2xx.', example: 57 })
  succeeded!: number;
  @ApiProperty({ description: 'Webhook attempts made in the window that failed: another status, or no answer (refused, reset, timed out).', example: 3 })
  failed!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'succeeded / (succeeded + failed); null when no attempt was made in the window.', example: 0.95 })
  successRate!: number | null;
}

export class OverviewDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'The window\'s start: now less `hours`, down to the start of its minute.', example: '2026-12-02T02:41:00.000Z' })
  from!: string;
  @ApiProperty({ type: String, format: 'date-time', description: "The window's end: now.", example: '2026-12-02T08:41:27.512Z' })
  to!: string;
  @ApiProperty({
    type: [PushMinuteCountDto],
    description: 'The pushes received in the window (from `from` to `to`, both included), counted by minute, type and outcome; ordered by minute, then type, then outcome.',
  })
  pushes!: PushMinuteCountDto[];
  @ApiProperty({ type: ViatomOverviewDto, description: "Viatom's circuit breaker now, and the last calls to Viatom that failed (not limited to the window)." })
  viatom!: ViatomOverviewDto;
  @ApiProperty({ type: OutboxOverviewDto, description: 'The webhook deliveries waiting and given up now (not limited to the window).' })
  outbox!: OutboxOverviewDto;
  @ApiProperty({ type: DeliveriesOverviewDto, description: 'The webhook attempts made in the window, across every endpoint.' })
  deliveries!: DeliveriesOverviewDto;

  static from(overview: Overview): OverviewDto {
    return {
      from: overview.from.toISOString(),
      to: overview.to.toISOString(),
      pushes: overview.pushes.map(PushMinuteCountDto.from),
      viatom: { circuit: overview.viatom.circuit, recentFailures: overview.viatom.recentFailures.map(ViatomFailureDto.from) },
      outbox: {
        pendingDeliveries: overview.outbox.pending,
        failedDeliveries: overview.outbox.failed,
        oldestPendingAt: overview.outbox.oldestPendingAt?.toISOString() ?? null,
      },
      deliveries: { ...overview.deliveries },
    };
  }
}
