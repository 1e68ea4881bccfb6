// The lab beside a course page. For now a placeholder that names the template's panes and says how
// the user's lab is doing; the live viewer (Guacamole) will replace the body.
import type { LabState, Protocol } from "../../../../server/db/generated/sqlite/enums.ts";

export type LabPaneProps = {
  template: { title: string; panes: { protocol: Protocol; label: string }[] };
  /** The user's newest lab of this template that is not torn down, or null. */
  lab: { id: string; state: LabState } | null;
};

const statusText: Record<LabState, string> = {
  ready: "Your lab is ready",
  provisioning: "Your lab is being prepared",
  stopped: "Your lab is stopped",
  torn_down: "No lab has been started for you yet",
};

export function LabPane({ template, lab }: LabPaneProps) {
  const state = lab?.state ?? null;
  return (
    <section data-testid="lab-pane" aria-label="Lab" className="lab-pane">
      <header className="lab-pane-header">
        <h2 className="lab-pane-title">{template.title}</h2>
        <ul className="lab-tabs" aria-label="Lab panes">
          {template.panes.map((pane, index) => (
            <li key={pane.protocol} className={index === 0 ? "lab-tab current" : "lab-tab"} data-protocol={pane.protocol}>
              {pane.label}
            </li>
          ))}
        </ul>
      </header>
      <div className="lab-pane-body">
        <p className="lab-status" data-state={state ?? "none"} role="status">
          <span className="lab-status-dot" aria-hidden="true" />
          {state ? statusText[state] : "No lab has been started for you yet"}
        </p>
        {state === "provisioning" && <p className="lab-hint">Reload the page in a minute to see whether it is ready.</p>}
        {state === null && <p className="lab-hint">Once a lab has been started for you, it appears here.</p>}
      </div>
    </section>
  );
}
