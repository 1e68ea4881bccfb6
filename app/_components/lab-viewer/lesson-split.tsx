"use client";
// A course page with its lab: the text and the lab side by side on wide screens, with a divider
// that resizes them (drag it, or focus it and use the arrow keys, Home and End); stacked on narrow
// screens. The lab's share is a CSS variable on <html>, so it survives moving between pages, and it
// is kept in localStorage and restored by a small inline script before the first paint.
import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from "react";
import "./lab-viewer.css";

const storageKey = "labdeck.labShare";
const cssVariable = "--lab-share";
export const labShareBounds = { min: 25, max: 70, initial: 46, step: 2 } as const;

function clampShare(value: number): number {
  return Math.min(labShareBounds.max, Math.max(labShareBounds.min, Math.round(value)));
}

function applyShare(share: number): void {
  document.documentElement.style.setProperty(cssVariable, `${share}%`);
}

// Runs while the page is parsed, before the layout is painted: no jump to the stored width.
const restoreScript = `try{var s=Number(localStorage.getItem(${JSON.stringify(storageKey)}));if(s>=${labShareBounds.min}&&s<=${labShareBounds.max})document.documentElement.style.setProperty(${JSON.stringify(cssVariable)},s+"%")}catch(e){}`;

export function LessonSplit({ lesson, lab }: { lesson: ReactNode; lab: ReactNode }) {
  const containerRef = useRef<HTMLDivElement>(null);
  const [share, setShare] = useState<number>(labShareBounds.initial);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    const stored = Number(document.documentElement.style.getPropertyValue(cssVariable).replace("%", ""));
    if (stored >= labShareBounds.min && stored <= labShareBounds.max) setShare(stored);
  }, []);

  const commit = (value: number) => {
    const next = clampShare(value);
    setShare(next);
    applyShare(next);
    try {
      localStorage.setItem(storageKey, String(next));
    } catch {
      // Storage disabled: the width lasts until the next full page load.
    }
  };

  const shareAt = (clientX: number): number => {
    const box = containerRef.current?.getBoundingClientRect();
    if (!box || box.width === 0) return share;
    return ((box.right - clientX) / box.width) * 100;
  };

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    setDragging(true);
  };

  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    if (!dragging) return;
    commit(shareAt(event.clientX));
  };

  const endDrag = (event: PointerEvent<HTMLDivElement>) => {
    if (!dragging) return;
    if (event.currentTarget.hasPointerCapture(event.pointerId)) event.currentTarget.releasePointerCapture(event.pointerId);
    setDragging(false);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    // The divider sits left of the lab: moving it left makes the lab wider.
    const step = event.shiftKey ? labShareBounds.step * 5 : labShareBounds.step;
    const next = {
      ArrowLeft: share + step,
      ArrowRight: share - step,
      Home: labShareBounds.max,
      End: labShareBounds.min,
    }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    commit(next);
  };

  return (
    <div ref={containerRef} className="lesson-layout with-lab lesson-split" data-dragging={dragging || undefined}>
      <script dangerouslySetInnerHTML={{ __html: restoreScript }} />
      {lesson}
      <div
        className="lesson-split-divider"
        role="separator"
        aria-orientation="vertical"
        aria-label="Resize the lab"
        aria-valuemin={labShareBounds.min}
        aria-valuemax={labShareBounds.max}
        aria-valuenow={share}
        aria-valuetext={`The lab takes ${share}% of the width`}
        tabIndex={0}
        data-dragging={dragging || undefined}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={endDrag}
        onPointerCancel={endDrag}
        onKeyDown={onKeyDown}
      />
      {lab}
    </div>
  );
}
