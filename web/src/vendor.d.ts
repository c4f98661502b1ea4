// govuk-frontend and MoJ Frontend ship JavaScript without type declarations
// reachable from their package exports: the components the app creates.
declare module 'govuk-frontend' {
  export class ErrorSummary {
    constructor(root: Element);
  }
  export class ServiceNavigation {
    constructor(root: Element);
  }
  export class SkipLink {
    constructor(root: Element);
  }
}
declare module '@ministryofjustice/frontend' {
  export class SortableTable {
    constructor(root: Element);
  }
  export class DatePicker {
    constructor(root: Element, config?: Record<string, unknown>);
  }
  export class FilterToggleButton {
    constructor(root: Element, config?: Record<string, unknown>);
  }
}
