import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AxiosError, AxiosResponse } from 'axios';
import { firstValueFrom } from 'rxjs';
import { ViatomApiError, ViatomTransportError } from './errors';
import { maskPhone } from './phone';
import { DEFAULT_VIATOM_TIMEOUT_MS, VIATOM_CLIENT_OPTIONS, type ViatomClientOptions } from './viatom-client.options';
import {
  CancelRequestBody,
  JumpPathData,
  ViatomEndpoint,
  ViatomEnvelope,
  ViatomHeader,
  ViatomLanguage,
} from './wire';

export interface ViatomCallOptions {
  /** Overrides the configured `language` header for this call. */
  language?: ViatomLanguage;
}

/** The typed client of Viatom's health-archive open API. */
@Injectable()
export class ViatomClient {
  private readonly logger = new Logger(ViatomClient.name);
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly http: HttpService,
    @Inject(VIATOM_CLIENT_OPTIONS) private readonly options: ViatomClientOptions,
  ) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_VIATOM_TIMEOUT_MS;
  }

  /** The URL of Viatom's consent page, exactly as Viatom sent it (never re-encoded). */
  async getAuthorizationUrl(options: ViatomCallOptions = {}): Promise<string> {
    const data = await this.call<JumpPathData>(ViatomEndpoint.AuthJumpPath, undefined, options);
    if (typeof data?.jump_path !== 'string' || data.jump_path.length === 0) {
      throw new ViatomTransportError('invalid-envelope', 'data.jump_path is missing', ViatomEndpoint.AuthJumpPath, 200);
    }
    return data.jump_path;
  }

  /** Cancels the authorization the user with this phone gave. Resolves when Viatom said yes. */
  async cancelAuthorization(phone: string, options: ViatomCallOptions = {}): Promise<void> {
    const body: CancelRequestBody = { phone };
    await this.call<unknown>(ViatomEndpoint.AuthCancel, body, options, maskPhone(phone), phone.trim());
  }

  /** `subject` names the call in logs; `unmasked` (the raw phone) is replaced by it wherever Viatom echoes it. */
  private async call<T>(
    endpoint: ViatomEndpoint,
    body: unknown,
    options: ViatomCallOptions,
    subject = '',
    unmasked = '',
  ): Promise<T> {
    const started = performance.now();
    const outcome = (result: string) =>
      `Viatom ${endpoint}${subject ? ` for ${subject}` : ''}: ${result} in ${Math.round(performance.now() - started)} ms`;
    let response: AxiosResponse<string>;
    try {
      response = await firstValueFrom(
        this.http.post<string>(`${this.baseUrl}${endpoint}`, body === undefined ? '' : JSON.stringify(body), {
          headers: {
            'content-type': 'application/json; charset=utf-8',
            accept: 'application/json',
            [ViatomHeader.Secret]: this.options.secret,
            [ViatomHeader.AccessToken]: this.options.accessToken,
            [ViatomHeader.Language]: options.language ?? this.options.language ?? 'zh-CN',
          },
          // The body is parsed here, so a non-JSON answer is reported as such.
          responseType: 'text',
          transformResponse: (raw: unknown) => raw,
          // The body is serialized here: axios would JSON-encode the empty body of jump_path into '""'.
          transformRequest: (data: unknown) => data,
          timeout: this.timeoutMs,
          signal: AbortSignal.timeout(this.timeoutMs),
          validateStatus: () => true,
          maxRedirects: 0,
        }),
      );
    } catch (error) {
      const transport = this.toTransportError(error, endpoint);
      this.logger.warn(outcome(`failed (${transport.kind})`));
      throw transport;
    }

    let envelope: unknown;
    try {
      envelope = JSON.parse(response.data);
    } catch {
      if (response.status < 200 || response.status >= 300) {
        this.logger.warn(outcome(`HTTP ${response.status}`));
        throw new ViatomTransportError('http-status', `HTTP ${response.status}`, endpoint, response.status);
      }
      this.logger.warn(outcome('non-JSON answer'));
      throw new ViatomTransportError('invalid-json', 'the answer is not JSON', endpoint, response.status);
    }
    if (!isEnvelope(envelope)) {
      const kind = response.status >= 200 && response.status < 300 ? 'invalid-envelope' : 'http-status';
      this.logger.warn(outcome(kind === 'http-status' ? `HTTP ${response.status}` : 'answer without envelope'));
      throw new ViatomTransportError(
        kind,
        kind === 'http-status' ? `HTTP ${response.status}` : 'the answer is not a Viatom envelope {code, message, data}',
        endpoint,
        response.status,
      );
    }
    if (envelope.code !== 0) {
      // `reason` is Viatom's detail (often a stack trace): it belongs in the log, not in answers.
      const scrub = (text: unknown) => (unmasked.length >= 6 ? String(text ?? '').split(unmasked).join(subject) : String(text ?? ''));
      this.logger.warn(outcome(`refused with code ${envelope.code} (${scrub(envelope.message)}); reason: ${scrub(envelope.reason)}`));
      throw new ViatomApiError(envelope.code, envelope.message ?? '', envelope.reason ?? '', endpoint);
    }
    if (response.status < 200 || response.status >= 300) {
      this.logger.warn(outcome(`HTTP ${response.status}`));
      throw new ViatomTransportError('http-status', `HTTP ${response.status}`, endpoint, response.status);
    }
    this.logger.debug(outcome('ok'));
    return envelope.data as T;
  }

  private toTransportError(error: unknown, endpoint: ViatomEndpoint): ViatomTransportError {
    const code = (error as AxiosError | undefined)?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
    switch (code) {
      case 'ECONNABORTED':
      case 'ETIMEDOUT':
      case 'ERR_CANCELED':
        return new ViatomTransportError('timeout', `no answer within ${this.timeoutMs} ms`, endpoint);
      case 'ECONNREFUSED':
        return new ViatomTransportError('connection-refused', 'the connection was refused', endpoint);
      case 'ECONNRESET':
      case 'EPIPE':
      case 'ERR_BAD_RESPONSE':
        return new ViatomTransportError('connection-reset', 'the connection was dropped before an answer', endpoint);
      default: {
        // Only the error code and message: an axios error also holds the request headers (the secret).
        const message = error instanceof Error ? error.message : String(error);
        if (/socket hang up/i.test(message)) {
          return new ViatomTransportError('connection-reset', 'the connection was dropped before an answer', endpoint);
        }
        return new ViatomTransportError('network', `${code ?? 'error'}: ${message}`, endpoint);
      }
    }
  }
}

/** Viatom's envelope: at least a numeric `code` (message, reason and data may be absent on errors). */
function isEnvelope(value: unknown): value is ViatomEnvelope {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Number.isInteger((value as ViatomEnvelope).code);
}
