"use client";
// The live lab in a course page: a toolbar, the lab's screen (drawn by guacamole-common-js) and an
// overlay that says what the connection is doing. The connection itself lives in LabConnection; this
// component only renders its snapshot and forwards the user's actions.
import { useEffect, useRef, useState, type ClipboardEvent as ReactClipboardEvent } from "react";
import type { Protocol } from "../../../server/db/generated/sqlite/enums.ts";
import { keysyms } from "./keysyms.ts";
import { fetchTicket, fontSizeBounds, initialSnapshot, LabConnection, type ViewerSnapshot } from "./lab-connection.ts";
import "./lab-viewer.css";

export type LabViewerProps = {
  labId: string;
  protocol: Protocol;
  /** The pane's name, e.g. "Terminal". */
  label: string;
};

type ClipboardNotice = { text: string; copied: boolean };

const fontSizeKey = "labdeck.terminal.fontSize";

function storedFontSize(): number | undefined {
  try {
    const size = Number(window.localStorage.getItem(fontSizeKey));
    return size >= fontSizeBounds.min && size <= fontSizeBounds.max ? size : undefined;
  } catch {
    return undefined;
  }
}

function storeFontSize(size: number): void {
  try {
    window.localStorage.setItem(fontSizeKey, String(size));
  } catch {
    // Private mode or storage disabled: the choice lasts for this page only.
  }
}

/** The current time, ticking while `active` (for the "reconnecting in N s" countdown). */
function useNow(active: boolean): number {
  const [now, setNow] = useState(0);
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

function overlayTitle(snapshot: ViewerSnapshot, now: number): string {
  switch (snapshot.state) {
    case "connecting":
      return "Connecting…";
    case "connected":
      return "Connected";
    case "reconnecting": {
      if (snapshot.retryAt === undefined || snapshot.phase === "ticket" || snapshot.phase === "tunnel" || snapshot.phase === "first-frame") {
        return "Reconnecting…";
      }
      const seconds = Math.max(0, Math.ceil((snapshot.retryAt - (now || Date.now())) / 1000));
      if (snapshot.phase === "waiting") return seconds > 0 ? `Waiting for the lab · trying again in ${seconds} s` : "Waiting for the lab…";
      return seconds > 0 ? `Reconnecting in ${seconds} s` : "Reconnecting…";
    }
    case "disconnected":
      return "Disconnected";
    case "error":
      return "Can't open the lab";
  }
}

const stateLabel: Record<ViewerSnapshot["state"], string> = {
  connecting: "Connecting",
  connected: "Connected",
  reconnecting: "Reconnecting",
  disconnected: "Disconnected",
  error: "Error",
};

export function LabViewer({ labId, protocol, label }: LabViewerProps) {
  const rootRef = useRef<HTMLDivElement>(null);
  const screenRef = useRef<HTMLDivElement>(null);
  const surfaceRef = useRef<HTMLDivElement>(null);
  const toolbarRef = useRef<HTMLDivElement>(null);
  const textInputRef = useRef<HTMLTextAreaElement>(null);
  const connectionRef = useRef<LabConnection | null>(null);
  const [snapshot, setSnapshot] = useState<ViewerSnapshot>(initialSnapshot);
  const [clipboard, setClipboard] = useState<ClipboardNotice | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [focused, setFocused] = useState(false);
  const [fullscreen, setFullscreen] = useState(false);
  const [touch, setTouch] = useState(false);
  const [textInput, setTextInput] = useState(false);
  const now = useNow(snapshot.retryAt !== undefined);

  useEffect(() => {
    const screen = screenRef.current;
    const surface = surfaceRef.current;
    if (!screen || !surface) return;
    let connection: LabConnection | undefined;
    let cancelled = false;
    const deliverRemoteClipboard = (text: string) => {
      // Straight to the local clipboard where the browser lets a page write it; otherwise shown.
      navigator.clipboard
        .writeText(text)
        .then(() => setClipboard({ text, copied: true }))
        .catch(() => setClipboard({ text, copied: false }));
    };
    // The first ticket is asked for while the library loads: one round trip less before the lab shows.
    const firstTicket = fetchTicket(labId, protocol);
    firstTicket.catch(() => {
      // Reported by the connection's first attempt.
    });
    // guacamole-common-js touches window and document: it is loaded in the browser only.
    import("guacamole-common-js").then(
      (guacamole) => {
        if (cancelled) return;
        connection = new LabConnection({
          guacamole,
          labId,
          protocol,
          screen,
          surface,
          onChange: setSnapshot,
          onRemoteClipboard: deliverRemoteClipboard,
          onLeave: () => toolbarRef.current?.querySelector<HTMLButtonElement>("button:not([hidden])")?.focus(),
          fontSize: protocol === "ssh" ? storedFontSize() : undefined,
          firstTicket,
        });
        connectionRef.current = connection;
        connection.start();
      },
      () => {
        if (cancelled) return;
        setSnapshot({ ...initialSnapshot, state: "error", phase: "stopped", message: "The lab viewer could not be loaded. Reload the page." });
      },
    );
    return () => {
      cancelled = true;
      connection?.close();
      connectionRef.current = null;
    };
  }, [labId, protocol]);

  useEffect(() => {
    setTouch(window.matchMedia("(pointer: coarse)").matches || navigator.maxTouchPoints > 0);
    const onFullscreenChange = () => setFullscreen(document.fullscreenElement === rootRef.current);
    document.addEventListener("fullscreenchange", onFullscreenChange);
    return () => document.removeEventListener("fullscreenchange", onFullscreenChange);
  }, []);

  // The on-screen keyboard's field: its text goes to the lab key by key. Native listeners, so the
  // events stop here before they bubble to the pane, whose Guacamole.Keyboard would type them again.
  useEffect(() => {
    const field = textInputRef.current;
    if (!field) return;
    const onInput = (event: Event) => {
      event.stopPropagation();
      const input = event as InputEvent;
      if (input.isComposing) return;
      const connection = connectionRef.current;
      if (input.inputType === "insertLineBreak" || input.inputType === "insertParagraph") connection?.tap(keysyms.enter);
      else if (input.inputType === "deleteContentBackward") connection?.tap(keysyms.backSpace);
      else if (input.data) connection?.type(input.data);
      field.value = "";
    };
    const onCompositionEnd = (event: CompositionEvent) => {
      event.stopPropagation();
      if (event.data) connectionRef.current?.type(event.data);
      field.value = "";
    };
    const stop = (event: Event) => event.stopPropagation();
    field.addEventListener("input", onInput);
    field.addEventListener("compositionend", onCompositionEnd);
    field.addEventListener("compositionstart", stop);
    return () => {
      field.removeEventListener("input", onInput);
      field.removeEventListener("compositionend", onCompositionEnd);
      field.removeEventListener("compositionstart", stop);
    };
  }, []);

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), 3000);
    return () => clearTimeout(timer);
  }, [notice]);

  useEffect(() => {
    if (!clipboard?.copied) return;
    const timer = setTimeout(() => setClipboard((current) => (current === clipboard ? null : current)), 2500);
    return () => clearTimeout(timer);
  }, [clipboard]);

  const focusScreen = () => screenRef.current?.focus({ preventScroll: true });

  const onPaste = (event: ReactClipboardEvent<HTMLDivElement>) => {
    event.preventDefault();
    const text = event.clipboardData.getData("text/plain");
    if (text && !connectionRef.current?.paste(text)) setNotice("Not connected: nothing was pasted.");
  };

  const pasteFromButton = async () => {
    let text: string;
    try {
      text = await navigator.clipboard.readText();
    } catch {
      setNotice("Your browser did not share its clipboard: press Ctrl+V in the lab instead.");
      focusScreen();
      return;
    }
    if (text) connectionRef.current?.paste(text);
    focusScreen();
  };

  const toggleFullscreen = () => {
    const root = rootRef.current;
    if (!root) return;
    if (document.fullscreenElement) void document.exitFullscreen();
    else void root.requestFullscreen?.().catch(() => setNotice("Full screen is not available here."));
  };

  const toggleTextInput = () => {
    if (textInput) {
      setTextInput(false);
      textInputRef.current?.blur();
      focusScreen();
    } else {
      setTextInput(true);
      // Focusing a text field is what brings up a touch device's keyboard.
      textInputRef.current?.focus({ preventScroll: true });
    }
  };

  const changeFontSize = (delta: number) => {
    const current = snapshot.fontSize ?? 12;
    const next = Math.min(fontSizeBounds.max, Math.max(fontSizeBounds.min, current + delta));
    storeFontSize(next);
    connectionRef.current?.setFontSize(next);
  };

  const { state } = snapshot;
  const live = state === "connected";
  const busy = state === "connecting" || (state === "reconnecting" && snapshot.phase !== "waiting" && snapshot.phase !== "backoff");
  const statusHex = snapshot.statusCode === undefined ? undefined : `0x${snapshot.statusCode.toString(16).padStart(4, "0").toUpperCase()}`;
  const hintId = `lab-viewer-hint-${labId}-${protocol}`;

  return (
    <div
      ref={rootRef}
      className="lab-viewer"
      data-testid="lab-viewer"
      data-state={state}
      data-phase={snapshot.phase}
      data-protocol={protocol}
      data-status={statusHex}
      data-first-frame-at={snapshot.firstFrameAt}
      data-font-size={snapshot.fontSize}
      data-remote-size={snapshot.remoteSize && `${snapshot.remoteSize.width}x${snapshot.remoteSize.height}`}
    >
      <div ref={toolbarRef} className="lab-viewer-toolbar" role="toolbar" aria-label={`${label} controls`}>
        <span className="lab-viewer-state" data-state={state}>
          <span className="lab-viewer-state-dot" aria-hidden="true" />
          {stateLabel[state]}
          {live && snapshot.unstable && <span className="lab-viewer-unstable"> · slow connection</span>}
        </span>
        <span className="lab-viewer-actions">
          {protocol === "ssh" && (
            <span className="lab-viewer-font" role="group" aria-label="Text size">
              <button type="button" className="lab-viewer-button" onClick={() => changeFontSize(-1)} disabled={!live} aria-label="Smaller text" title="Smaller text">
                A−
              </button>
              <span className="lab-viewer-font-size" aria-live="polite">
                {snapshot.fontSize ?? "–"}
              </span>
              <button type="button" className="lab-viewer-button" onClick={() => changeFontSize(1)} disabled={!live} aria-label="Larger text" title="Larger text">
                A+
              </button>
            </span>
          )}
          <button type="button" className="lab-viewer-button" onClick={() => void pasteFromButton()} disabled={!live} title="Paste your clipboard into the lab">
            Paste
          </button>
          {touch && (
            <button type="button" className="lab-viewer-button" onClick={toggleTextInput} aria-pressed={textInput} disabled={!live} title="Show the keyboard">
              Keyboard
            </button>
          )}
          <button type="button" className="lab-viewer-button" onClick={toggleFullscreen} aria-pressed={fullscreen}>
            {fullscreen ? "Exit full screen" : "Full screen"}
          </button>
          <button type="button" className="lab-viewer-button" onClick={() => connectionRef.current?.reconnect()}>
            Reconnect
          </button>
        </span>
      </div>

      <div
        ref={screenRef}
        className="lab-viewer-screen"
        tabIndex={0}
        role="application"
        aria-roledescription="lab screen"
        aria-label={`${label}: your lab`}
        aria-describedby={hintId}
        onPointerDown={(event) => {
          if (event.target !== textInputRef.current) focusScreen();
        }}
        onFocus={() => setFocused(true)}
        onBlur={(event) => {
          if (!event.currentTarget.contains(event.relatedTarget)) {
            setFocused(false);
            setTextInput(false);
          }
        }}
        onPaste={onPaste}
      >
        <div ref={surfaceRef} className="lab-viewer-surface" />
        {/* Shown for a few seconds whenever focus comes or goes (the key restarts the fade). */}
        <p id={hintId} key={String(focused)} className="lab-viewer-hint" hidden={!live}>
          {focused ? "Typing goes to the lab · Ctrl+Alt+Shift to leave" : "Click the lab to type"}
        </p>
        <textarea
          ref={textInputRef}
          className="lab-viewer-text-input"
          tabIndex={-1}
          aria-label="Type into the lab"
          autoCapitalize="off"
          autoCorrect="off"
          autoComplete="off"
          spellCheck={false}
        />
        {!live && (
          <div className="lab-viewer-overlay" data-state={state}>
            <div className="lab-viewer-overlay-card">
              {busy && <span className="lab-viewer-spinner" aria-hidden="true" />}
              <p className="lab-viewer-overlay-title" aria-live="polite">
                {overlayTitle(snapshot, now)}
              </p>
              {(state !== "connecting" || snapshot.message !== initialSnapshot.message) && (
                <p className="lab-viewer-overlay-message">
                  {snapshot.message}
                  {statusHex && <span className="lab-viewer-overlay-code"> ({statusHex})</span>}
                </p>
              )}
              {(state === "disconnected" || state === "error" || (state === "reconnecting" && snapshot.retryAt !== undefined)) && (
                <button type="button" className="button lab-viewer-overlay-button" onClick={() => connectionRef.current?.reconnect()}>
                  {state === "reconnecting" ? "Reconnect now" : "Reconnect"}
                </button>
              )}
            </div>
          </div>
        )}
      </div>

      {clipboard && !clipboard.copied && (
        <div className="lab-viewer-clipboard" role="region" aria-label="Copied from lab">
          <label className="lab-viewer-clipboard-label" htmlFor={`${hintId}-clipboard`}>
            Copied from lab
          </label>
          <textarea
            id={`${hintId}-clipboard`}
            className="lab-viewer-clipboard-text"
            readOnly
            value={clipboard.text}
            rows={Math.min(4, clipboard.text.split("\n").length)}
            onFocus={(event) => event.currentTarget.select()}
          />
          <button
            type="button"
            className="lab-viewer-button"
            onClick={() =>
              void navigator.clipboard.writeText(clipboard.text).then(
                () => setClipboard({ ...clipboard, copied: true }),
                () => setNotice("Select the text and copy it with Ctrl+C."),
              )
            }
          >
            Copy
          </button>
          <button type="button" className="lab-viewer-button" onClick={() => setClipboard(null)} aria-label="Dismiss copied text">
            ×
          </button>
        </div>
      )}
      {(notice || clipboard?.copied) && (
        <p className="lab-viewer-toast" aria-live="polite">
          {notice ?? "Copied from the lab to your clipboard"}
        </p>
      )}
    </div>
  );
}
