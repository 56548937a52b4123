import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isForbiddenAddress } from '../endpoints/target-policy';

/** The error of a connection refused because every address of the host is one no webhook may reach. */
export const FORBIDDEN_TARGET = 'EFORBIDDENTARGET';

/**
 * A `lookup` for node's http(s) requests that drops the addresses no webhook may reach
 * (loopback, private, link-local…), and fails when none is left. The URL was checked when the
 * endpoint was saved, but its name may resolve elsewhere by now (DNS rebinding): checked here,
 * the address connected to is the address checked.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const allowed = addresses.filter((a) => !isForbiddenAddress(a.address));
    if (allowed.length === 0) {
      const refused: NodeJS.ErrnoException = new Error(`${hostname} resolves only to addresses webhooks may not reach`);
      refused.code = FORBIDDEN_TARGET;
      return callback(refused, '', 0);
    }
    // Node asks for every address when it tries several (autoSelectFamily), for one otherwise.
    if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, allowed);
    return callback(null, allowed[0].address, allowed[0].family);
  });
};
