/** Light or dark: the system's choice unless the user picked one (remembered in localStorage). */
export type Theme = 'light' | 'dark';

const KEY = 'stratus.theme';

function systemTheme(): Theme {
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** The theme in force. */
export function currentTheme(): Theme {
  const picked = localStorage.getItem(KEY);
  return picked === 'light' || picked === 'dark' ? picked : systemTheme();
}

/** Applies a theme to the page (the stylesheet keys its colours on data-theme). */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
}

/** Switches to the other theme and remembers the choice. */
export function toggleTheme(): Theme {
  const next: Theme = currentTheme() === 'dark' ? 'light' : 'dark';
  localStorage.setItem(KEY, next);
  applyTheme(next);
  return next;
}
