/** The colour theme: follows the OS unless the user picked one; the choice is kept in localStorage. */

/** A theme choice. */
export type Theme = 'system' | 'light' | 'dark';

const KEY = 'patchbay.theme';

/** The saved choice, or 'system'. */
export function readTheme(): Theme {
  if (typeof localStorage === 'undefined') return 'system';
  try {
    const saved = localStorage.getItem(KEY);
    return saved === 'light' || saved === 'dark' ? saved : 'system';
  } catch {
    return 'system'; // Storage can be unavailable (privacy settings); the OS theme still applies.
  }
}

/** Applies a choice to the document and saves it. */
export function applyTheme(theme: Theme): void {
  const root = document.documentElement;
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
  try {
    if (theme === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, theme);
  } catch {
    // Not saved; the choice still holds for this page.
  }
}
