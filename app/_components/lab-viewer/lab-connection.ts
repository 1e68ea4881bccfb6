// One lab pane's live connection, without React: a Guacamole.Client over a WebSocket tunnel to
// /api/tunnel, a fresh ticket before every connect, reconnects with backoff, and the pane's input
// (keyboard while the pane has focus, mouse and touch on the display, paste, resize).
//
// States are explicit (ViewerSnapshot); every connect attempt is a numbered "session" and callbacks of
// an older one are ignored; close() is idempotent and releases timers, listeners and the socket.
import type * as GuacamoleModule from "guacamole-common-js";
import type { Protocol } from "../../../server/db/generated/sqlite/enums.ts";
import { connectData, deviceSizeOf, fitScale } from "./connect-data.ts";
import { isLeaveChord, isPasteShortcut, keysyms, keysymsOfText } from "./keysyms.ts";
import {
  noPicture,
  outcomeOfDrop,
  outcomeOfError,
  outcomeOfTicketFailure,
  reconnectDelayMs,
  reconnectsByItself,
  sessionEnded,
  type Outcome,
} from "./status-policy.ts";
import { readText, writeText } from "./text-streams.ts";

export type Guacamole = typeof GuacamoleModule;

export type ViewerState = "connecting" | "connected" | "reconnecting" | "disconnected" | "error";

/** Finer than the state, for the overlay: where a connect attempt is, or why there is none. */
export type ViewerPhase = "ticket" | "tunnel" | "first-frame" | "live" | "waiting" | "backoff" | "stopped";

export type ViewerSnapshot = {
  state: ViewerState;
  phase: ViewerPhase;
  message: string;
  /** The Guacamole status that ended the last connection, if there was one. */
  statusCode: number | undefined;
  /** When the next automatic attempt starts (epoch ms), while one is scheduled. */
  retryAt: number | undefined;
  /** No data from the tunnel for a while (guacamole-common-js's UNSTABLE state). */
  unstable: boolean;
  /** When the current connection drew its first frame (epoch ms). */
  firstFrameAt: number | undefined;
  /** The terminal's font size, when the lab reported it or the user chose one (SSH only). */
  fontSize: number | undefined;
  /** The remote display's size in device pixels. */
  remoteSize: { width: number; height: number } | undefined;
};

export const initialSnapshot: ViewerSnapshot = {
  state: "connecting",
  phase: "ticket",
  message: "Connecting to your lab…",
  statusCode: undefined,
  retryAt: undefined,
  unstable: false,
  firstFrameAt: undefined,
  fontSize: undefined,
  remoteSize: undefined,
};

export const fontSizeBounds = { min: 8, max: 32 } as const;

export class TicketError extends Error {
  override readonly name = "TicketError";
  /** The HTTP status of the refusal; 0 when there was no answer. */
  constructor(readonly httpStatus: number) {
    super(`ticket request failed (${httpStatus || "no answer"})`);
  }
}

/** A fresh one-time ticket for this user's lab: POST /api/labs/{labId}/tickets. */
export async function fetchTicket(labId: string, protocol: Protocol, signal?: AbortSignal): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`/api/labs/${encodeURIComponent(labId)}/tickets`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ protocol }),
      cache: "no-store",
      credentials: "same-origin",
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new TicketError(0);
  }
  if (!response.ok) throw new TicketError(response.status);
  const body = (await response.json().catch(() => null)) as { ticket?: unknown } | null;
  if (typeof body?.ticket !== "string") throw new TicketError(500);
  return body.ticket;
}

let imageTypes: Promise<string[]> | undefined;

/** PNG and JPEG always; WebP when this browser decodes it (checked once). */
function supportedImageTypes(): Promise<string[]> {
  imageTypes ??= new Promise((resolve) => {
    const base = ["image/png", "image/jpeg"];
    const probe = new Image();
    probe.onload = () => resolve(probe.width === 1 ? [...base, "image/webp"] : base);
    probe.onerror = () => resolve(base);
    probe.src = "data:image/webp;base64,UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==";
  });
  return imageTypes;
}

function hasTouch(): boolean {
  return typeof window !== "undefined" && ("ontouchstart" in window || navigator.maxTouchPoints > 0);
}

export type LabConnectionOptions = {
  guacamole: Guacamole;
  labId: string;
  protocol: Protocol;
  /** The focusable pane: keyboard input while it has focus; its size is the remote display's. */
  screen: HTMLElement;
  /** Where the display's element goes (inside `screen`). */
  surface: HTMLElement;
  onChange(snapshot: ViewerSnapshot): void;
  /** Text the lab put on its clipboard (e.g. a selection in the terminal). */
  onRemoteClipboard(text: string): void;
  /** Ctrl+Alt+Shift: the user wants out of the lab with the keyboard. */
  onLeave?(): void;
  /** The terminal font size to apply on connect (SSH), e.g. the user's last choice. */
  fontSize?: number | undefined;
  /** For tests and other transports; defaults to the ticket route. */
  fetchTicket?: typeof fetchTicket;
  /** A ticket already on its way (requested while the library loaded), used by the first attempt. */
  firstTicket?: Promise<string> | undefined;
};

type Session = {
  readonly id: number;
  readonly client: GuacamoleModule.Client;
  readonly tunnel: GuacamoleModule.WebSocketTunnel;
  /** The last status an `error` instruction or the tunnel's close reported. */
  errorCode: number | undefined;
  /** That `error` came after the tunnel's UUID: guacd's own, not the tunnel refusing the ticket. */
  errorAfterOpen: boolean;
  tunnelCode: number | undefined;
  /** guacd or the tunnel server ended the session (the client began disconnecting on its own). */
  remoteClosing: boolean;
  live: boolean;
  /** Gives up on a session that is open but has shown nothing (see noPictureMs). */
  pictureTimer: ReturnType<typeof setTimeout> | undefined;
  settled: boolean;
  /** The sizes the lab was last asked for, in device pixels. */
  sentWidth: number;
  sentHeight: number;
  serverFontSize: number | undefined;
  localCursor: boolean;
};

const resizeDebounceMs = 200;

/**
 * A session that says it is connected but has not sized its display after this long is stuck (seen
 * with xrdp in front of Xvnc on a loaded machine: guacd syncs, the desktop never arrives): try again.
 */
export const noPictureMs = 10_000;
const desktopPasteDelayMs = 150;

export class LabConnection {
  private snapshot: ViewerSnapshot = initialSnapshot;
  private session: Session | undefined;
  private attemptId = 0;
  /** Consecutive failed attempts, for the backoff; reset by a drawn frame. */
  private failures = 0;
  /** Consecutive attempts that guacd could not take to the desktop; reset like `failures`. */
  private desktopUnreachable = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;
  private ticketRequest: AbortController | undefined;
  private closed = false;
  private paneWidth = 0;
  private paneHeight = 0;
  private wantedFontSize: number | undefined;
  private firstTicket: Promise<string> | undefined;
  /** Keys left to the browser (paste shortcuts): their release is not sent either. */
  private readonly heldLocally = new Set<number>();
  private readonly keyboard: GuacamoleModule.Keyboard;
  private readonly resizeObserver: ResizeObserver;

  constructor(private readonly options: LabConnectionOptions) {
    this.wantedFontSize = options.fontSize;
    this.firstTicket = options.firstTicket;
    if (options.protocol === "ssh" && options.fontSize) this.snapshot = { ...this.snapshot, fontSize: options.fontSize };
    // Bound to the pane, not the document: keys reach the lab only while the pane has focus.
    this.keyboard = new options.guacamole.Keyboard(options.screen);
    this.keyboard.onkeydown = (keysym) => this.onKeyDown(keysym);
    this.keyboard.onkeyup = (keysym) => this.onKeyUp(keysym);
    this.resizeObserver = new ResizeObserver((entries) => {
      const rect = entries[entries.length - 1]?.contentRect;
      if (rect) this.onPaneResize(rect.width, rect.height);
    });
  }

  get current(): ViewerSnapshot {
    return this.snapshot;
  }

  start(): void {
    if (this.closed) return;
    const { screen } = this.options;
    // Fractional, like the ResizeObserver's sizes: the first resize then does not differ by rounding.
    const rect = screen.getBoundingClientRect();
    this.paneWidth = rect.width;
    this.paneHeight = rect.height;
    this.resizeObserver.observe(screen);
    screen.addEventListener("focusout", this.onFocusOut);
    window.addEventListener("online", this.onOnline);
    void this.connect("connecting");
  }

  /** The Reconnect button: a new attempt now, with the backoff started over. */
  reconnect(): void {
    if (this.closed) return;
    this.failures = 0;
    this.desktopUnreachable = 0;
    void this.connect("connecting");
  }

  /** Ends everything; safe to call more than once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.attemptId++;
    clearTimeout(this.retryTimer);
    clearTimeout(this.resizeTimer);
    this.ticketRequest?.abort();
    this.endSession();
    this.resizeObserver.disconnect();
    this.options.screen.removeEventListener("focusout", this.onFocusOut);
    window.removeEventListener("online", this.onOnline);
    // Guacamole.Keyboard has no way to detach: without handlers it ignores the events.
    this.keyboard.onkeydown = null;
    this.keyboard.onkeyup = null;
    this.options.surface.replaceChildren();
  }

  /**
   * Sends `text` to the lab's clipboard, then the keystroke that pastes it: Ctrl+Shift+V in guacd's
   * terminal (SSH), Ctrl+V on a desktop. Returns false when there is no live connection.
   */
  paste(text: string): boolean {
    const session = this.liveSession();
    if (!session || text === "") return false;
    writeText(this.options.guacamole, session.client.createClipboardStream("text/plain"), text);
    const key = this.options.protocol === "ssh" ? keysyms.uppercaseV : keysyms.lowercaseV;
    const ctrlHeld = Boolean(this.keyboard.pressed[keysyms.controlLeft]);
    const pressPaste = () => {
      if (this.session !== session) return;
      if (!ctrlHeld) session.client.sendKeyEvent(1, keysyms.controlLeft);
      session.client.sendKeyEvent(1, key);
      session.client.sendKeyEvent(0, key);
      if (!ctrlHeld) session.client.sendKeyEvent(0, keysyms.controlLeft);
    };
    // guacd's terminal handles the clipboard and the keys in order; a desktop's clipboard is synced
    // to the remote application asynchronously.
    if (this.options.protocol === "ssh") pressPaste();
    else setTimeout(pressPaste, desktopPasteDelayMs);
    return true;
  }

  /** Types text key by key (the on-screen keyboard's input field). */
  type(text: string): void {
    const session = this.liveSession();
    if (!session) return;
    for (const keysym of keysymsOfText(text)) {
      session.client.sendKeyEvent(1, keysym);
      session.client.sendKeyEvent(0, keysym);
    }
  }

  /** Presses and releases one key (the on-screen keyboard's Backspace and Enter). */
  tap(keysym: number): void {
    const session = this.liveSession();
    if (!session) return;
    session.client.sendKeyEvent(1, keysym);
    session.client.sendKeyEvent(0, keysym);
  }

  /** Changes the terminal's font size through guacd's `argv` stream (SSH only). */
  setFontSize(size: number): void {
    if (this.options.protocol !== "ssh") return;
    const clamped = Math.min(fontSizeBounds.max, Math.max(fontSizeBounds.min, Math.round(size)));
    this.wantedFontSize = clamped;
    this.update({ fontSize: clamped });
    const session = this.liveSession();
    if (session) this.sendFontSize(session, clamped);
  }

  private update(change: Partial<ViewerSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    this.options.onChange(this.snapshot);
  }

  private liveSession(): Session | undefined {
    const session = this.session;
    return session?.live ? session : undefined;
  }

  private async connect(state: "connecting" | "reconnecting"): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.ticketRequest?.abort();
    this.endSession();
    const attempt = ++this.attemptId;
    this.update({
      state,
      phase: "ticket",
      message: state === "connecting" ? "Connecting to your lab…" : "Reconnecting to your lab…",
      retryAt: undefined,
      unstable: false,
    });

    const request = new AbortController();
    this.ticketRequest = request;
    const getTicket = this.options.fetchTicket ?? fetchTicket;
    const pending = this.firstTicket ?? getTicket(this.options.labId, this.options.protocol, request.signal);
    this.firstTicket = undefined;
    let ticket: string;
    let images: string[];
    try {
      [ticket, images] = await Promise.all([pending, supportedImageTypes()]);
    } catch (error) {
      if (attempt !== this.attemptId || this.closed) return;
      this.react(outcomeOfTicketFailure(error instanceof TicketError ? error.httpStatus : 0));
      return;
    } finally {
      if (this.ticketRequest === request) this.ticketRequest = undefined;
    }
    if (attempt !== this.attemptId || this.closed) return;
    this.open(attempt, ticket, images);
  }

  private open(id: number, ticket: string, images: string[]): void {
    const { guacamole } = this.options;
    const tunnel = new guacamole.WebSocketTunnel("/api/tunnel");
    const client = new guacamole.Client(tunnel);
    const ratio = window.devicePixelRatio || 1;
    // A hidden pane has no size yet: ask for a usual one, the first resize corrects it.
    const cssWidth = this.paneWidth >= 1 ? this.paneWidth : 1024 / ratio;
    const cssHeight = this.paneHeight >= 1 ? this.paneHeight : 768 / ratio;
    const size = deviceSizeOf(cssWidth, cssHeight, ratio);
    const session: Session = {
      id,
      client,
      tunnel,
      errorCode: undefined,
      errorAfterOpen: false,
      tunnelCode: undefined,
      remoteClosing: false,
      live: false,
      pictureTimer: undefined,
      settled: false,
      sentWidth: size.width,
      sentHeight: size.height,
      serverFontSize: undefined,
      localCursor: false,
    };
    this.session = session;
    const isCurrent = () => this.session === session;

    const display = client.getDisplay();
    const element = display.getElement();
    element.classList.add("lab-viewer-display");
    this.options.surface.replaceChildren(element);
    display.onresize = (width, height) => {
      if (!isCurrent()) return;
      this.update({ remoteSize: { width, height } });
      this.rescale();
      // The first picture may come after the first frame (an RDP desktop sizes itself late).
      if (!session.live && session.pictureTimer !== undefined && width > 0 && height > 0) display.flush(() => this.onFirstFrame(session));
    };

    // Mouse and touch on the display; positions are in scaled CSS pixels, so the client divides them
    // by the display's scale (sendMouseState's second argument) to get the lab's pixels.
    const sendMouse = (event: GuacamoleModule.Event) => {
      if (!isCurrent() || !session.live) return;
      display.showCursor(!session.localCursor);
      client.sendMouseState((event as GuacamoleModule.Mouse.Event).state, true);
    };
    const mouse = new guacamole.Mouse(element);
    mouse.onEach(["mousedown", "mousemove", "mouseup"], sendMouse);
    mouse.on("mouseout", () => display.showCursor(false));
    if (hasTouch()) new guacamole.Mouse.Touchscreen(element).onEach(["mousedown", "mousemove", "mouseup"], sendMouse);
    display.oncursor = (canvas, x, y) => {
      // The lab's pointer as the local cursor where the browser allows; otherwise drawn by the display.
      session.localCursor = mouse.setCursor(canvas, x, y);
      display.showCursor(!session.localCursor);
    };

    tunnel.onerror = (status) => {
      session.tunnelCode = status.code;
    };
    tunnel.onstatechange = (state) => {
      if (!isCurrent()) return;
      if (state === guacamole.Tunnel.State.OPEN) {
        if (this.snapshot.phase === "tunnel") this.update({ phase: "first-frame" });
        if (this.snapshot.unstable) this.update({ unstable: false });
      } else if (state === guacamole.Tunnel.State.UNSTABLE) {
        this.update({ unstable: true });
      } else if (state === guacamole.Tunnel.State.CLOSED && !session.remoteClosing) {
        // Closed under a live client: no `error` and no `disconnect` came first.
        this.settle(session, outcomeOfDrop(session.tunnelCode));
      }
    };
    client.onerror = (status) => {
      session.errorCode = status.code;
      // guacamole-common-js sets the UUID only from the tunnel's first message; an error sent first leaves it null.
      session.errorAfterOpen = tunnel.uuid !== null;
    };
    client.onstatechange = (state) => {
      if (!isCurrent()) return;
      const { State } = guacamole.Client;
      if (state === State.CONNECTED) {
        // CONNECTED comes with the first `sync`; the flush callback runs once that frame is drawn.
        display.flush(() => this.onFirstFrame(session));
        session.pictureTimer = setTimeout(() => {
          if (!session.live) this.settle(session, noPicture);
        }, noPictureMs);
      } else if (state === State.DISCONNECTING) {
        // Only guacd's `error` or `disconnect` gets here: the viewer detaches a session before ending it.
        session.remoteClosing = true;
      } else if (state === State.DISCONNECTED && session.remoteClosing) {
        this.settle(session, session.errorCode === undefined ? sessionEnded : this.outcomeOfError(session, session.errorCode));
      }
    };
    client.onclipboard = (stream, mimetype) => {
      if (!mimetype.startsWith("text/")) return;
      readText(guacamole, stream, (text) => {
        if (isCurrent()) this.options.onRemoteClipboard(text);
      });
    };
    client.onargv = (stream, mimetype, name) => {
      if (name !== "font-size" || !mimetype.startsWith("text/")) return;
      readText(guacamole, stream, (text) => {
        const size = Number.parseInt(text, 10);
        if (!isCurrent() || !Number.isFinite(size)) return;
        session.serverFontSize = size;
        if (this.wantedFontSize === undefined) this.update({ fontSize: size });
      });
    };

    this.update({ phase: "tunnel" });
    try {
      client.connect(
        connectData({
          ticket,
          cssWidth,
          cssHeight,
          devicePixelRatio: ratio,
          timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
          audio: guacamole.AudioPlayer.getSupportedTypes(),
          video: guacamole.VideoPlayer.getSupportedTypes(),
          image: images,
        }),
      );
    } catch {
      this.settle(session, outcomeOfDrop(undefined));
    }
  }

  private onFirstFrame(session: Session): void {
    if (this.session !== session || session.settled || session.live) return;
    const display = session.client.getDisplay();
    // A frame of nothing (no size yet) is not the lab's picture: wait for onresize, or the timer.
    if (display.getWidth() === 0 || display.getHeight() === 0) return;
    clearTimeout(session.pictureTimer);
    session.live = true;
    this.failures = 0;
    this.desktopUnreachable = 0;
    this.update({
      state: "connected",
      phase: "live",
      message: "Connected",
      statusCode: undefined,
      retryAt: undefined,
      firstFrameAt: Date.now(),
      remoteSize: { width: display.getWidth(), height: display.getHeight() },
    });
    this.rescale();
    // The pane may have changed size while connecting.
    this.sendSize();
    if (this.wantedFontSize !== undefined && this.wantedFontSize !== session.serverFontSize) this.sendFontSize(session, this.wantedFontSize);
  }

  private outcomeOfError(session: Session, code: number): Outcome {
    return outcomeOfError(code, {
      protocol: this.options.protocol,
      afterOpen: session.errorAfterOpen,
      desktopUnreachableBefore: this.desktopUnreachable,
    });
  }

  /** The end of a session: what the user sees next, and whether the viewer tries again by itself. */
  private settle(session: Session, outcome: Outcome): void {
    if (session.settled || this.session !== session) return;
    session.settled = true;
    clearTimeout(session.pictureTimer);
    this.endSession();
    this.react(outcome);
  }

  private react(outcome: Outcome): void {
    if (this.closed) return;
    this.desktopUnreachable = outcome.desktopUnreachable ? this.desktopUnreachable + 1 : 0;
    if (!reconnectsByItself(outcome.reaction)) {
      this.update({
        state: outcome.reaction === "ended" ? "disconnected" : "error",
        phase: "stopped",
        message: outcome.message,
        statusCode: outcome.code,
        retryAt: undefined,
        unstable: false,
      });
      return;
    }
    const delay = outcome.reaction === "retry-now" && this.failures === 0 ? 0 : reconnectDelayMs(this.failures);
    this.failures++;
    this.update({
      state: "reconnecting",
      phase: outcome.reaction === "wait" ? "waiting" : "backoff",
      message: outcome.message,
      statusCode: outcome.code,
      retryAt: Date.now() + delay,
      unstable: false,
    });
    this.retryTimer = setTimeout(() => void this.connect("reconnecting"), delay);
  }

  /** Detaches the current session, then disconnects it: its own callbacks no longer count. */
  private endSession(): void {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    session.settled = true;
    // Releases whatever is held, locally (the lab is told by the disconnect).
    this.keyboard.reset();
    this.heldLocally.clear();
    try {
      session.client.disconnect();
    } catch {
      // Already closed.
    }
  }

  private onKeyDown(keysym: number): boolean {
    const session = this.liveSession();
    // Not connected: the page keeps its keys (Tab moves on).
    if (!session) return true;
    const modifiers = this.keyboard.modifiers;
    if (isLeaveChord(keysym, modifiers)) {
      this.keyboard.reset();
      this.options.onLeave?.();
      return false;
    }
    if (isPasteShortcut(keysym, modifiers)) {
      this.heldLocally.add(keysym);
      return true;
    }
    session.client.sendKeyEvent(1, keysym);
    return false;
  }

  private onKeyUp(keysym: number): void {
    if (this.heldLocally.delete(keysym)) return;
    this.liveSession()?.client.sendKeyEvent(0, keysym);
  }

  private readonly onFocusOut = (event: FocusEvent) => {
    const next = event.relatedTarget;
    if (next instanceof Node && this.options.screen.contains(next)) return;
    // Keys held while focus leaves would otherwise stay down in the lab.
    this.keyboard.reset();
    this.heldLocally.clear();
  };

  private readonly onOnline = () => {
    // The network is back: no need to sit out the rest of the backoff.
    if (this.retryTimer !== undefined && this.snapshot.phase === "backoff") void this.connect("reconnecting");
  };

  private onPaneResize(width: number, height: number): void {
    this.paneWidth = width;
    this.paneHeight = height;
    if (width < 1 || height < 1) return;
    this.rescale();
    clearTimeout(this.resizeTimer);
    this.resizeTimer = setTimeout(() => this.sendSize(), resizeDebounceMs);
  }

  private rescale(): void {
    const display = this.session?.client.getDisplay();
    if (!display || this.paneWidth < 1 || this.paneHeight < 1) return;
    display.scale(fitScale(this.paneWidth, this.paneHeight, display.getWidth(), display.getHeight()));
  }

  private sendSize(): void {
    const session = this.liveSession();
    if (!session || this.paneWidth < 1 || this.paneHeight < 1) return;
    const size = deviceSizeOf(this.paneWidth, this.paneHeight, window.devicePixelRatio || 1);
    if (size.width === session.sentWidth && size.height === session.sentHeight) return;
    session.sentWidth = size.width;
    session.sentHeight = size.height;
    session.client.sendSize(size.width, size.height);
  }

  private sendFontSize(session: Session, size: number): void {
    writeText(this.options.guacamole, session.client.createArgumentValueStream("text/plain", "font-size"), String(size));
  }
}
