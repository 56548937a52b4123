// The public names of the endpoints part (re-exported by the lib's index).
export { WebhookEndpointService, DEFAULT_SECRET_OVERLAP_MS, type WebhookEndpointListQuery } from './webhook-endpoint.service';
export {
  InvalidWebhookEndpointError,
  WebhookEndpointNotFoundError,
  ENDPOINT_ID_PATTERN,
  MAX_DESCRIPTION_LENGTH,
  type CreatedWebhookEndpoint,
  type DisabledReason,
  type NewWebhookEndpoint,
  type WebhookEndpoint,
  type WebhookEndpointChanges,
  type WebhookEndpointSecrets,
} from './webhook-endpoint';
export { checkTargetUrl, isForbiddenAddress, TargetUrlRefusedError, MAX_TARGET_URL_LENGTH, type TargetPolicy } from './target-policy';
export { newWebhookSecret, WEBHOOK_SECRET_PREFIX } from './webhook-secret';
