import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { digestKeys, matchesSecret } from '../common/api-key.guard';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

export const WEBHOOK_TOKEN_HEADER = 'x-webhook-token';

/**
 * When WEBHOOK_TOKEN is set, a push must carry it, in the registered URL (`?token=`) or in
 * the `X-Webhook-Token` header. Viatom documents no push signature: a secret URL is what an
 * integrator can really configure with it.
 */
@Injectable()
export class WebhookTokenGuard implements CanActivate {
  private readonly token: Buffer[] | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.token = config.webhookToken ? digestKeys([config.webhookToken]) : null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.token) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest<{ Querystring: { token?: unknown } }>>();
    const header = request.headers[WEBHOOK_TOKEN_HEADER];
    const given = typeof header === 'string' ? header : request.query?.token;
    if (typeof given !== 'string' || !matchesSecret(given, this.token)) {
      throw new UnauthorizedException('The webhook token is missing or not valid.');
    }
    return true;
  }
}
