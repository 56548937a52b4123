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
  /** Loading a new query (other `deps`) while `data` is still the previous query's answer. */
  stale: boolean;
  reload: () => void;
}

/**
 * The result of `load`, run again whenever `deps` change or `reload()` is called. A late answer
 * to an older run is dropped. A failed reload keeps the data it had (with the error beside it);
 * a failed new query drops the previous query's data, which would answer another question.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean; query: number }>({ loading: true, query: 0 });
  const [round, setRound] = useState(0);
  const latest = useRef(0);
  /** Which query (set of deps) the current run answers: counted up when the deps change. */
  const query = useRef(0);
  const lastDeps = useRef<readonly unknown[] | null>(null);
  useEffect(() => {
    if (lastDeps.current === null || !sameDeps(lastDeps.current, deps)) query.current++;
    lastDeps.current = deps;
    const run = ++latest.current;
    const forQuery = query.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => run === latest.current && setState({ data, loading: false, query: forQuery }),
      (error: unknown) =>
        run === latest.current &&
        setState((s) => ({
          data: s.query === forQuery ? s.data : undefined,
          error: error instanceof Error ? error : new Error(String(error)),
          loading: false,
          query: forQuery,
        })),
    );
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, stale: state.loading && state.data !== undefined && state.query !== query.current, reload };
}

function sameDeps(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]));
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
