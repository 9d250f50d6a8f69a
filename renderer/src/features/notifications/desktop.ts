/**
 * Shows a desktop notification in the page. In Electron the main process shows them natively (they must
 * appear with every window closed), so the page shows nothing there. In the browser host: the Web
 * Notifications API once the user allowed it; otherwise — denied, not supported, or not asked yet — an
 * in-app toast, so nothing is lost.
 */
import type { DesktopNotification } from '../../../../shared/notifications';

const ASKED_KEY = 'patchbay.notifications.asked';

/** The page's Notification API, when it has one (not in every browser or context). */
function webNotifications(): typeof Notification | null {
  return typeof window !== 'undefined' && 'Notification' in window ? window.Notification : null;
}

/** Creates the shower; `toast` is the fallback. */
export function desktopShower(toast: (message: string) => void) {
  const inElectron = () => typeof window !== 'undefined' && window.api !== undefined;
  const seen = new Set<string>();
  return {
    /**
     * Asks for permission once (remembered across reloads, so a user who said no is not asked again at
     * every test); call it from a click, as browsers require. Not waited for: a prompt the user leaves open
     * must not hold up the test, whose notification then shows as a toast.
     */
    askPermission(): void {
      const N = webNotifications();
      if (inElectron() || !N || N.permission !== 'default') return;
      if (localStorage.getItem(ASKED_KEY) === '1') return;
      localStorage.setItem(ASKED_KEY, '1');
      try {
        void Promise.resolve(N.requestPermission()).catch(() => undefined);
      } catch {
        // An old callback-only API or a refusal to ask: the toast fallback covers it.
      }
    },
    show(n: DesktopNotification): void {
      if (inElectron() || seen.has(n.id)) return;
      if (seen.size > 500) seen.clear();
      seen.add(n.id);
      const N = webNotifications();
      if (N && N.permission === 'granted') {
        try {
          new N(n.title, { body: n.body, tag: n.id });
          return;
        } catch {
          // Some browsers allow notifications only from a service worker: fall back to the toast.
        }
      }
      toast(`${n.title} — ${n.body}`);
    },
  };
}
