import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';

/**
 * How a route is known to be Viatom's push receiver: by a mark the route carries
 * (`@PushReceiver()`), never by its path, so that moving the route moves its behaviour with it.
 * The decorator leaves the mark in two places, each read where the other cannot be:
 * - Nest metadata on the handler, read with the execution context (the rate limiter);
 * - Fastify's route config (`request.routeOptions.config`), which every request Fastify routed
 *   carries, so errors raised by Fastify before Nest's pipeline runs (content type, body limit,
 *   decompression, charset) know it too. The exception filter reads this one (the host Nest
 *   hands a filter names no handler), and so does configureApp, which remembers such requests
 *   for node's clientError handler (a 408 to a body that never came).
 * A request no route matched (a 404, or a connection-level error before any request) is on no
 * route, so never on the push receiver.
 */
export const PUSH_RECEIVER = 'health-bridge:push-receiver';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by `@PushReceiver()`: the route is Viatom's push receiver. */
    pushReceiver?: boolean;
  }
}

const reflector = new Reflector();

/** In Nest's pipeline: whether the route handler is marked `@PushReceiver()`. */
export function isPushReceiverHandler(context: ExecutionContext): boolean {
  return reflector.get<boolean | undefined>(PUSH_RECEIVER, context.getHandler()) === true;
}

/** Anywhere a Fastify request is at hand: whether the route it matched is marked `@PushReceiver()`. */
export function isPushReceiverRoute(request: FastifyRequest): boolean {
  return request.routeOptions?.config?.pushReceiver === true;
}
