// MoJ Design System case-work components as Preact components: their markup,
// with MoJ Frontend's own JavaScript for the sortable table and the date
// picker.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { DatePicker as MojDatePicker, FilterToggleButton as MojFilterToggleButton, SortableTable as MojSortableTable } from '@ministryofjustice/frontend';
import { ErrorMessage, FormGroup } from './govuk';

export function IdentityBar({ title, children, actions }: { title: ComponentChildren; children?: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <div class="moj-identity-bar">
      <div class="moj-identity-bar__container">
        <div class="moj-identity-bar__details">
          <span class="moj-identity-bar__title">{title}</span>
          {children}
        </div>
        {actions && <div class="moj-identity-bar__actions">{actions}</div>}
      </div>
    </div>
  );
}

export function Badge({ children, colour }: { children: ComponentChildren; colour?: 'red' | 'blue' | 'green' | 'purple' | 'grey' }) {
  return <strong class={`moj-badge${colour ? ` moj-badge--${colour}` : ''}`}>{children}</strong>;
}

export function SubNavigation({ label, items }: { label: string; items: { text: string; href: string; current?: boolean; onClick?: (e: Event) => void }[] }) {
  return (
    <nav class="moj-sub-navigation" aria-label={label}>
      <ul class="moj-sub-navigation__list">
        {items.map((it) => (
          <li class="moj-sub-navigation__item" key={it.href}>
            <a class="moj-sub-navigation__link" href={it.href} aria-current={it.current ? 'page' : undefined} onClick={it.onClick}>
              {it.text}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function MojAlert({ variant, title, children }: { variant: 'information' | 'success' | 'warning' | 'error'; title?: string; children: ComponentChildren }) {
  return (
    <div class={`moj-alert moj-alert--${variant}`} role="region" aria-label={`${variant}: ${title ?? ''}`}>
      <div class="moj-alert__content">
        {title && <h2 class="moj-alert__heading">{title}</h2>}
        {children}
      </div>
    </div>
  );
}

export interface TimelineItem {
  key: string;
  title: ComponentChildren;
  byline?: ComponentChildren;
  datetime: string;
  date: ComponentChildren;
  body: ComponentChildren;
}

export function Timeline({ items, headingLevel = 2 }: { items: TimelineItem[]; headingLevel?: 2 | 3 }) {
  const H = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <div class="moj-timeline">
      {items.map((it) => (
        <div class="moj-timeline__item" key={it.key}>
          <div class="moj-timeline__header">
            <H class="moj-timeline__title">{it.title}</H>
            {it.byline && <p class="moj-timeline__byline">by {it.byline}</p>}
          </div>
          <p class="moj-timeline__date">
            <time dateTime={it.datetime}>{it.date}</time>
          </p>
          <div class="moj-timeline__description">{it.body}</div>
        </div>
      ))}
    </div>
  );
}

export interface SortableColumn {
  title: string;
  sort?: 'ascending' | 'descending' | 'none';
  numeric?: boolean;
}

export interface SortableCell {
  content: ComponentChildren;
  sortValue?: string | number;
}

// MoJ's sortable table: the library reorders the rows itself, so the table is
// built afresh (by key) whenever its rows change.
export function SortableTable({ caption, columns, rows, captionClass }: { caption: ComponentChildren; columns: SortableColumn[]; rows: SortableCell[][]; captionClass?: string }) {
  const ref = useRef<HTMLTableElement>(null);
  useEffect(() => {
    if (ref.current && !ref.current.dataset.ready) {
      ref.current.dataset.ready = '1';
      try {
        new MojSortableTable(ref.current);
      } catch {
        /* the table still reads without sorting */
      }
    }
  }, []);
  // On a narrow screen a wide table scrolls in its own region (reachable
  // by keyboard), so the page itself never scrolls sideways.
  return (
    <div class="app-table-scroll" role="region" aria-label={typeof caption === 'string' ? caption : 'Table'} tabIndex={0}>
    <table class="govuk-table" data-module="moj-sortable-table" ref={ref}>
      <caption class={`govuk-table__caption ${captionClass ?? 'govuk-table__caption--m'}`}>{caption}</caption>
      <thead class="govuk-table__head">
        <tr class="govuk-table__row">
          {columns.map((c) => (
            <th scope="col" class={`govuk-table__header${c.numeric ? ' govuk-table__header--numeric' : ''}`} aria-sort={c.sort ?? 'none'} key={c.title}>
              {c.title}
            </th>
          ))}
        </tr>
      </thead>
      <tbody class="govuk-table__body">
        {rows.map((r, i) => (
          <tr class="govuk-table__row" key={i}>
            {r.map((c, j) => (
              <td class="govuk-table__cell" data-sort-value={c.sortValue === undefined ? undefined : String(c.sortValue)} key={j}>
                {c.content}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
    </div>
  );
}

// MoJ's date picker: a text input for d/m/yyyy with a calendar button.
export function DatePicker(props: { id: string; label: ComponentChildren; hint?: ComponentChildren; error?: string; value: string; onInput: (v: string) => void; labelClass?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (ref.current && !ref.current.dataset.ready) {
      ref.current.dataset.ready = '1';
      try {
        new MojDatePicker(ref.current, { leadingZeros: false, weekStartDay: 'monday' });
      } catch {
        /* the text input still works */
      }
    }
  }, []);
  const hintId = `${props.id}-hint`;
  const described = [props.hint !== undefined ? hintId : '', props.error ? `${props.id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="moj-datepicker" data-module="moj-date-picker" ref={ref}>
      <FormGroup error={props.error}>
        <label class={`govuk-label ${props.labelClass ?? ''}`} for={props.id}>
          {props.label}
        </label>
        <div id={hintId} class="govuk-hint">
          {props.hint ?? 'For example, 17/5/2026'}
        </div>
        {props.error && <ErrorMessage id={`${props.id}-error`}>{props.error}</ErrorMessage>}
        <input
          class={`govuk-input moj-js-datepicker-input${props.error ? ' govuk-input--error' : ''}`}
          id={props.id}
          name={props.id}
          type="text"
          autocomplete="off"
          value={props.value}
          aria-describedby={described ?? hintId}
          onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
          onChange={(e) => props.onInput((e.target as HTMLInputElement).value)}
        />
      </FormGroup>
    </div>
  );
}

// MoJ's filter layout: the filter panel beside (or, on a narrow screen,
// above) the results.
// MoJ's filter layout: beside the results on a wide screen; on a narrow
// one, behind MoJ's "Show filter" button (its overlay would cover the page).
export function FilterLayout({ filter, children, onApply, selected }: { filter: ComponentChildren; children: ComponentChildren; onApply: () => void; selected?: ComponentChildren }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (ref.current && !ref.current.dataset.ready) {
      ref.current.dataset.ready = '1';
      try {
        new MojFilterToggleButton(ref.current, { toggleButtonContainer: { element: ref.current.parentElement!.querySelector('.moj-action-bar__filter') } });
      } catch {
        /* the filter stays open */
      }
    }
  }, []);
  return (
    <div class="moj-filter-layout">
      <div class="moj-filter-layout__filter" ref={ref}>
        <div class="moj-filter">
          <div class="moj-filter__header">
            <div class="moj-filter__header-title">
              <h2 class="govuk-heading-m">Filter</h2>
            </div>
            <div class="moj-filter__header-action"></div>
          </div>
          <div class="moj-filter__content">
            {selected && <div class="moj-filter__selected">{selected}</div>}
            <div class="moj-filter__options">
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  onApply();
                }}
              >
                {filter}
                <button type="submit" class="govuk-button" data-module="govuk-button">
                  Apply filters
                </button>
              </form>
            </div>
          </div>
        </div>
      </div>
      <div class="moj-filter-layout__content">
        <div class="moj-action-bar">
          <div class="moj-action-bar__filter"></div>
        </div>
        {children}
      </div>
    </div>
  );
}
