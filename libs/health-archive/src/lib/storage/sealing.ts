import type { NewEvent } from '../outbox/events';
import type { DataProtection } from '../protection/data-protection';

/** A phone as the tables keep it: its keyed hash (looked up by) and its sealed form (shown back). */
export interface StoredPhone {
  hash: string | null;
  enc: string | null;
}

/** A phone's stored form, made once per phone for one write (its hash and one sealed copy serve every row of it). */
export type PhonesOfWrite = (phone: string | null) => StoredPhone;

/**
 * What the adapters write in place of the clear values (encryption at rest): shared by both
 * engines, so that a row sealed by one reads the same on the other.
 */
export class RowSealer {
  constructor(readonly protection: DataProtection) {}

  phoneHash(phone: string): string {
    return this.protection.phoneHash(phone);
  }

  phone(phone: string | null): StoredPhone {
    return phone === null ? { hash: null, enc: null } : { hash: this.protection.phoneHash(phone), enc: this.protection.seal('phone', phone) };
  }

  /**
   * The phones of one write (a transaction, a batch): each hashed and sealed once, however many
   * rows of the write name it (its push, its authorization, its event, its ledger entry).
   */
  phonesOfWrite(): PhonesOfWrite {
    const made = new Map<string, StoredPhone>();
    return (phone) => {
      if (phone === null) return { hash: null, enc: null };
      let stored = made.get(phone);
      if (!stored) made.set(phone, (stored = this.phone(phone)));
      return stored;
    };
  }

  openPhone(enc: string | null): string | null {
    return this.protection.openOrNull('phone', enc);
  }

  /** A raw payload: '' (dropped) stays ''. */
  rawMessage(raw: string): string {
    return raw === '' ? '' : this.protection.seal('push_log.raw_message', raw);
  }

  measurementData(data: unknown): string {
    return this.protection.seal('measurement.data', JSON.stringify(data));
  }

  openMeasurementData(stored: unknown): unknown {
    // PostgreSQL's jsonb of a database not migrated yet arrives parsed.
    return typeof stored === 'string' ? JSON.parse(this.protection.open('measurement.data', stored)) : stored;
  }

  openEventData(stored: string | null): string | null {
    return this.protection.openOrNull('event.data', stored);
  }

  /** A sequence subject: a phone's hash, or `account:<id>` as it is. */
  subject(subject: string): string {
    return subject.startsWith('account:') ? subject : this.protection.phoneHash(subject);
  }

  /** An event's columns as written; `phones`: the phones of the write it belongs to. */
  event(event: NewEvent, phones: PhonesOfWrite = this.phonesOfWrite()): { phone_hash: string | null; phone_enc: string | null; subject: string; data: string | null } {
    const phone = phones(event.phone);
    // A person's subject is their phone: its hash is the one just made.
    const subject = event.phone !== null && event.subject === event.phone ? (phone.hash as string) : this.subject(event.subject);
    return { phone_hash: phone.hash, phone_enc: phone.enc, subject, data: this.protection.sealOrNull('event.data', event.data) };
  }
}
