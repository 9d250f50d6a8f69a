/** One host's streamed output: virtualised lines (a long dpkg log costs what the visible lines cost). */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef } from 'react';

import type { HostOutput } from '../../stores/rollout-live';

const LINE = 18;

/** The output pane; follows the end while scrolled to the bottom. */
export function HostOutputView({ name, output, live }: { name: string; output: HostOutput; live: boolean }) {
  const lines = useMemo(() => {
    const all = output.text.split(/\r?\n/);
    if (all.length > 1 && all[all.length - 1] === '') all.pop();
    return all;
  }, [output.text]);
  const ref = useRef<HTMLDivElement>(null);
  const atEnd = useRef(true);
  const v = useVirtualizer({
    count: lines.length,
    getScrollElement: () => ref.current,
    estimateSize: () => LINE,
    overscan: 20,
  });
  useEffect(() => {
    if (atEnd.current && lines.length > 0) v.scrollToIndex(lines.length - 1, { align: 'end' });
  }, [lines.length, v]);
  const empty = output.text === '';
  return (
    <section className="host-output" aria-label={`Output of ${name}`} data-testid="host-output">
      <header className="host-output-head">
        <h3>Output of {name}</h3>
        <span className="muted">
          {output.truncated ? 'the start was dropped here (the full log is kept); ' : ''}
          {lines.length.toLocaleString('en-US')} {lines.length === 1 ? 'line' : 'lines'}
          {live ? ' · live' : ''}
        </span>
      </header>
      <div
        ref={ref}
        className="host-output-scroll"
        tabIndex={0}
        role="log"
        aria-live="off"
        onScroll={(e) => {
          const el = e.currentTarget;
          atEnd.current = el.scrollTop + el.clientHeight >= el.scrollHeight - LINE * 2;
        }}
      >
        {empty ? (
          <p className="muted host-output-empty">
            {live
              ? 'No output yet: it appears here as the package manager prints it.'
              : 'This machine printed no output.'}
          </p>
        ) : (
          <div style={{ height: v.getTotalSize(), position: 'relative' }}>
            {v.getVirtualItems().map((item) => (
              <div
                key={item.key}
                className="host-output-line"
                style={{ transform: `translateY(${item.start}px)`, height: LINE }}
                data-testid="host-output-line"
              >
                {lines[item.index]}
              </div>
            ))}
          </div>
        )}
      </div>
    </section>
  );
}
