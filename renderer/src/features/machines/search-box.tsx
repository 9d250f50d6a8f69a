/** The machine search box: debounced so typing does not send a request per key; `/` focuses it. */
import { useEffect, useRef, useState } from 'react';

import { Icon } from '../../components/icons';
import { useAppStore } from '../../stores/store';

const DEBOUNCE_MS = 150;

function typingInField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Search input bound to `filter.text`. */
export function SearchBox() {
  const text = useAppStore((s) => s.filter.text ?? '');
  const setFilter = useAppStore((s) => s.setFilter);
  const dialogOpen = useAppStore((s) => s.dialog !== null);
  const [value, setValue] = useState(text);
  const ref = useRef<HTMLInputElement>(null);
  const sent = useRef(text);

  // Follow outside changes (Clear filters) without fighting the user's typing.
  useEffect(() => {
    if (text !== sent.current) {
      sent.current = text;
      setValue(text);
    }
  }, [text]);

  useEffect(() => {
    if (value.trim() === sent.current) return undefined;
    const timer = setTimeout(() => {
      sent.current = value.trim();
      setFilter({ text: value });
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [value, setFilter]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || dialogOpen || typingInField(e.target))
        return;
      e.preventDefault();
      ref.current?.focus();
      ref.current?.select();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [dialogOpen]);

  return (
    <div className="search">
      <Icon name="search" className="search-icon" />
      <input
        ref={ref}
        type="search"
        className="input search-input"
        aria-label="Search machines"
        aria-keyshortcuts="/"
        placeholder="Search name, address, tag, client…"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && value) {
            e.preventDefault();
            setValue('');
          }
        }}
      />
      <kbd className="search-hint" aria-hidden="true">
        /
      </kbd>
    </div>
  );
}
