import { createSandbox } from '../index';
import { ACCESS_TOKEN, base, receiver, request, SECRET, sandbox, useSandbox } from '../testing/sandbox-spec-setup';

// createSandbox itself: its options, listening, and the landing page it serves.
useSandbox();

describe('listening', () => {
  it('returns its base URL', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.url).toBe(base);
  });

  it('refuses bad options', () => {
    expect(() => createSandbox({ secret: '', accessToken: 'x' })).toThrow(/secret/);
    expect(() => createSandbox({ secret: 'x', accessToken: 'x', timeZone: 'Asia/Shanghai' })).toThrow(/timeZone/);
    expect(() => createSandbox({ secret: 'x', accessToken: 'x', pushUrl: 'ftp://example.com' })).toThrow(/http/);
  });
});

describe('the landing page', () => {
  /** The values of an attribute, unescaped as a browser reads them. */
  const attributes = (html: string, name: string) =>
    [...html.matchAll(new RegExp(` ${name}="([^"]*)"`, 'g'))].map((match) => match[1]!.replace(/&#39;/g, "'").replace(/&amp;/g, '&'));

  it('answers HTML linking the consent page, the admin API and the sample scenarios, each of which works', async () => {
    const page = await request('GET', '/');
    expect(page.status).toBe(200);
    expect(page.contentType).toBe('text/html; charset=utf-8');

    const links = attributes(page.text, 'href');
    expect(links).toEqual(['/auth/', '/admin', '/admin/state', '/admin/calls', '/admin/pushes', '/admin/faults']);
    const consentPage = await request('GET', links[0]!);
    expect(consentPage.status).toBe(200);
    expect(consentPage.text).toContain('Authorize health-archive access');
    for (const link of links.slice(1)) {
      const answer = await request('GET', link);
      expect([link, answer.status, answer.contentType]).toEqual([link, 200, expect.stringMatching(/^application\/json/)]);
    }

    // One phone field; a button per scenario posts the form to that scenario's route.
    expect([...page.text.matchAll(/<input [^>]*name="([^"]*)"/g)].map((match) => match[1])).toEqual(['phone']);
    expect(attributes(page.text, 'action')).toEqual(['/admin/pushes/authorized']);
    const scenarios = attributes(page.text, 'formaction');
    expect(scenarios).toEqual([
      '/admin/pushes/authorized',
      '/admin/pushes/cancelled',
      '/admin/pushes/measurement',
      '/admin/pushes/samples',
      '/admin/pushes/duplicate',
      '/admin/pushes/empty-data-tag',
      '/admin/pushes/out-of-order',
    ]);
    let sent = 0;
    for (const scenario of scenarios) {
      const answer = await request('POST', scenario, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'phone=15312341234' });
      expect([scenario, answer.status]).toEqual([scenario, 200]);
      expect(answer.json.sent.length).toBeGreaterThan(0);
      for (const push of answer.json.sent) expect([scenario, push.status]).toEqual([scenario, 200]);
      sent += answer.json.sent.length;
    }
    expect(receiver.received).toHaveLength(sent);
  });

  it('escapes what it shows, links under the public URL\'s path and hides the push URL\'s token', async () => {
    const other = createSandbox({
      secret: SECRET,
      accessToken: ACCESS_TOKEN,
      publicUrl: "https://sandbox.example.com/it's&viatom/",
      pushUrl: 'http://127.0.0.1:9/push?token=push-token-s3cret&x=<b>',
    });
    const url = await other.listen();
    try {
      const html = await (await fetch(`${url}/`)).text();
      expect(html).toContain('href="/it&#39;s&amp;viatom/auth/"');
      expect(html).toContain('formaction="/it&#39;s&amp;viatom/admin/pushes/samples"');
      expect(html).not.toContain("it's&viatom");
      expect(html).toContain('<code>http://127.0.0.1:9/push?token=***&amp;x=***</code>');
      expect(html).not.toContain('s3cret');
    } finally {
      await other.close();
    }
  });
});
