import { CanActivate, ExecutionContext, Inject, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BlockList, isIPv4 } from 'node:net';
import { createHash } from 'node:crypto';
import { matchesSecret } from '../common/api-key.guard';
import { PushRateLimits } from '../common/rate-limit';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { PushSignatureVerifier } from './push-signature';

export const WEBHOOK_TOKEN_HEADER = 'x-webhook-token';

/** An allowlist of addresses and CIDR ranges, IPv4 and IPv6 (IPv4-mapped IPv6 addresses count as IPv4). */
export function addressMatcher(entries: string[]): (address: string | undefined) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/');
    const type = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return (address) => {
    if (!address) return false;
    const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
    const plain = mapped ? mapped[1] : address;
    try {
      return list.check(plain, isIPv4(plain) ? 'ipv4' : 'ipv6');
    } catch {
      return false;
    }
  };
}

/**
 * Push authenticity: every configured check must pass, in this order: the source address
 * (WEBHOOK_IP_ALLOWLIST; `request.ip` believes X-Forwarded-For only from TRUST_PROXY), the
 * shared token (WEBHOOK_TOKEN, as `?token=` or `X-Webhook-Token`), the HMAC signature over the
 * body's bytes as sent (decompressed, not yet charset-decoded; WEBHOOK_SIGNATURE_*). Viatom documents no signature: the token and the allowlist
 * are what it can be given today; the signature is ready for the day it signs.
 * The rate limits of the push receiver live here too (PushRateLimits): only here is it known
 * whether a push failed or passed its checks.
 */
@Injectable()
export class PushAuthGuard implements CanActivate {
  private readonly logger = new Logger('PushAuth');
  private readonly token: Buffer[] | null;
  private readonly allowed: ((address: string | undefined) => boolean) | null;
  private readonly signature: PushSignatureVerifier | null;
  private readonly limits: PushRateLimits;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @InjectThrottlerStorage() storage: ThrottlerStorage) {
    // Hashed as given: unlike API_KEYS, a token is never read as a `sha256:` digest.
    this.token = config.webhookToken ? [createHash('sha256').update(config.webhookToken, 'utf8').digest()] : null;
    this.allowed = config.pushAuth.ipAllowlist.length > 0 ? addressMatcher(config.pushAuth.ipAllowlist) : null;
    this.signature = config.pushAuth.signature ? new PushSignatureVerifier(config.pushAuth.signature) : null;
    this.limits = new PushRateLimits(storage, config.rateLimit, Boolean(this.token || this.allowed || this.signature));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest<{ Querystring: { token?: unknown } }>>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const reason = this.failedCheck(request);
    if (reason !== null) {
      // Over the limit this throws 429, without a log line per attempt.
      await this.limits.countFailure(request, reply);
      this.logger.warn(`push refused from ${request.ip}: ${reason}`);
      throw new UnauthorizedException(`push not accepted: ${reason}`);
    }
    // A push that passed every check is never refused for what its address did before.
    await this.limits.countAccepted(request, reply);
    return true;
  }

  /** The first configured check the push fails, or null when it passes them all. */
  private failedCheck(request: FastifyRequest<{ Querystring: { token?: unknown } }>): string | null {
    if (this.allowed && !this.allowed(request.ip)) return 'the source address is not allowed';
    if (this.token) {
      const header = request.headers[WEBHOOK_TOKEN_HEADER];
      const given = typeof header === 'string' ? header : request.query?.token;
      if (typeof given !== 'string' || !matchesSecret(given, this.token)) return 'the webhook token is missing or not valid';
    }
    if (this.signature) {
      const check = this.signature.verify(request.rawBodyBytes, request.headers);
      if (!check.ok) return check.reason;
    }
    return null;
  }
}
