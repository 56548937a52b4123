import { useCallback, useMemo, useState } from 'react';
import { createApi, ok, ApiError } from '../api/client';
import { languageOf, translator, type Language } from '../lib/i18n';
import { Overview } from '../pages/Overview';
import { People } from '../pages/People';
import { PushLog } from '../pages/PushLog';
import { Webhooks } from '../pages/Webhooks';
import { Console, useHashRoute } from './context';

const KEY_STORAGE = 'health-bridge.apiKey';
const LANGUAGE_STORAGE = 'health-bridge.language';
const PAGES = ['overview', 'people', 'pushes', 'webhooks'] as const;

function initialLanguage(): Language {
  const chosen = localStorage.getItem(LANGUAGE_STORAGE);
  return chosen === 'zh' || chosen === 'en' ? chosen : languageOf(navigator.languages ?? [navigator.language]);
}

/**
 * The console: sign-in, then four pages. The API key lives in this tab's sessionStorage only
 * (gone when the tab closes; never a cookie, never in a URL); a 401 from any call signs out.
 */
export function App() {
  const [language, setLanguage] = useState<Language>(initialLanguage);
  const [apiKey, setApiKey] = useState<string | null>(() => sessionStorage.getItem(KEY_STORAGE));
  const [page, go] = useHashRoute(PAGES, 'overview');
  const [person, setPerson] = useState<string | null>(null);
  const t = useMemo(() => translator(language), [language]);

  const signOut = useCallback(() => {
    sessionStorage.removeItem(KEY_STORAGE);
    setApiKey(null);
    setPerson(null);
  }, []);
  const api = useMemo(() => (apiKey ? createApi(apiKey, { onUnauthorized: signOut }) : null), [apiKey, signOut]);

  const chooseLanguage = (next: Language) => {
    localStorage.setItem(LANGUAGE_STORAGE, next);
    document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
    setLanguage(next);
  };
  document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';

  const languagePicker = (
    <label className="language">
      <span className="visually-hidden">{t('language')}</span>
      <select value={language} onChange={(e) => chooseLanguage(e.target.value as Language)} aria-label={t('language')}>
        <option value="zh">中文</option>
        <option value="en">English</option>
      </select>
    </label>
  );

  if (!api) {
    return (
      <div className="signin-page">
        <header className="signin-header">
          <span className="brand">{t('appName')}</span>
          {languagePicker}
        </header>
        <SignIn
          language={language}
          onSignedIn={(key) => {
            sessionStorage.setItem(KEY_STORAGE, key);
            setApiKey(key);
          }}
        />
      </div>
    );
  }

  const nav: Array<[(typeof PAGES)[number], string]> = [
    ['overview', t('navOverview')],
    ['people', t('navPeople')],
    ['pushes', t('navPushes')],
    ['webhooks', t('navWebhooks')],
  ];
  return (
    <Console.Provider value={{ api, t, language }}>
      <a className="skip-link" href="#main">
        {t('skipToContent')}
      </a>
      <header className="topbar">
        <span className="brand">{t('appName')}</span>
        <nav aria-label="main">
          <ul>
            {nav.map(([id, label]) => (
              <li key={id}>
                <a href={`#/${id}`} aria-current={page === id ? 'page' : undefined} onClick={() => go(id)}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-end">
          {languagePicker}
          <button type="button" onClick={signOut}>
            {t('signOut')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {page === 'overview' && <Overview />}
        {page === 'people' && <People phone={person} onPhone={setPerson} />}
        {page === 'pushes' && <PushLog />}
        {page === 'webhooks' && <Webhooks />}
      </main>
    </Console.Provider>
  );
}

function SignIn(props: { language: Language; onSignedIn: (key: string) => void }) {
  const t = translator(props.language);
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main className="signin" id="main">
      <h1>{t('signIn')}</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const candidate = key.trim();
          if (!candidate) return;
          setBusy(true);
          setError(null);
          // A cheap call that reads no one's data proves the key.
          ok(createApi(candidate).GET('/api/v1/webhook-endpoints', { params: { query: { limit: 1 } } }))
            .then(() => props.onSignedIn(candidate))
            .catch((err: unknown) =>
              setError(err instanceof ApiError && (err.status === 401 || err.status === 403) ? t('signInFailed') : t('signInUnreachable', { detail: String((err as Error).message) })),
            )
            .finally(() => setBusy(false));
        }}
      >
        <label htmlFor="api-key">{t('apiKey')}</label>
        <input id="api-key" type="password" autoComplete="off" spellCheck={false} value={key} onChange={(e) => setKey(e.target.value)} required aria-describedby="api-key-help" />
        <p id="api-key-help" className="muted">
          {t('apiKeyHelp')}
        </p>
        {error && (
          <p className="note error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {t('signIn')}
        </button>
      </form>
    </main>
  );
}
