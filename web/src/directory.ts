// The directory of colleagues and agencies (GET /api/v1/staff), so that
// records show people and agencies by name rather than by id. Fetched once
// per sign-in and kept in memory only: it holds no child's data.
import * as api from './api';

export interface StaffUser {
  id: string;
  username: string;
  display_name: string;
  role: string;
  agency_id: string;
  team_id: string;
}

export interface Staff {
  users: StaffUser[];
  agencies: { id: string; name: string }[];
}

let pending: Promise<Staff | undefined> | null = null;
let loaded: Staff | undefined;

// The directory, or undefined when it cannot be read (a form still works
// with ids, and a role without access simply sees ids).
export function directory(): Promise<Staff | undefined> {
  if (!pending)
    pending = api.get<Staff>('/api/v1/staff').then(
      (s) => (loaded = s),
      () => {
        pending = null;
        return undefined;
      },
    );
  return pending;
}

export function forgetDirectory(): void {
  pending = null;
  loaded = undefined;
}

export function staffName(id: string): string | undefined {
  return loaded?.users.find((u) => u.id === id)?.display_name;
}

export function agencyName(id: string): string | undefined {
  return loaded?.agencies.find((a) => a.id === id)?.name;
}
