import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { Api } from '../api/client';
import type { Language, Translate } from '../lib/i18n';

export interface ConsoleContext {
  api: Api;
  t: Translate;
  language: Language;
}

export const Console = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const context = useContext(Console);
  if (!context) throw new Error('useConsole outside <Console.Provider>');
  return context;
}

export interface Loaded<T> {
  data?: T;
  error?: Error;
  loading: boolean;
  reload: () => void;
}

/** The result of `load`, run again whenever `deps` change or `reload()` is called; a late answer to an older run is dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const run = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => run === latest.current && setState({ data, loading: false }),
      (error: unknown) => run === latest.current && setState({ error: error instanceof Error ? error : new Error(String(error)), loading: false }),
    );
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, reload };
}

/** The page the hash names (`#/people`), and a way to go to another. */
export function useHashRoute(pages: readonly string[], fallback: string): [string, (page: string) => void] {
  const read = () => {
    const page = location.hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
    return pages.includes(page) ? page : fallback;
  };
  const [page, setPage] = useState(read);
  useEffect(() => {
    const onChange = () => setPage(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return [page, (next) => (location.hash = `#/${next}`)];
}
