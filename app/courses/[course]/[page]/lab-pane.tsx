// The lab beside a course page: the user's own lab of the page's template, live in the lab viewer
// when it is ready (app/_components/lab-viewer), otherwise a short note on how the lab is doing.
// Instructors and admins see their own lab too: the page is the same for everyone.
import type { LabState, Protocol } from "../../../../server/db/generated/sqlite/enums.ts";
import { LabPanes } from "../../../_components/lab-viewer/lab-panes.tsx";

export type LabPaneProps = {
  template: { title: string; panes: { protocol: Protocol; label: string }[] };
  /** The user's newest lab of this template that is not torn down, or null. */
  lab: { id: string; state: LabState } | null;
  /** The user is an instructor or admin looking at the page with their own lab. */
  preview?: boolean;
};

const statusText: Record<LabState, string> = {
  ready: "Your lab is ready",
  provisioning: "Your lab is being prepared",
  stopped: "Your lab is stopped",
  torn_down: "No lab has been started for you yet",
};

export function LabPane({ template, lab, preview = false }: LabPaneProps) {
  const state = lab?.state ?? null;
  const previewNote = preview && <span className="lab-badge">Preview: your own lab</span>;

  if (lab && state === "ready") {
    return (
      <section data-testid="lab-pane" aria-label="Lab" className="lab-pane">
        <LabPanes
          labId={lab.id}
          title={template.title}
          panes={template.panes}
          status={
            <>
              {previewNote}
              <p className="lab-status lab-status-compact" data-state="ready" role="status">
                <span className="lab-status-dot" aria-hidden="true" />
                Lab ready
              </p>
            </>
          }
        />
      </section>
    );
  }

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
        {previewNote}
      </header>
      <div className="lab-pane-body">
        <p className="lab-status" data-state={state ?? "none"} role="status">
          <span className="lab-status-dot" aria-hidden="true" />
          {state ? statusText[state] : "No lab has been started for you yet"}
        </p>
        {state === "provisioning" && <p className="lab-hint">Reload the page in a minute to see whether it is ready.</p>}
        {state === null && (
          <>
            <p className="lab-hint">Once a lab has been started for you, it appears here.</p>
            <p className="lab-hint">
              Labs are started by your course&apos;s provisioning system, or by hand with{" "}
              <code>labdeck lab register --owner EMAIL --template SLUG ...</code>. In the demo (<code>npm run demo</code>), each demo account
              gets an SSH lab for the Linux shell pages.
            </p>
          </>
        )}
      </div>
    </section>
  );
}
