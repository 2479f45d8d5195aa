// The user's preferences, kept in localStorage so they survive a reload; anything unreadable falls back to
// the default rather than breaking the UI.
export const WINDOWS_MS = [60_000, 300_000, 900_000] as const;
export type WindowMs = (typeof WINDOWS_MS)[number];
export const INTERVALS_MS = [250, 500, 1000, 2000, 5000] as const;

export interface Settings {
  /** How much time the charts show. */
  windowMs: WindowMs;
  /** The service's sampling interval this user chose; null: whatever the service was started with. */
  intervalMs: number | null;
}

const KEY = 'jobscope.settings';
const DEFAULT_SETTINGS: Settings = { windowMs: 300_000, intervalMs: null };

export function loadSettings(): Settings {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Settings>;
    return {
      windowMs: WINDOWS_MS.includes(saved.windowMs as WindowMs) ? (saved.windowMs as WindowMs) : DEFAULT_SETTINGS.windowMs,
      intervalMs:
        Number.isInteger(saved.intervalMs) && saved.intervalMs! >= 100 && saved.intervalMs! <= 60_000 ? saved.intervalMs! : null,
    };
  } catch {
    return DEFAULT_SETTINGS;
  }
}

export function saveSettings(settings: Settings): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(settings));
  } catch {
    // Storage full or disabled: the setting still holds for this session.
  }
}
