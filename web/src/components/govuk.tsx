// GOV.UK Design System components as Preact components: the markup of
// govuk-frontend's templates, with govuk-frontend's own JavaScript where a
// component has some (error summary, service navigation).
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { ErrorSummary as GovukErrorSummary } from 'govuk-frontend';

export function Button(props: {
  children: ComponentChildren;
  variant?: 'secondary' | 'warning' | 'inverse';
  type?: 'button' | 'submit';
  onClick?: (e: Event) => void;
  disabled?: boolean;
  id?: string;
  classes?: string;
}) {
  const cls = ['govuk-button', props.variant ? `govuk-button--${props.variant}` : '', props.classes ?? ''].join(' ').trim();
  return (
    <button type={props.type ?? 'submit'} class={cls} data-module="govuk-button" onClick={props.onClick} disabled={props.disabled} aria-disabled={props.disabled ? 'true' : undefined} id={props.id}>
      {props.children}
    </button>
  );
}

export function ButtonGroup({ children }: { children: ComponentChildren }) {
  return <div class="govuk-button-group">{children}</div>;
}

export interface SummaryError {
  href: string;
  text: string;
}

// Focuses itself when shown, and moves focus to a field when one of its
// links is followed (govuk-frontend's ErrorSummary).
export function ErrorSummary({ errors, title = 'There is a problem' }: { errors: SummaryError[]; title?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const key = errors.map((e) => e.href + e.text).join('|');
  useEffect(() => {
    if (ref.current && errors.length) {
      try {
        new GovukErrorSummary(ref.current);
      } catch {
        ref.current.focus();
      }
    }
  }, [key]);
  if (!errors.length) return null;
  return (
    <div class="govuk-error-summary" data-module="govuk-error-summary" ref={ref} key={key}>
      <div role="alert">
        <h2 class="govuk-error-summary__title">{title}</h2>
        <div class="govuk-error-summary__body">
          <ul class="govuk-list govuk-error-summary__list">
            {errors.map((e) => (
              <li key={e.href + e.text}>{e.href ? <a href={e.href}>{e.text}</a> : e.text}</li>
            ))}
          </ul>
        </div>
      </div>
    </div>
  );
}

export function ErrorMessage({ id, children }: { id: string; children: ComponentChildren }) {
  return (
    <p id={id} class="govuk-error-message">
      <span class="govuk-visually-hidden">Error:</span> {children}
    </p>
  );
}

interface FieldProps {
  id: string;
  label: ComponentChildren;
  hint?: ComponentChildren;
  error?: string;
  labelClass?: string;
}

function describedBy(id: string, hint: unknown, error?: string): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return ids || undefined;
}

export function FormGroup({ error, children }: { error?: string; children: ComponentChildren }) {
  return <div class={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>{children}</div>;
}

export function TextInput(
  props: FieldProps & {
    value: string;
    onInput: (v: string) => void;
    type?: string;
    width?: string;
    autocomplete?: string;
    inputMode?: JSX.HTMLAttributes['inputMode'];
    spellcheck?: boolean;
    name?: string;
  },
) {
  return (
    <FormGroup error={props.error}>
      <label class={`govuk-label ${props.labelClass ?? ''}`} for={props.id}>
        {props.label}
      </label>
      {props.hint && (
        <div id={`${props.id}-hint`} class="govuk-hint">
          {props.hint}
        </div>
      )}
      {props.error && <ErrorMessage id={`${props.id}-error`}>{props.error}</ErrorMessage>}
      <input
        class={`govuk-input${props.width ? ` govuk-input--width-${props.width}` : ''}${props.error ? ' govuk-input--error' : ''}`}
        id={props.id}
        name={props.name ?? props.id}
        type={props.type ?? 'text'}
        value={props.value}
        autocomplete={props.autocomplete}
        inputMode={props.inputMode}
        spellcheck={props.spellcheck}
        aria-describedby={describedBy(props.id, props.hint, props.error)}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
      />
    </FormGroup>
  );
}

export function Textarea(props: FieldProps & { value: string; onInput: (v: string) => void; rows?: number }) {
  return (
    <FormGroup error={props.error}>
      <label class={`govuk-label ${props.labelClass ?? ''}`} for={props.id}>
        {props.label}
      </label>
      {props.hint && (
        <div id={`${props.id}-hint`} class="govuk-hint">
          {props.hint}
        </div>
      )}
      {props.error && <ErrorMessage id={`${props.id}-error`}>{props.error}</ErrorMessage>}
      <textarea
        class={`govuk-textarea${props.error ? ' govuk-textarea--error' : ''}`}
        id={props.id}
        name={props.id}
        rows={props.rows ?? 4}
        value={props.value}
        aria-describedby={describedBy(props.id, props.hint, props.error)}
        onInput={(e) => props.onInput((e.target as HTMLTextAreaElement).value)}
      />
    </FormGroup>
  );
}

export interface Choice {
  value: string;
  text: ComponentChildren;
  hint?: ComponentChildren;
  conditional?: ComponentChildren;
}

export function Radios(
  props: FieldProps & { name?: string; items: Choice[]; value: string; onChange: (v: string) => void; inline?: boolean; small?: boolean; legendClass?: string },
) {
  return (
    <FormGroup error={props.error}>
      <fieldset class="govuk-fieldset" aria-describedby={describedBy(props.id, props.hint, props.error)}>
        <legend class={`govuk-fieldset__legend ${props.legendClass ?? 'govuk-fieldset__legend--s'}`}>{props.label}</legend>
        {props.hint && (
          <div id={`${props.id}-hint`} class="govuk-hint">
            {props.hint}
          </div>
        )}
        {props.error && <ErrorMessage id={`${props.id}-error`}>{props.error}</ErrorMessage>}
        <div class={`govuk-radios${props.inline ? ' govuk-radios--inline' : ''}${props.small ? ' govuk-radios--small' : ''}`}>
          {props.items.map((it, i) => {
            const id = i === 0 ? props.id : `${props.id}-${i + 1}`;
            return (
              <>
                <div class="govuk-radios__item" key={it.value}>
                  <input
                    class="govuk-radios__input"
                    id={id}
                    name={props.name ?? props.id}
                    type="radio"
                    value={it.value}
                    checked={props.value === it.value}
                    onChange={() => props.onChange(it.value)}
                    aria-describedby={it.hint ? `${id}-item-hint` : undefined}
                  />
                  <label class="govuk-label govuk-radios__label" for={id}>
                    {it.text}
                  </label>
                  {it.hint && (
                    <div id={`${id}-item-hint`} class="govuk-hint govuk-radios__hint">
                      {it.hint}
                    </div>
                  )}
                </div>
                {it.conditional && props.value === it.value && <div class="govuk-radios__conditional">{it.conditional}</div>}
              </>
            );
          })}
        </div>
      </fieldset>
    </FormGroup>
  );
}

export function Checkboxes(
  props: FieldProps & { name?: string; items: Choice[]; values: string[]; onChange: (v: string[]) => void; small?: boolean; legendClass?: string },
) {
  const toggle = (v: string, on: boolean) => {
    const next = props.values.filter((x) => x !== v);
    if (on) next.push(v);
    props.onChange(next);
  };
  return (
    <FormGroup error={props.error}>
      <fieldset class="govuk-fieldset" aria-describedby={describedBy(props.id, props.hint, props.error)}>
        <legend class={`govuk-fieldset__legend ${props.legendClass ?? 'govuk-fieldset__legend--s'}`}>{props.label}</legend>
        {props.hint && (
          <div id={`${props.id}-hint`} class="govuk-hint">
            {props.hint}
          </div>
        )}
        {props.error && <ErrorMessage id={`${props.id}-error`}>{props.error}</ErrorMessage>}
        <div class={`govuk-checkboxes${props.small ? ' govuk-checkboxes--small' : ''}`}>
          {props.items.map((it, i) => {
            const id = i === 0 ? props.id : `${props.id}-${i + 1}`;
            const checked = props.values.includes(it.value);
            return (
              <>
                <div class="govuk-checkboxes__item" key={it.value}>
                  <input
                    class="govuk-checkboxes__input"
                    id={id}
                    name={props.name ?? props.id}
                    type="checkbox"
                    value={it.value}
                    checked={checked}
                    onChange={(e) => toggle(it.value, (e.target as HTMLInputElement).checked)}
                    aria-describedby={it.hint ? `${id}-item-hint` : undefined}
                  />
                  <label class="govuk-label govuk-checkboxes__label" for={id}>
                    {it.text}
                  </label>
                  {it.hint && (
                    <div id={`${id}-item-hint`} class="govuk-hint govuk-checkboxes__hint">
                      {it.hint}
                    </div>
                  )}
                </div>
                {it.conditional && checked && <div class="govuk-checkboxes__conditional">{it.conditional}</div>}
              </>
            );
          })}
        </div>
      </fieldset>
    </FormGroup>
  );
}

export function Select(props: FieldProps & { items: { value: string; text: string }[]; value: string; onChange: (v: string) => void }) {
  return (
    <FormGroup error={props.error}>
      <label class={`govuk-label ${props.labelClass ?? ''}`} for={props.id}>
        {props.label}
      </label>
      {props.hint && (
        <div id={`${props.id}-hint`} class="govuk-hint">
          {props.hint}
        </div>
      )}
      {props.error && <ErrorMessage id={`${props.id}-error`}>{props.error}</ErrorMessage>}
      <select
        class={`govuk-select${props.error ? ' govuk-select--error' : ''}`}
        id={props.id}
        name={props.id}
        aria-describedby={describedBy(props.id, props.hint, props.error)}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
      >
        {props.items.map((it) => (
          <option value={it.value} selected={it.value === props.value} key={it.value}>
            {it.text}
          </option>
        ))}
      </select>
    </FormGroup>
  );
}

export function SummaryList({ rows, noBorder }: { rows: { key: ComponentChildren; value: ComponentChildren; action?: ComponentChildren }[]; noBorder?: boolean }) {
  return (
    <dl class={`govuk-summary-list${noBorder ? ' govuk-summary-list--no-border' : ''}`}>
      {rows.map((r, i) => (
        <div class="govuk-summary-list__row" key={i}>
          <dt class="govuk-summary-list__key">{r.key}</dt>
          <dd class="govuk-summary-list__value">{r.value}</dd>
          {r.action && <dd class="govuk-summary-list__actions">{r.action}</dd>}
        </div>
      ))}
    </dl>
  );
}

export function Tag({ children, colour }: { children: ComponentChildren; colour?: string }) {
  return <strong class={`govuk-tag${colour ? ` govuk-tag--${colour}` : ''}`}>{children}</strong>;
}

export function Panel({ title, children }: { title: ComponentChildren; children?: ComponentChildren }) {
  return (
    <div class="govuk-panel govuk-panel--confirmation">
      <h1 class="govuk-panel__title">{title}</h1>
      {children && <div class="govuk-panel__body">{children}</div>}
    </div>
  );
}

export function NotificationBanner({ title = 'Important', success, children }: { title?: string; success?: boolean; children: ComponentChildren }) {
  const id = `banner-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <div class={`govuk-notification-banner${success ? ' govuk-notification-banner--success' : ''}`} role={success ? 'alert' : 'region'} aria-labelledby={id} data-module="govuk-notification-banner">
      <div class="govuk-notification-banner__header">
        <h2 class="govuk-notification-banner__title" id={id}>
          {title}
        </h2>
      </div>
      <div class="govuk-notification-banner__content">{children}</div>
    </div>
  );
}

export function WarningText({ children }: { children: ComponentChildren }) {
  return (
    <div class="govuk-warning-text">
      <span class="govuk-warning-text__icon" aria-hidden="true">
        !
      </span>
      <strong class="govuk-warning-text__text">
        <span class="govuk-visually-hidden">Warning</span>
        {children}
      </strong>
    </div>
  );
}

export function InsetText({ children }: { children: ComponentChildren }) {
  return <div class="govuk-inset-text">{children}</div>;
}

export function Details({ summary, children, open }: { summary: ComponentChildren; children: ComponentChildren; open?: boolean }) {
  return (
    <details class="govuk-details" open={open}>
      <summary class="govuk-details__summary">
        <span class="govuk-details__summary-text">{summary}</span>
      </summary>
      <div class="govuk-details__text">{children}</div>
    </details>
  );
}

export function Table(props: { caption?: ComponentChildren; head: ComponentChildren[]; rows: ComponentChildren[][]; captionClass?: string }) {
  return (
    <table class="govuk-table">
      {props.caption && <caption class={`govuk-table__caption ${props.captionClass ?? 'govuk-table__caption--m'}`}>{props.caption}</caption>}
      <thead class="govuk-table__head">
        <tr class="govuk-table__row">
          {props.head.map((h, i) => (
            <th scope="col" class="govuk-table__header" key={i}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody class="govuk-table__body">
        {props.rows.map((r, i) => (
          <tr class="govuk-table__row" key={i}>
            {r.map((c, j) => (
              <td class="govuk-table__cell" key={j}>
                {c}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
