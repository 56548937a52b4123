import { inspect } from 'node:util';
import type { LoggerService } from '@nestjs/common';

/** Collects everything the client logs, so that tests can read it (e.g. that no credential is there). */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private push = (level: string) => (message: unknown, ...rest: unknown[]) => {
    this.lines.push(`${level} ${[message, ...rest].map((part) => (typeof part === 'string' ? part : inspect(part))).join(' ')}`);
  };
  log = this.push('log');
  error = this.push('error');
  warn = this.push('warn');
  debug = this.push('debug');
  verbose = this.push('verbose');
  fatal = this.push('fatal');
}
