import type { ReactNode } from 'react';
import { ApiError } from '../api/client';
import { useConsole } from '../app/context';

/** A failed call as the operator should read it: the API's problem detail and its field errors. */
export function ErrorNote({ error }: { error: Error | undefined }) {
  const { t } = useConsole();
  if (!error) return null;
  const lines = error instanceof ApiError ? error.fieldErrors : [];
  return (
    <div className="note error" role="alert">
      <strong>{t('error')}:</strong> {error.message}
      {error instanceof ApiError && <span className="muted"> (HTTP {error.status})</span>}
      {lines.length > 0 && (
        <ul>
          {lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ when }: { when: boolean }) {
  const { t } = useConsole();
  return when ? (
    <p className="muted" aria-live="polite">
      {t('loading')}
    </p>
  ) : null;
}

export function Section(props: { title: string; children: ReactNode; actions?: ReactNode; id?: string }) {
  return (
    <section className="card" aria-labelledby={props.id}>
      <header className="card-header">
        <h2 id={props.id}>{props.title}</h2>
        {props.actions && <div className="actions">{props.actions}</div>}
      </header>
      {props.children}
    </section>
  );
}

/**
 * A modal confirmation: a real <dialog> (focus is kept inside, Escape closes it). The
 * confirm button stays disabled while `confirmDisabled` (e.g. until the person's phone is typed).
 */
export function Confirm(props: {
  title: string;
  text: string;
  confirmLabel: string;
  confirmDisabled?: boolean;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children?: ReactNode;
}) {
  const { t } = useConsole();
  return (
    <dialog
      className="dialog"
      ref={(el) => {
        if (el && !el.open) el.showModal();
      }}
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
      aria-labelledby="confirm-title"
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (!props.confirmDisabled) props.onConfirm();
        }}
      >
        <h2 id="confirm-title">{props.title}</h2>
        <p>{props.text}</p>
        {props.children}
        <ConfirmButtons {...props} cancelLabel={t('cancel')} />
      </form>
    </dialog>
  );
}

function ConfirmButtons(props: { confirmLabel: string; cancelLabel: string; danger?: boolean; confirmDisabled?: boolean; onCancel: () => void }) {
  return (
    <div className="actions">
      <button type="button" onClick={props.onCancel}>
        {props.cancelLabel}
      </button>
      <button type="submit" className={props.danger ? 'danger' : 'primary'} disabled={props.confirmDisabled}>
        {props.confirmLabel}
      </button>
    </div>
  );
}
