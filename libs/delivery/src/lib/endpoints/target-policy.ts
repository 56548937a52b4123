import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may be sent. A webhook URL is chosen by whoever holds the API key, and this
 * service then calls it from inside the network it runs in: without these rules the key would
 * let its holder reach the database, the broker or the cloud's metadata service (SSRF). The
 * rules are checked when an endpoint is saved (here) and again at every connection (the
 * dispatcher's `lookup` uses `isForbiddenAddress`), because a name may resolve elsewhere later.
 */
export interface TargetPolicy {
  /** Loopback, private, link-local and other non-public targets are allowed (development, tests). */
  allowPrivateTargets: boolean;
  /** Only `https` URLs (production). */
  requireHttps: boolean;
  /** Every address a host name resolves to (default: `dns.lookup` with `all`); a test may pass its own. */
  resolve?: (host: string) => Promise<string[]>;
}

/** A URL the policy refuses; the message says why and may be shown to the caller (it holds no secret). */
export class TargetUrlRefusedError extends Error {
  override readonly name = 'TargetUrlRefusedError';
}

export const MAX_TARGET_URL_LENGTH = 2048;
/** How long a name may take to resolve when an endpoint is saved. */
const RESOLVE_TIMEOUT_MS = 5_000;

/** Networks no webhook may reach (IANA special-purpose registries, RFC 6890 and successors). */
const FORBIDDEN = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", 0.0.0.0 included
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254) included
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast 255.255.255.255 included
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified (::), loopback (::1) and the deprecated IPv4-compatible addresses
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001::', 23], // IETF protocol assignments (Teredo included)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: an IPv4 address in disguise
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv6');
}

/**
 * True for an address no webhook may reach unless private targets are allowed: loopback,
 * unspecified, private, link-local, CGNAT, multicast, reserved and documentation ranges, and an
 * IPv4 address inside IPv6 (`::ffff:127.0.0.1`, NAT64 `64:ff9b::7f00:1`) when that IPv4 address
 * is one of them. Anything that is not an IP address is forbidden too (fail closed).
 */
export function isForbiddenAddress(ip: string): boolean {
  const address = ip.trim();
  if (address.includes('%')) return true; // a zone id: only link-local addresses have one
  const family = isIP(address);
  if (family === 4) return FORBIDDEN.check(address, 'ipv4');
  if (family !== 6) return true;
  const embedded = embeddedIPv4(address);
  if (embedded !== null) return FORBIDDEN.check(embedded, 'ipv4');
  return FORBIDDEN.check(address, 'ipv6');
}

/** The IPv4 address an IPv4-mapped (`::ffff:0:0/96`) or NAT64 (`64:ff9b::/96`) IPv6 address carries, else null. */
function embeddedIPv4(ipv6: string): string | null {
  const groups = ipv6Groups(ipv6);
  if (groups === null) return null;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0);
  if (!mapped && !nat64) return null;
  return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
}

/** The eight 16-bit groups of a valid IPv6 address (a trailing dotted IPv4 part included), or null. */
function ipv6Groups(ipv6: string): number[] | null {
  let text = ipv6.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail === undefined ? [] : tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups].map((g) => parseInt(g, 16));
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/** `localhost` and its subdomains (RFC 6761): loopback by definition, whatever a resolver says. */
function isLocalhostName(host: string): boolean {
  const name = host.replace(/\.+$/, '').toLowerCase();
  return name === 'localhost' || name.endsWith('.localhost');
}

async function resolveAll(host: string): Promise<string[]> {
  const addresses = await lookup(host, { all: true, verbatim: true });
  return addresses.map((a) => a.address);
}

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Checks a webhook URL against the policy; the parsed URL when it may be used, otherwise a
 * `TargetUrlRefusedError` saying why. An absolute http(s) URL, at most 2048 characters,
 * without credentials in it; `https` when the policy requires it; unless private targets are
 * allowed, a host that is, or resolves to (every address), a forbidden address is refused, and
 * so is one that does not resolve. When private targets are allowed the name is not resolved:
 * in development a receiver's name may resolve only once its container is up.
 */
export async function checkTargetUrl(url: string, policy: TargetPolicy): Promise<URL> {
  if (typeof url !== 'string' || url.trim() === '') throw new TargetUrlRefusedError('url must be an absolute http or https URL');
  if (url.length > MAX_TARGET_URL_LENGTH) throw new TargetUrlRefusedError(`url must be at most ${MAX_TARGET_URL_LENGTH} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TargetUrlRefusedError('url must be an absolute http or https URL, e.g. https://example.com/webhooks');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new TargetUrlRefusedError('url must be an http or https URL');
  // The form kept and called (percent-encoded, punycode) may be longer than the one given.
  if (parsed.href.length > MAX_TARGET_URL_LENGTH) throw new TargetUrlRefusedError(`url must be at most ${MAX_TARGET_URL_LENGTH} characters`);
  if (parsed.username !== '' || parsed.password !== '') {
    throw new TargetUrlRefusedError('url must not hold credentials (user:password@): the receiver checks the webhook signature instead');
  }
  // The URL parser takes port 0, which nothing listens on: every delivery would fail.
  if (parsed.port === '0') throw new TargetUrlRefusedError('url must name a port from 1 to 65535 (or none)');
  if (policy.requireHttps && parsed.protocol !== 'https:') throw new TargetUrlRefusedError('url must be https');
  if (policy.allowPrivateTargets) return parsed;

  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const refusedTarget = 'url must reach a public address: loopback, private, link-local and other non-public targets are not allowed here';
  if (isLocalhostName(host)) throw new TargetUrlRefusedError(refusedTarget);
  if (isIP(host) !== 0) {
    if (isForbiddenAddress(host)) throw new TargetUrlRefusedError(refusedTarget);
    return parsed;
  }
  let addresses: string[];
  try {
    addresses = await withDeadline((policy.resolve ?? resolveAll)(host), RESOLVE_TIMEOUT_MS, 'timed out');
  } catch {
    addresses = [];
  }
  // Host names come from the URL parser (punycode, no spaces): safe to repeat to the caller.
  if (addresses.length === 0) throw new TargetUrlRefusedError(`url's host ${host} does not resolve to an address`);
  if (addresses.some(isForbiddenAddress)) throw new TargetUrlRefusedError(refusedTarget);
  return parsed;
}
