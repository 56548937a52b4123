import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { PublicRoute } from '../common/api-key.guard';
import { PushAuthGuard } from './push-auth.guard';
import { PUSH_RECEIVER } from './push-receiver';

/**
 * Marks a route handler as Viatom's push receiver, wherever it is mounted: it takes no API key
 * but the push checks (PushAuthGuard: source address, webhook token, signature) and the push
 * rate limits, not the API's; its errors, those Fastify raises before Nest's pipeline
 * included, answer in Viatom's envelope, not problem+json (see `./push-receiver`).
 * A method decorator: Fastify route config is per route. It sets the route's whole config; a
 * route that needs more config says so here.
 */
export const PushReceiver = (): MethodDecorator =>
  applyDecorators(SetMetadata(PUSH_RECEIVER, true), RouteConfig({ pushReceiver: true }), PublicRoute(), UseGuards(PushAuthGuard));
