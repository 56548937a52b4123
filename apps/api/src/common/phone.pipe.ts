import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { normalizePhone, PHONE_RULE } from '@health-bridge/viatom-protocol';
import { problem, ProblemType } from './problem';

/** A phone in a path parameter, in any form the service reads: its canonical form, or a 400. */
@Injectable()
export class ParsePhonePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const phone = normalizePhone(value);
    if (!phone) {
      const message = `phone must be a phone number: ${PHONE_RULE}`;
      throw new BadRequestException(problem(400, message, { type: ProblemType.Validation, errors: [{ field: 'phone', message }] }));
    }
    return phone;
  }
}
