/**
 * The broker's URL may hold a password: these are the only forms of it that reach a log line.
 * (The api app has its own masking for its configuration; a lib does not import an app.)
 */

/** The URL with its password, if any, replaced by `***`. */
export function maskBrokerUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a WHATWG URL (an unencoded `/` or `#` in the password): everything between the
    // scheme and the last `@` may be credentials.
    const scheme = url.indexOf('://');
    const at = url.lastIndexOf('@');
    return scheme !== -1 && at > scheme ? `${url.slice(0, scheme + 3)}***${url.slice(at)}` : url;
  }
}

/**
 * A function that takes the URL's password out of any text (an error message from the client
 * library, say), raw or percent-encoded, before it is logged.
 */
export function brokerSecretRedactor(url: string): (text: string) => string {
  const secrets = new Set<string>();
  try {
    const password = new URL(url).password;
    if (password !== '') {
      secrets.add(password);
      secrets.add(safeDecode(password));
    }
  } catch {
    const scheme = url.indexOf('://');
    const at = url.lastIndexOf('@');
    if (scheme !== -1 && at > scheme) {
      const credentials = url.slice(scheme + 3, at);
      const colon = credentials.indexOf(':');
      if (colon !== -1 && colon < credentials.length - 1) secrets.add(credentials.slice(colon + 1));
    }
  }
  // Longest first, so that a secret containing another is replaced whole.
  const ordered = [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((out, secret) => out.split(secret).join('***'), text);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
