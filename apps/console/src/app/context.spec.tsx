// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useLoad, type Loaded } from './context';

// React's act() outside a test renderer wants to be told it runs in a test.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** A load whose answers the test gives, one per call, in any order. */
function controlledLoads() {
  const calls: Array<{ query: string; resolve: (value: string) => void; reject: (error: Error) => void }> = [];
  const load = (query: string) => () => new Promise<string>((resolve, reject) => calls.push({ query, resolve, reject }));
  return { calls, load };
}

function nth<T>(items: readonly T[], i: number): T {
  const item = items[i];
  if (item === undefined) throw new Error(`no call ${i} (${items.length} made)`);
  return item;
}

let container: HTMLDivElement;
let root: Root;
let seen: Loaded<string>;

function Probe({ query, load }: { query: string; load: (query: string) => () => Promise<string> }) {
  seen = useLoad(load(query), [query]);
  return null;
}

beforeEach(() => {
  container = document.createElement('div');
  root = createRoot(container);
});
afterEach(() => act(() => root.unmount()));

const settle = () => act(async () => undefined);

describe('useLoad', () => {
  it('drops a late answer to an older query: the newer one is shown', async () => {
    const { calls, load } = controlledLoads();
    await act(async () => root.render(<Probe query="a" load={load} />));
    await act(async () => root.render(<Probe query="b" load={load} />));
    expect(calls.map((c) => c.query)).toEqual(['a', 'b']);

    nth(calls, 1).resolve('answer to b');
    await settle();
    nth(calls, 0).resolve('answer to a');
    await settle();

    expect(seen).toMatchObject({ data: 'answer to b', loading: false, error: undefined });
  });

  it('a failed reload keeps the data it had, with the error beside it', async () => {
    const { calls, load } = controlledLoads();
    await act(async () => root.render(<Probe query="a" load={load} />));
    nth(calls, 0).resolve('first');
    await settle();

    await act(async () => seen.reload());
    expect(seen).toMatchObject({ data: 'first', loading: true, stale: false });
    nth(calls, 1).reject(new Error('HTTP 503'));
    await settle();

    expect(seen.data).toBe('first');
    expect(seen.error?.message).toBe('HTTP 503');
    expect(seen.loading).toBe(false);

    // The next success clears the error.
    await act(async () => seen.reload());
    nth(calls, 2).resolve('second');
    await settle();
    expect(seen).toMatchObject({ data: 'second', error: undefined });
  });

  it('a new query is stale while it loads, and a failed one drops the previous answer (it answered another question)', async () => {
    const { calls, load } = controlledLoads();
    await act(async () => root.render(<Probe query="a" load={load} />));
    nth(calls, 0).resolve('answer to a');
    await settle();

    await act(async () => root.render(<Probe query="b" load={load} />));
    expect(seen).toMatchObject({ data: 'answer to a', loading: true, stale: true });

    nth(calls, 1).reject(new Error('HTTP 500'));
    await settle();
    expect(seen.data).toBeUndefined();
    expect(seen.error?.message).toBe('HTTP 500');
    expect(seen.stale).toBe(false);
  });
});
