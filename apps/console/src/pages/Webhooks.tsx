import { useState } from 'react';
import { ok, type EventType, type WebhookDelivery, type WebhookEndpoint } from '../api/client';
import { useConsole, useLoad } from '../app/context';
import { Confirm, ErrorNote, Loading, Section } from '../components/common';
import { formatDateTime, fromLocalInput, toLocalInput } from '../lib/format';
import type { MessageKey } from '../lib/i18n';

const EVENT_TYPES: EventType[] = ['authorization.granted', 'authorization.revoked', 'measurement.archived', 'person.data-deleted', 'endpoint.disabled'];
const REASONS: Record<string, MessageKey> = { manual: 'reasonManual', gone: 'reasonGone', failing: 'reasonFailing' };
const STATUSES: Record<WebhookDelivery['status'], MessageKey> = { pending: 'statusPending', delivered: 'statusDelivered', failed: 'statusFailed' };

/** Webhook endpoints: create, edit, turn off, rotate the secret; each one's deliveries, retried one by one or recovered since a time. */
export function Webhooks() {
  const { api, t, language } = useConsole();
  const endpoints = useLoad(async () => {
    const all: WebhookEndpoint[] = [];
    let cursor: string | undefined;
    do {
      const page = await ok(api.GET('/api/v1/webhook-endpoints', { params: { query: { limit: 200, cursor } } }));
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }, [api]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [created, setCreated] = useState<{ url: string; secret: string } | null>(null);
  const selected = endpoints.data?.find((e) => e.id === selectedId) ?? null;

  return (
    <div className="page">
      <div className="page-header">
        <h1>{t('endpoints')}</h1>
      </div>
      <NewEndpoint
        onCreated={(endpoint) => {
          setCreated({ url: endpoint.url, secret: endpoint.secret });
          setSelectedId(endpoint.id);
          endpoints.reload();
        }}
      />
      {created && (
        <div className="note" role="status">
          {t('created')} <code data-testid="created-secret">{created.secret}</code>
        </div>
      )}
      <ErrorNote error={endpoints.error} />
      <Loading when={endpoints.loading && !endpoints.data} />
      <Section title={t('endpoints')} id="endpoint-list">
        {endpoints.data?.length === 0 && <p className="muted">{t('noEndpoints')}</p>}
        {endpoints.data && endpoints.data.length > 0 && (
          <div className="table-wrap">
            <table data-testid="endpoint-table">
              <tbody>
                {endpoints.data.map((e) => (
                  <tr key={e.id} className={e.id === selectedId ? 'selected' : undefined}>
                    <td>
                      <button type="button" className="link" onClick={() => setSelectedId(e.id)} aria-pressed={e.id === selectedId}>
                        {e.url}
                      </button>
                      {e.description && <div className="muted">{e.description}</div>}
                    </td>
                    <td>
                      {e.enabled ? (
                        <span className="badge status-authorized">{t('enabled')}</span>
                      ) : (
                        <span className="badge status-revoked">{t('disabledReason', { reason: t(REASONS[e.disabledReason ?? 'manual'] ?? 'reasonManual') })}</span>
                      )}
                      {e.failingSince && <div className="muted">{t('failingSince', { at: formatDateTime(e.failingSince, language) })}</div>}
                    </td>
                    <td>{e.eventTypes ? e.eventTypes.join(', ') : t('allEventTypes')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      {selected ? (
        <EndpointDetail
          key={selected.id}
          endpoint={selected}
          onChanged={endpoints.reload}
          onDeleted={() => {
            setSelectedId(null);
            endpoints.reload();
          }}
        />
      ) : (
        endpoints.data && endpoints.data.length > 0 && <p className="muted">{t('pickEndpoint')}</p>
      )}
    </div>
  );
}

function EventTypePicker(props: { value: EventType[] | null; onChange: (value: EventType[] | null) => void; idPrefix: string }) {
  const { t } = useConsole();
  const all = props.value === null;
  return (
    <fieldset className="event-types">
      <legend>{t('eventTypes')}</legend>
      <label>
        <input type="checkbox" checked={all} onChange={(e) => props.onChange(e.target.checked ? null : [...EVENT_TYPES])} /> {t('allEventTypes')}
      </label>
      {!all &&
        EVENT_TYPES.map((type) => (
          <label key={type}>
            <input
              type="checkbox"
              id={`${props.idPrefix}-${type}`}
              checked={props.value?.includes(type) ?? false}
              onChange={(e) => {
                const current = props.value ?? [];
                props.onChange(e.target.checked ? [...current, type] : current.filter((x) => x !== type));
              }}
            />{' '}
            <code>{type}</code>
          </label>
        ))}
    </fieldset>
  );
}

function NewEndpoint({ onCreated }: { onCreated: (endpoint: WebhookEndpoint & { secret: string }) => void }) {
  const { api, t } = useConsole();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [eventTypes, setEventTypes] = useState<EventType[] | null>(null);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  return (
    <Section title={t('newEndpoint')} id="new-endpoint">
      <form
        className="stack-form"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          ok(api.POST('/api/v1/webhook-endpoints', { body: { url: url.trim(), description: description.trim() || undefined, eventTypes: eventTypes ?? undefined } }))
            .then((endpoint) => {
              setUrl('');
              setDescription('');
              setEventTypes(null);
              onCreated(endpoint);
            })
            .catch((err: Error) => setError(err))
            .finally(() => setBusy(false));
        }}
      >
        <label htmlFor="new-url">{t('url')}</label>
        <input id="new-url" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://clinic.example.com/webhooks/health-bridge" />
        <label htmlFor="new-description">{t('description')}</label>
        <input id="new-description" type="text" value={description} onChange={(e) => setDescription(e.target.value)} />
        <EventTypePicker value={eventTypes} onChange={setEventTypes} idPrefix="new" />
        <ErrorNote error={error} />
        <div>
          <button type="submit" className="primary" disabled={busy}>
            {t('create')}
          </button>
        </div>
      </form>
    </Section>
  );
}

function EndpointDetail({ endpoint, onChanged, onDeleted }: { endpoint: WebhookEndpoint; onChanged: () => void; onDeleted: () => void }) {
  const { api, t, language } = useConsole();
  const path = { params: { path: { id: endpoint.id } } };
  const [form, setForm] = useState({ url: endpoint.url, description: endpoint.description ?? '', eventTypes: endpoint.eventTypes as EventType[] | null });
  const [error, setError] = useState<Error>();
  const [secret, setSecret] = useState<{ secret: string; previous?: string | null; until?: string | null; rotated?: boolean } | null>(null);
  const [confirm, setConfirm] = useState<'delete' | 'rotate' | null>(null);
  const act = <T,>(call: Promise<T>, then?: (value: T) => void) => {
    setError(undefined);
    call.then((value) => then?.(value)).catch((err: Error) => setError(err));
  };
  const patch = (body: { url?: string; description?: string | null; eventTypes?: EventType[] | null; enabled?: boolean }) =>
    act(ok(api.PATCH('/api/v1/webhook-endpoints/{id}', { ...path, body })), onChanged);

  return (
    <>
      <Section
        title={endpoint.url}
        id="endpoint-detail"
        actions={
          <>
            <button type="button" onClick={() => patch({ enabled: !endpoint.enabled })}>
              {endpoint.enabled ? t('disable') : t('enable')}
            </button>
            <button
              type="button"
              onClick={() =>
                act(ok(api.GET('/api/v1/webhook-endpoints/{id}/secret', path)), (s) => setSecret({ secret: s.secret, previous: s.previousSecret, until: s.previousSecretExpiresAt }))
              }
            >
              {t('showSecret')}
            </button>
            <button type="button" onClick={() => setConfirm('rotate')}>
              {t('rotateSecret')}
            </button>
            <button type="button" className="danger" onClick={() => setConfirm('delete')}>
              {t('delete')}
            </button>
          </>
        }
      >
        {secret && (
          <div className="note" data-testid="endpoint-secret">
            {secret.rotated ? t('rotated', { until: formatDateTime(secret.until, language) }) : `${t('secret')}:`} <code>{secret.secret}</code>
            {secret.previous && (
              <div className="muted">
                {t('previousSecret', { until: formatDateTime(secret.until, language) })}: <code>{secret.previous}</code>
              </div>
            )}
          </div>
        )}
        <form
          className="stack-form"
          onSubmit={(e) => {
            e.preventDefault();
            patch({ url: form.url.trim(), description: form.description.trim() || null, eventTypes: form.eventTypes });
          }}
        >
          <label htmlFor="edit-url">{t('url')}</label>
          <input id="edit-url" type="url" required value={form.url} onChange={(e) => setForm({ ...form, url: e.target.value })} />
          <label htmlFor="edit-description">{t('description')}</label>
          <input id="edit-description" type="text" value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
          <EventTypePicker value={form.eventTypes} onChange={(eventTypes) => setForm({ ...form, eventTypes })} idPrefix="edit" />
          <div>
            <button type="submit" className="primary">
              {t('save')}
            </button>
          </div>
        </form>
        <ErrorNote error={error} />
        {confirm === 'delete' && (
          <Confirm
            title={t('delete')}
            text={t('deleteConfirm', { url: endpoint.url })}
            confirmLabel={t('delete')}
            danger
            onCancel={() => setConfirm(null)}
            onConfirm={() => {
              setConfirm(null);
              act(ok(api.DELETE('/api/v1/webhook-endpoints/{id}', path)), onDeleted);
            }}
          />
        )}
        {confirm === 'rotate' && (
          <Confirm
            title={t('rotateSecret')}
            text={t('rotateConfirm', { url: endpoint.url })}
            confirmLabel={t('rotateSecret')}
            onCancel={() => setConfirm(null)}
            onConfirm={() => {
              setConfirm(null);
              act(ok(api.POST('/api/v1/webhook-endpoints/{id}/secret/rotate', path)), (r) => setSecret({ secret: r.secret, until: r.previousSecretExpiresAt, rotated: true }));
            }}
          />
        )}
      </Section>
      <Deliveries endpoint={endpoint} />
    </>
  );
}

function Deliveries({ endpoint }: { endpoint: WebhookEndpoint }) {
  const { api, t, language } = useConsole();
  const [status, setStatus] = useState<WebhookDelivery['status'] | ''>('');
  const [since, setSince] = useState(() => toLocalInput(new Date(Date.now() - 86_400_000)));
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<Error>();
  const deliveries = useLoad(
    () => ok(api.GET('/api/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id: endpoint.id }, query: { limit: 50, status: status || undefined } } })),
    [api, endpoint.id, status],
  );
  const done = (text: string) => {
    setMessage(text);
    deliveries.reload();
  };
  return (
    <Section
      title={t('deliveries')}
      id="deliveries"
      actions={
        <>
          <label>
            <span className="visually-hidden">{t('deliveryStatus')}</span>
            <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)} aria-label={t('deliveryStatus')}>
              <option value="">{t('anyValue')}</option>
              {Object.entries(STATUSES).map(([value, label]) => (
                <option key={value} value={value}>
                  {t(label)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={deliveries.reload}>
            {t('refresh')}
          </button>
        </>
      }
    >
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          const at = fromLocalInput(since);
          if (!at) return;
          setError(undefined);
          ok(api.POST('/api/v1/webhook-endpoints/{id}/recover', { params: { path: { id: endpoint.id } }, body: { since: at.toISOString() } }))
            .then((r) => done(t('recovered', { n: r.queued })))
            .catch((err: Error) => setError(err));
        }}
      >
        <label htmlFor="recover-since">{t('recoverSince')}</label>
        <input id="recover-since" type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} required />
        <button type="submit">{t('recover')}</button>
      </form>
      {message && (
        <p className="note" role="status">
          {message}
        </p>
      )}
      <ErrorNote error={deliveries.error ?? error} />
      <Loading when={deliveries.loading && (!deliveries.data || deliveries.stale)} />
      {deliveries.data?.items.length === 0 && <p className="muted">{t('noDeliveries')}</p>}
      {deliveries.data && deliveries.data.items.length > 0 && (
        <div className="table-wrap">
          <table data-testid="delivery-table">
            <thead>
              <tr>
                <th scope="col">{t('event')}</th>
                <th scope="col">{t('deliveryStatus')}</th>
                <th scope="col">{t('attempts')}</th>
                <th scope="col">{t('nextAttempt')}</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {deliveries.data.items.map((d) => (
                <tr key={d.eventId} data-status={d.status} data-event-id={d.eventId}>
                  <td>
                    <code>{d.eventType}</code>
                    <div className="muted">
                      <code>{d.eventId}</code>
                    </div>
                  </td>
                  <td>
                    <span className={`badge delivery-${d.status}`}>{t(STATUSES[d.status])}</span>
                  </td>
                  <td>
                    <ol className="attempts">
                      {d.attempts.map((a, i) => (
                        <li key={i}>
                          {t('attemptLine', { at: formatDateTime(a.at, language), status: a.statusCode ?? t('noAnswer'), ms: a.durationMs })}
                          {a.error && <div className="muted attempt-error">{a.error}</div>}
                        </li>
                      ))}
                    </ol>
                  </td>
                  <td>{formatDateTime(d.nextAttemptAt, language)}</td>
                  <td>
                    {d.status !== 'delivered' && (
                      <button
                        type="button"
                        onClick={() => {
                          setError(undefined);
                          ok(api.POST('/api/v1/webhook-endpoints/{id}/deliveries/{eventId}/retry', { params: { path: { id: endpoint.id, eventId: d.eventId } } }))
                            .then(() => done(t('retried')))
                            .catch((err: Error) => setError(err));
                        }}
                      >
                        {t('retry')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
