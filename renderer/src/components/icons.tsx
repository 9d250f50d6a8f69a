/** Small stroke icons drawn inline (no icon font, no network), sized by the surrounding text. */
import type { ReactNode } from 'react';

const PATHS = {
  dashboard: (
    <>
      <rect x="2.5" y="2.5" width="4.5" height="5.5" rx="1" />
      <rect x="9" y="2.5" width="4.5" height="3.5" rx="1" />
      <rect x="2.5" y="10" width="4.5" height="3.5" rx="1" />
      <rect x="9" y="8" width="4.5" height="5.5" rx="1" />
    </>
  ),
  machines: (
    <>
      <rect x="2.5" y="2.5" width="11" height="4.5" rx="1" />
      <rect x="2.5" y="9" width="11" height="4.5" rx="1" />
      <path d="M5 4.75h.01M5 11.25h.01" />
    </>
  ),
  patches: <path d="M8 2.5 13.5 5v6L8 13.5 2.5 11V5L8 2.5Zm0 0v11M2.5 5 8 7.5 13.5 5" />,
  rollouts: <path d="M3 13c1.5-4 4-7.5 10-10-2.5 6-6 8.5-10 10Zm2.5-2.5 2 2M9.5 4.5l2 2" />,
  reports: <path d="M3 13.5V2.5M3 13.5h10.5M6 11V8M9 11V5.5M12 11V7" />,
  settings: (
    <>
      <circle cx="8" cy="8" r="2" />
      <path d="M8 1.5v2M8 12.5v2M1.5 8h2M12.5 8h2M3.4 3.4l1.4 1.4M11.2 11.2l1.4 1.4M3.4 12.6l1.4-1.4M11.2 4.8l1.4-1.4" />
    </>
  ),
  search: <path d="M7 12a5 5 0 1 0 0-10 5 5 0 0 0 0 10Zm3.5-1.5L14 14" />,
  plus: <path d="M8 3v10M3 8h10" />,
  import: <path d="M8 2.5v7.5m0 0L5 7m3 3 3-3M2.5 11v2.5h11V11" />,
  export: <path d="M8 10V2.5m0 0L5 5.5m3-3 3 3M2.5 11v2.5h11V11" />,
  trash: <path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.5 9h6l.5-9" />,
  tag: <path d="M2.5 2.5h5l6 6-5 5-6-6v-5Zm3 3h.01" />,
  close: <path d="M4 4l8 8M12 4l-8 8" />,
  chevron: <path d="M4.5 6.5 8 10l3.5-3.5" />,
  group: <path d="M2.5 4.5h11M4.5 8h7M6.5 11.5h3" />,
  alert: <path d="M8 2.5 14 13H2L8 2.5Zm0 4v3m0 2h.01" />,
  info: <path d="M8 13.5a5.5 5.5 0 1 0 0-11 5.5 5.5 0 0 0 0 11ZM8 7.5v3.5M8 5h.01" />,
  check: <path d="m3.5 8.5 3 3 6-7" />,
  scan: <path d="M13.5 8A5.5 5.5 0 1 1 11.9 4.1M13.5 2.5v3h-3M8 5.5V8l1.8 1.2" />,
  reboot: <path d="M4.1 4.1A5.5 5.5 0 1 0 8 2.5M4.1 4.1V1.8M4.1 4.1h2.3" />,
  key: (
    <path d="M6.5 10.5a3.5 3.5 0 1 1 2.9-1.5l4.1 4.1-1.5 1.4-1-1-1 1-1-1 .9-.9-.5-.5A3.5 3.5 0 0 1 6.5 10.5Zm-1-4.5h.01" />
  ),
  shield: <path d="M8 2 13 4v4c0 3-2.2 5.2-5 6-2.8-.8-5-3-5-6V4l5-2Z" />,
  spinner: <path d="M8 2.5A5.5 5.5 0 1 1 2.5 8" />,
  clock: <path d="M8 13.5a5.5 5.5 0 1 0 0-11 5.5 5.5 0 0 0 0 11ZM8 5v3l2 1.5" />,
  fail: <path d="M8 13.5a5.5 5.5 0 1 0 0-11 5.5 5.5 0 0 0 0 11ZM6 6l4 4M10 6l-4 4" />,
  cancelled: <path d="M8 13.5a5.5 5.5 0 1 0 0-11 5.5 5.5 0 0 0 0 11ZM4.2 11.8l7.6-7.6" />,
  done: <path d="M8 13.5a5.5 5.5 0 1 0 0-11 5.5 5.5 0 0 0 0 11Zm-2.5-5.5 1.8 1.8 3.2-3.6" />,
  edit: <path d="M10.5 2.5 13.5 5.5 6 13H3v-3l7.5-7.5Z" />,
  back: <path d="M13 8H3m0 0 4-4M3 8l4 4" />,
  pause: <path d="M5.5 3.5v9M10.5 3.5v9" />,
  play: <path d="M5 3v10l8-5-8-5Z" />,
} satisfies Record<string, ReactNode>;

/** Names of the available icons. */
export type IconName = keyof typeof PATHS;

/** An icon; decorative, so hidden from assistive technology (the button or link carries the name). */
export function Icon({ name, className }: { name: IconName; className?: string }) {
  return (
    <svg
      className={className ? `icon ${className}` : 'icon'}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {PATHS[name]}
    </svg>
  );
}
