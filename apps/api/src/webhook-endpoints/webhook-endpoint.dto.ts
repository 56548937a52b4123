import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsOptional, ValidateBy, ValidateIf, type ValidationArguments } from 'class-validator';
import { EVENT_TYPES, isEventType, type EventType } from '@health-bridge/health-archive';
import { MAX_DESCRIPTION_LENGTH, MAX_TARGET_URL_LENGTH, type DisabledReason, type WebhookEndpoint, type WebhookEndpointSecrets } from '@health-bridge/delivery';
import { PageDto, PageQueryDto } from '../common/dto';

const EXAMPLE_ID = 'ep_01JFQ8Z3K4W5X6Y7Z8A9B0C1D2';
const EXAMPLE_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7Hk6Ez9s8Dk=';
const EXAMPLE_URL = 'https://clinic.example.com/webhooks/health-bridge';
const DISABLED_REASONS: DisabledReason[] = ['manual', 'gone', 'failing'];

const URL_DESCRIPTION =
  'Where events are POSTed: an absolute http or https URL (https in production), at most 2048 characters, without user:password@. ' +
  'Loopback, private, link-local and other non-public targets are refused unless DELIVERY_ALLOW_PRIVATE_TARGETS allows them (it does outside production), ' +
  'and so is a host that does not resolve. Redirects are not followed.';
const EVENT_TYPES_DESCRIPTION = `The event types sent to this endpoint, at least one, of ${EVENT_TYPES.join(', ')}.`;

/** At most this many names are repeated back in a refusal (they are the caller's own text). */
const SHOWN_NAMES = 5;
const shown = (name: unknown) => JSON.stringify(typeof name === 'string' && name.length > 64 ? `${name.slice(0, 64)}…` : name);

/** Why a value is not a list of event types, naming the unknown ones. */
function eventTypesProblem(value: unknown, forAllTypes: string): string {
  if (!Array.isArray(value)) return `eventTypes must be an array of event types (${EVENT_TYPES.join(', ')})`;
  if (value.length === 0) return `eventTypes must not be empty: ${forAllTypes}`;
  const unknown = [...new Set(value.filter((name) => typeof name !== 'string' || !isEventType(name)))];
  const names = unknown.slice(0, SHOWN_NAMES).map(shown).join(', ') + (unknown.length > SHOWN_NAMES ? ', …' : '');
  return `eventTypes: unknown event type${unknown.length > 1 ? 's' : ''} ${names} (known: ${EVENT_TYPES.join(', ')})`;
}

/**
 * A string of at most `max` characters, with one message for whichever is wrong (two
 * decorators would also say "at most 2048 characters" of a number).
 */
function IsText(max: number, what = ''): PropertyDecorator {
  return ValidateBy({
    name: 'isText',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && value.length <= max,
      defaultMessage: (args?: ValidationArguments) =>
        typeof args?.value === 'string' ? `${args.property} must be at most ${max} characters` : `${args?.property} must be a string${what}`,
    },
  });
}

/** A non-empty array of known event types (null and absence are left to `@IsOptional`). */
function IsEventTypeList(forAllTypes: string): PropertyDecorator {
  return ValidateBy({
    name: 'isEventTypeList',
    validator: {
      validate: (value: unknown) => Array.isArray(value) && value.length > 0 && value.every((name) => typeof name === 'string' && isEventType(name)),
      defaultMessage: (args?: ValidationArguments) => eventTypesProblem(args?.value, forAllTypes),
    },
  });
}

export class CreateWebhookEndpointDto {
  @ApiProperty({ description: URL_DESCRIPTION, example: EXAMPLE_URL, maxLength: MAX_TARGET_URL_LENGTH })
  @IsText(MAX_TARGET_URL_LENGTH, ': an absolute http or https URL')
  url!: string;

  @ApiProperty({
    required: false,
    enum: EVENT_TYPES,
    isArray: true,
    description: `${EVENT_TYPES_DESCRIPTION} Omit it for every type, those added later included.`,
    example: ['measurement.archived', 'authorization.revoked'],
  })
  @IsOptional()
  @IsEventTypeList('omit it for all types')
  eventTypes?: EventType[] | null;

  @ApiProperty({ type: String, required: false, maxLength: MAX_DESCRIPTION_LENGTH, description: 'A note for the people who manage it.', example: 'Clinic A: measurements' })
  @IsOptional()
  @IsText(MAX_DESCRIPTION_LENGTH)
  description?: string | null;
}

/** Every field optional, but at least one given; `null` has a meaning for eventTypes and description, none for url and enabled. */
export class UpdateWebhookEndpointDto {
  @ApiProperty({ required: false, description: URL_DESCRIPTION, example: EXAMPLE_URL, maxLength: MAX_TARGET_URL_LENGTH })
  @ValidateIf((body: UpdateWebhookEndpointDto) => body.url !== undefined)
  @IsText(MAX_TARGET_URL_LENGTH, ': an absolute http or https URL')
  url?: string;

  @ApiProperty({
    required: false,
    nullable: true,
    enum: EVENT_TYPES,
    isArray: true,
    description: `${EVENT_TYPES_DESCRIPTION} \`null\`: every type.`,
    example: ['measurement.archived'],
  })
  @IsOptional()
  @IsEventTypeList('send null for all types')
  eventTypes?: EventType[] | null;

  @ApiProperty({
    required: false,
    description:
      '`false` turns the endpoint off (`disabledReason` `manual`, unless the service had turned it off already); `true` turns it back on and forgets why it was off and since when it failed.',
    example: true,
  })
  @ValidateIf((body: UpdateWebhookEndpointDto) => body.enabled !== undefined)
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled?: boolean;

  @ApiProperty({ type: String, required: false, nullable: true, maxLength: MAX_DESCRIPTION_LENGTH, description: 'A note for the people who manage it; `null` removes it.', example: 'Clinic A: measurements' })
  @IsOptional()
  @IsText(MAX_DESCRIPTION_LENGTH)
  description?: string | null;
}

export class WebhookEndpointListQueryDto extends PageQueryDto {}

export class WebhookEndpointDto {
  @ApiProperty({ description: '`ep_` and a ULID.', example: EXAMPLE_ID })
  id!: string;

  @ApiProperty({ description: 'Where events are POSTed, as the service calls it (normalized: host in lower case, path percent-encoded).', example: EXAMPLE_URL })
  url!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Clinic A: measurements' })
  description!: string | null;

  @ApiProperty({ enum: EVENT_TYPES, isArray: true, nullable: true, description: 'The event types sent to it; `null`: every type.', example: ['measurement.archived'] })
  eventTypes!: EventType[] | null;

  @ApiProperty({ description: 'Events are sent to it only while it is on.', example: true })
  enabled!: boolean;

  @ApiProperty({
    enum: DISABLED_REASONS,
    nullable: true,
    description: 'Why it is off: `manual` (turned off through this API), `gone` (it answered 410), `failing` (every attempt failed for DELIVERY_DISABLE_AFTER); `null` while on.',
    example: null,
  })
  disabledReason!: DisabledReason | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Since when every attempt to it has failed; `null` when the last one succeeded.', example: null })
  failingSince!: string | null;

  @ApiProperty({ type: String, format: 'date-time', example: '2025-01-06T09:30:00.000Z' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When its settings or secret last changed.', example: '2025-01-06T09:30:00.000Z' })
  updatedAt!: string;

  static from(endpoint: WebhookEndpoint): WebhookEndpointDto {
    return {
      id: endpoint.id,
      url: endpoint.url,
      description: endpoint.description,
      eventTypes: endpoint.eventTypes,
      enabled: endpoint.enabled,
      disabledReason: endpoint.disabledReason,
      failingSince: endpoint.failingSince?.toISOString() ?? null,
      createdAt: endpoint.createdAt.toISOString(),
      updatedAt: endpoint.updatedAt.toISOString(),
    };
  }
}

const SECRET_DESCRIPTION =
  'The Standard Webhooks signing secret (`whsec_` and base64): give it to the receiver, which verifies `webhook-signature` with it (e.g. with the `standardwebhooks` library). Keep it secret.';

export class CreatedWebhookEndpointDto extends WebhookEndpointDto {
  @ApiProperty({ description: `${SECRET_DESCRIPTION} Shown here and by \`GET …/{id}/secret\`.`, example: EXAMPLE_SECRET })
  secret!: string;
}

export class WebhookEndpointPageDto extends PageDto {
  @ApiProperty({ type: [WebhookEndpointDto] })
  items!: WebhookEndpointDto[];
}

export class WebhookEndpointSecretDto {
  @ApiProperty({ description: SECRET_DESCRIPTION, example: EXAMPLE_SECRET })
  secret!: string;

  @ApiProperty({ type: String, nullable: true, description: 'The secret before the last rotation, while it still signs beside the current one; `null` otherwise.', example: null })
  previousSecret!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the previous secret stops signing.', example: null })
  previousSecretExpiresAt!: string | null;

  static from(secrets: WebhookEndpointSecrets): WebhookEndpointSecretDto {
    return { secret: secrets.secret, previousSecret: secrets.previousSecret, previousSecretExpiresAt: secrets.previousSecretExpiresAt?.toISOString() ?? null };
  }
}

export class RotatedWebhookSecretDto {
  @ApiProperty({ description: `The new secret: it signs every delivery from now on. ${SECRET_DESCRIPTION}`, example: EXAMPLE_SECRET })
  secret!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'Until then the old secret signs beside the new one (DELIVERY_SECRET_OVERLAP after the rotation): each delivery carries both signatures.',
    example: '2025-01-07T09:30:00.000Z',
  })
  previousSecretExpiresAt!: string;
}
