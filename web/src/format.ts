// Words and dates as people read them.

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

// "2026-03-14" or "2026-03-14T09:00:00Z" -> "14 March 2026"
export function longDate(s: string | undefined | null): string {
  if (!s) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (!m) return s;
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

// A UTC time in the user's local time: "14 March 2026, 9:05am"
export function dateTime(s: string | undefined | null): string {
  if (!s) return '';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  const h = d.getHours();
  const mm = String(d.getMinutes()).padStart(2, '0');
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}, ${h % 12 || 12}:${mm}${h < 12 ? 'am' : 'pm'}`;
}

export function time(s: string): string {
  const d = new Date(s);
  const h = d.getHours();
  return `${h % 12 || 12}:${String(d.getMinutes()).padStart(2, '0')}${h < 12 ? 'am' : 'pm'}`;
}

// "parental_mental-health" -> "Parental mental health"
export function humanise(id: string | number | boolean): string {
  if (typeof id === 'boolean') return id ? 'Yes' : 'No';
  const s = String(id).replace(/[_-]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// How long until (or since) a time, in words: "in 3 hours", "2 days ago".
export function relative(s: string, now = Date.now()): string {
  const ms = new Date(s).getTime() - now;
  const abs = Math.abs(ms);
  const mins = Math.round(abs / 60000);
  let words: string;
  if (mins < 60) words = `${mins} minute${mins === 1 ? '' : 's'}`;
  else if (mins < 48 * 60) {
    const h = Math.round(mins / 60);
    words = `${h} hour${h === 1 ? '' : 's'}`;
  } else {
    const d = Math.round(mins / 1440);
    words = `${d} day${d === 1 ? '' : 's'}`;
  }
  return ms >= 0 ? `in ${words}` : `${words} ago`;
}

export function ageOn(dob: string, on = new Date()): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dob);
  if (!m) return null;
  let age = on.getFullYear() - Number(m[1]);
  const md = (on.getMonth() + 1) * 100 + on.getDate();
  if (md < Number(m[2]) * 100 + Number(m[3])) age--;
  return age;
}

// "14/3/2026" or "2026-03-14" -> "2026-03-14"; "" if neither.
export function isoDate(input: string): string {
  const s = input.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
  const m = /^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})$/.exec(s);
  if (!m) return '';
  const d = Number(m[1]);
  const mo = Number(m[2]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return '';
  return `${m[3]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

// "2026-03-14" -> "14/3/2026", as the MoJ date picker writes it.
export function ukDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? `${Number(m[3])}/${Number(m[2])}/${m[1]}` : iso;
}

export function todayIso(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export const ROLE_NAMES: Record<string, string> = {
  practitioner: 'Practitioner',
  lead_professional: 'Lead professional',
  team_leader: 'Team leader',
  front_door: 'Front door',
  social_worker: 'Social worker',
  safeguarding_lead: 'Safeguarding lead',
  analyst: 'Analyst',
  administrator: 'Administrator',
};

// Communication needs from the controlled list (interpreter:LANGUAGE, bsl,
// easy_read, large_print, other:TEXT), in words.
export function communicationNeed(v: string): string {
  if (v.startsWith('interpreter:')) return `Needs an interpreter: ${v.slice('interpreter:'.length)}`;
  if (v === 'bsl') return 'Uses British Sign Language (BSL)';
  if (v === 'easy_read') return 'Needs information in EasyRead';
  if (v === 'large_print') return 'Needs large print';
  if (v.startsWith('other:')) return v.slice('other:'.length);
  return v;
}
