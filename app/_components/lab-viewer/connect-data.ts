// The query string the tunnel reads (server/tunnel/connect-query.ts): the ticket, the pane's size in
// device pixels, its DPI, the timezone and what this browser can play. Pure.

export type ConnectDataOptions = {
  ticket: string;
  /** The pane's content box in CSS pixels. */
  cssWidth: number;
  cssHeight: number;
  devicePixelRatio: number;
  timezone: string | undefined;
  audio: readonly string[];
  video: readonly string[];
  image: readonly string[];
};

export type DeviceSize = { width: number; height: number; dpi: number };

/**
 * The remote display matches the pane pixel for pixel on this screen: CSS size times the device pixel
 * ratio, DPI 96 per CSS pixel. The display is then scaled back by 1/ratio, which keeps it crisp.
 */
export function deviceSizeOf(cssWidth: number, cssHeight: number, devicePixelRatio: number): DeviceSize {
  const ratio = Number.isFinite(devicePixelRatio) && devicePixelRatio > 0 ? devicePixelRatio : 1;
  return {
    width: Math.max(16, Math.floor(cssWidth * ratio)),
    height: Math.max(16, Math.floor(cssHeight * ratio)),
    dpi: Math.round(96 * ratio),
  };
}

export function connectData(options: ConnectDataOptions): string {
  const size = deviceSizeOf(options.cssWidth, options.cssHeight, options.devicePixelRatio);
  const params = new URLSearchParams();
  params.set("ticket", options.ticket);
  params.set("width", String(size.width));
  params.set("height", String(size.height));
  params.set("dpi", String(size.dpi));
  if (options.timezone) params.set("timezone", options.timezone);
  for (const type of options.audio) params.append("audio", type);
  for (const type of options.video) params.append("video", type);
  for (const type of options.image) params.append("image", type);
  return params.toString();
}

/** The scale that fits a remote display of width x height into the pane, keeping its aspect. */
export function fitScale(paneWidth: number, paneHeight: number, displayWidth: number, displayHeight: number): number {
  if (displayWidth <= 0 || displayHeight <= 0 || paneWidth <= 0 || paneHeight <= 0) return 1;
  return Math.min(paneWidth / displayWidth, paneHeight / displayHeight);
}
