"use client";
// A lab template's panes (a terminal, desktops) for one lab. Several panes show tabs; each pane
// connects (its own tunnel) when first opened and stays connected while another tab is shown.
import { useId, useState, type KeyboardEvent, type ReactNode } from "react";
import type { Protocol } from "../../../server/db/generated/sqlite/enums.ts";
import { LabViewer } from "./lab-viewer.tsx";
import "./lab-viewer.css";

export type LabPanesProps = {
  labId: string;
  title: string;
  panes: { protocol: Protocol; label: string }[];
  /** Shown at the end of the header, e.g. the lab's own state. */
  status?: ReactNode;
};

export function LabPanes({ labId, title, panes, status }: LabPanesProps) {
  const [current, setCurrent] = useState(0);
  const [opened, setOpened] = useState<ReadonlySet<number>>(() => new Set([0]));
  const baseId = useId();
  const tabs = panes.length > 1;

  const select = (index: number) => {
    setCurrent(index);
    setOpened((previous) => (previous.has(index) ? previous : new Set([...previous, index])));
  };

  const onTabKeyDown = (event: KeyboardEvent<HTMLButtonElement>, index: number) => {
    const last = panes.length - 1;
    const target = { ArrowRight: index === last ? 0 : index + 1, ArrowLeft: index === 0 ? last : index - 1, Home: 0, End: last }[event.key];
    if (target === undefined) return;
    event.preventDefault();
    select(target);
    document.getElementById(`${baseId}-tab-${target}`)?.focus();
  };

  return (
    <div className="lab-panes">
      <header className="lab-pane-header">
        <h2 className="lab-pane-title">{title}</h2>
        {tabs ? (
          <div className="lab-tabs" role="tablist" aria-label="Lab panes">
            {panes.map((pane, index) => (
              <button
                key={pane.protocol}
                id={`${baseId}-tab-${index}`}
                type="button"
                role="tab"
                className="lab-tab-button"
                data-protocol={pane.protocol}
                aria-selected={index === current}
                aria-controls={`${baseId}-panel-${index}`}
                tabIndex={index === current ? 0 : -1}
                onClick={() => select(index)}
                onKeyDown={(event) => onTabKeyDown(event, index)}
              >
                {pane.label}
              </button>
            ))}
          </div>
        ) : (
          panes[0] && <span className="lab-tab current">{panes[0].label}</span>
        )}
        {status}
      </header>
      {panes.map((pane, index) => (
        <div
          key={pane.protocol}
          id={`${baseId}-panel-${index}`}
          className="lab-panes-panel"
          role={tabs ? "tabpanel" : undefined}
          aria-labelledby={tabs ? `${baseId}-tab-${index}` : undefined}
          hidden={index !== current}
        >
          {opened.has(index) && <LabViewer labId={labId} protocol={pane.protocol} label={pane.label} />}
        </div>
      ))}
    </div>
  );
}
