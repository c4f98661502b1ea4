// The shapes of the API's answers the app reads (docs/openapi.json).

export interface Provenance {
  source?: string;
  local_default?: string;
}

export interface FrameworkSummary {
  id: string;
  name: string;
  authority: string;
  version: string;
  levels: { number: number; name: string }[];
  has_pathway: boolean;
}

export interface FrameworkItem extends Provenance {
  id: string;
  label: string;
  level?: number;
  domain?: string;
  immediate?: boolean;
  age_under?: number;
  age_at_least?: number;
}

export interface When {
  case?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface TransitionField {
  name: string;
  type: string;
  optional: boolean;
  label?: string;
  values?: (string | number)[];
  confidential?: boolean;
}

export interface Condition extends Provenance {
  if?: When;
  field?: string;
  equals?: string;
  not?: string;
  case?: Record<string, unknown>;
  date_within?: { field: string; timescale: string };
  date_after?: { field: string; other: string };
  message: string;
  enforce: boolean;
}

export interface DeadlineRef {
  deadline: string;
  key_field?: string;
  if?: When;
}

export interface Transition extends Provenance {
  id: string;
  event: string;
  label: string;
  help?: string;
  from: string[];
  to?: string | { field: string; map: Record<string, string> };
  roles: string[];
  by?: string[];
  entry: boolean;
  significance: 'routine' | 'significant' | 'key';
  fields: TransitionField[];
  require: Condition[];
  starts: (DeadlineRef & { timescale?: string; due_field?: string; owner?: unknown })[];
  completes: DeadlineRef[];
  cancels: DeadlineRef[];
  effects: {
    level?: string;
    facts?: { add?: string; end?: string };
    lead_professional?: 'end' | { set: string; service?: string };
    allocated_worker?: 'end' | { set: string };
    team?: { add?: string; role?: string; remove?: string };
    consent?: { kind: string; agencies?: string };
    communication_needs?: string;
    record?: { kind: string; per: string };
  };
  confidential?: { author: boolean; fields: string[] };
}

export interface NextStep extends Transition {
  allowed_for_you: boolean;
  why_not?: string;
  ready?: boolean; // false: the record must say something first (waiting_for)
  waiting_for?: string[];
}

export interface Level {
  level: number;
  name: string;
  description: string;
  response: string;
}

export interface Framework {
  id: string;
  name: string;
  authority: string;
  version: string;
  source: string;
  levels: Level[];
  domains: { id: string; name: string; subdomains?: { id: string; name: string }[] }[];
  indicators: FrameworkItem[];
  strengths: FrameworkItem[];
  facts: FrameworkItem[];
  consent: { source: string; note: string; form: string; without_consent: { id: string; label: string; source: string }[] };
  vocabulary: Record<string, string>;
  timescales: (Provenance & { id: string; label: string; within: { amount: number; unit: string } })[];
  pathway?: {
    division: string;
    roles: string[];
    duties: (Provenance & { id: string; label: string })[];
    states: { id: string; label: string }[];
    closed_states: string[];
    transitions: Transition[];
  };
}

export interface Suggestion {
  level: number;
  level_name: string;
  response_label: string;
  response_text: string;
  response_name?: string | null;
  assessment?: string | null;
  urgent: boolean;
  urgent_actions: string[];
  lead_professional?: { required: boolean; title: string; note: string };
  consent: { before_referral: boolean; form: string; note: string; source: string };
  explanation: (Provenance & { rule: string | null; kind: string; summary: string; from: number; to: number; effect: string; ids: string[] })[];
  evidence: (Provenance & { id: string; kind: string; label: string; level?: number })[];
  notes: { kind: string; ids: string[]; text: string }[];
}

export interface Deadline {
  deadline_id: string;
  child_id?: string;
  display_name?: string;
  kind: string;
  label: string;
  due_at: string;
  owner: string;
  team: string;
  overdue: boolean;
}

export interface CaseRecord {
  event?: string;
  occurred_at?: string;
  author?: string;
  agency?: string;
  type?: string;
  fields: Record<string, unknown>;
  member?: string;
  member_agency?: string;
  role?: string;
  kind?: string;
  agencies?: string[];
  updated_at?: string;
}

export interface CaseSummary {
  child_id: string;
  details: Record<string, unknown> & { display_name: string; date_of_birth: string; communication_needs?: string[] };
  framework: string;
  case: {
    state: string;
    state_label: string;
    episode: number;
    level: number;
    level_name: string;
    facts: string[];
    lead_professional: string;
    lead_service: string;
    allocated_worker: string;
    team: string[];
    duty_team: string;
    communication_needs: string[];
  };
  access: { relationship: string; consent: string; basis: string };
  records: Record<string, Record<string, CaseRecord>>;
  deadlines: Deadline[];
}

export interface ChronologyEntry {
  id: string;
  seq: number;
  type: string;
  occurred_at: string;
  recorded_at: string;
  author: string;
  agency: string;
  significance: number;
  fields: Record<string, unknown>;
  transition?: string;
  from?: string;
  to?: string;
  warnings?: string[];
  corrects?: string;
  supersedes?: string;
  reason?: string;
  superseded_by?: string;
}

export interface Person {
  person_id: string;
  name: string;
  relationship: string;
  lives_with_child: boolean;
  parental_responsibility?: boolean | null;
  date_of_birth?: string | null;
  communication_needs?: string[] | null;
  note?: string | null;
}

export interface Alert {
  id: number;
  kind: string;
  child_id: string;
  user_id: string;
  agency_id: string;
  detail: string;
  created_at: string;
  acknowledged_by: string;
  acknowledged_at: string;
  yours: boolean;
}
