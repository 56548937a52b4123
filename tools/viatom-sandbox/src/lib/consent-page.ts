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

function page(title: string, body: string): string {
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
<p class="banner"><strong>Sandbox.</strong> This page is the local stand-in for Viatom's consent page
(the "ViHub" login a user sees after the integrator fetched <code>jump_path</code>). It is not Viatom and
holds no real account.</p>
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
