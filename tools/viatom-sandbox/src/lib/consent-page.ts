const STYLE = `
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 34rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #1d2733; }
  .banner { background: #fff4d6; border: 1px solid #e8c66a; padding: .6rem .8rem; border-radius: .4rem; font-size: .9rem; }
  label { display: block; margin: 1.2rem 0 .3rem; font-weight: 600; }
  input[type=tel] { font-size: 1.1rem; padding: .5rem; width: 100%; box-sizing: border-box; }
  button { margin-top: 1rem; font-size: 1.1rem; padding: .6rem 1.4rem; background: #1769d1; color: #fff; border: 0; border-radius: .4rem; cursor: pointer; }
  code, pre { font-size: .85rem; background: #f2f4f7; padding: .1rem .3rem; border-radius: .2rem; overflow-wrap: anywhere; white-space: pre-wrap; }
  .muted { color: #5b6775; font-size: .9rem; }
  .ok { color: #137333; } .fail { color: #b3261e; }
`;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CONSENT_BANNER = `<strong>Sandbox.</strong> This page is the local stand-in for Viatom's consent page
(the "ViHub" login a user sees after the integrator fetched <code>jump_path</code>). It is not Viatom and
holds no real account.`;

function page(title: string, body: string, banner = CONSENT_BANNER): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<p class="banner">${banner}</p>
${body}
</body>
</html>
`;
}

export function consentPageHtml(input: { actionPath: string; pushTarget: string | null }): string {
  const target = input.pushTarget
    ? `the type-2 push ("user authorized") is POSTed to <code>${escapeHtml(input.pushTarget)}</code>`
    : `no push URL is configured yet (set one with <code>POST /admin/push-url</code>), so the push will fail`;
  return page(
    'Authorize health-archive access (sandbox)',
    `<h1>Authorize health-archive access</h1>
<p>An application asks to read your health archive. Enter the phone number of the user who agrees
and press <em>Authorize</em>. Then ${target}. Like Viatom's page, this one does not redirect back.</p>
<form method="post" action="${escapeHtml(input.actionPath)}">
<label for="phone">Phone number</label>
<input id="phone" name="phone" type="tel" required pattern="\\+?[0-9]{6,20}" autocomplete="tel" placeholder="15312341234">
<input id="sign" name="sign" type="hidden" value="">
<button type="submit">Authorize</button>
</form>
<p class="muted" id="sign-info">No sign in this link: the consent is accepted without one.</p>
<script>
(function () {
  // The sign travels in the fragment (#/?sign=...), which browsers never send: copy it into the form.
  var match = /[?&]sign=([^&]*)/.exec(location.hash || '');
  if (!match) return;
  var sign = match[1];
  document.getElementById('sign').value = sign;
  document.getElementById('sign-info').textContent = 'Sign of this link: ' + sign;
})();
</script>`,
  );
}

export interface ConsentOutcome {
  phone: string;
  pushTarget: string | null;
  status: number | null;
  ok: boolean;
  error: string | null;
  answer: string | null;
}

export function consentResultHtml(outcome: ConsentOutcome): string {
  const push = outcome.error
    ? `<p class="fail">The type-2 push could not be delivered: ${escapeHtml(outcome.error)}.</p>`
    : `<p class="${outcome.ok ? 'ok' : 'fail'}">The type-2 push was POSTed to <code>${escapeHtml(outcome.pushTarget ?? '')}</code>;
the receiver answered HTTP ${outcome.status}.</p>
<pre>${escapeHtml((outcome.answer ?? '').slice(0, 2000))}</pre>`;
  return page(
    'Authorized (sandbox)',
    `<h1>Authorized</h1>
<p>The user <code>${escapeHtml(outcome.phone)}</code> authorized access.</p>
${push}
<p class="muted">You may close this page. Viatom's page does not redirect back either: in an app WebView, the app closes it.</p>`,
  );
}

export function consentErrorHtml(message: string): string {
  return page('Not authorized (sandbox)', `<h1>Not authorized</h1><p class="fail">${escapeHtml(message)}</p><p><a href="javascript:history.back()">Back</a></p>`);
}

export interface LandingPageInput {
  /** The path the sandbox is served under ('' at the root), so that links work behind a proxy. */
  basePath: string;
  pushTarget: string | null;
  /** GET routes of the admin API, linked. */
  adminLinks: ReadonlyArray<{ path: string; description: string }>;
  /** Push scenarios that need only a phone, each a button posting the form to its route. */
  scenarios: ReadonlyArray<{ path: string; description: string }>;
}

/** The sandbox's home: what it is and where everything is, for someone who opened its URL in a browser. */
export function landingPageHtml(input: LandingPageInput): string {
  const href = (path: string) => escapeHtml(`${input.basePath}${path}`);
  const target = input.pushTarget ? `<code>${escapeHtml(input.pushTarget)}</code>` : 'nowhere yet (set one with <code>POST /admin/push-url</code>)';
  const adminLinks = input.adminLinks
    .map((route) => `<li><a href="${href(route.path)}"><code>GET ${escapeHtml(route.path)}</code></a>: ${escapeHtml(route.description)}</li>`)
    .join('\n');
  const scenarios = input.scenarios
    .map((route) => `<li><button type="submit" formaction="${href(route.path)}">${escapeHtml(route.path.replace('/admin/pushes/', ''))}</button> ${escapeHtml(route.description)}</li>`)
    .join('\n');
  return page(
    'Viatom sandbox',
    `<h1>Viatom sandbox</h1>
<p>Pushes go to ${target}.</p>
<h2>Consent page</h2>
<p><a href="${href('/auth/')}">The consent page</a>: the page a <code>jump_path</code> link opens. Type a phone and
authorize: the sandbox sends the type-2 push.</p>
<p>Consents are kept in memory only: restarting the sandbox (or <code>POST /admin/reset</code>) forgets them all,
while the service it pushes to still holds those people as authorized. A cancel of such a phone is then
answered with code 101009 ("no authorized user exists"; the service answers its caller 502) until the person
consents again here.</p>
<h2>Admin API</h2>
<ul>
${adminLinks}
</ul>
<h2>Sample scenarios</h2>
<p>Each button sends its pushes for this phone and answers with what was sent and what the receiver said (JSON).
The admin index lists every scenario with its options.</p>
<form method="post" action="${href('/admin/pushes/authorized')}">
<label for="phone">Phone number</label>
<input id="phone" name="phone" type="tel" required pattern="\\+?[0-9]{6,20}" value="15312341234">
<ul>
${scenarios}
</ul>
</form>
<h2>Open API</h2>
<p class="muted"><code>POST /api/v1/open/auth/jump_path</code> and <code>POST /api/v1/open/auth/cancel</code>, with the
<code>secret</code> and <code>access-token</code> headers, as Viatom's.</p>`,
    `<strong>Sandbox.</strong> A local stand-in for Viatom's health-archive open platform, for development, demos and
tests. It is not Viatom and holds no real account.`,
  );
}
