// What a browser may say when it opens the tunnel: the query string guacamole-common-js's
// WebSocketTunnel sends. Everything is bounded or allowlisted here; nothing else from the query is used.

export type ConnectQuery = {
  ticket: string;
  width: number;
  height: number;
  dpi: number;
  timezone: string | undefined;
  audio: string[];
  video: string[];
  image: string[];
};

export const displayBounds = {
  width: { min: 16, max: 8192, fallback: 1024 },
  height: { min: 16, max: 8192, fallback: 768 },
  dpi: { min: 48, max: 480, fallback: 96 },
} as const;

const maxMimetypesPerKind = 16;

// Media types guacamole-common-js can play or decode, with their usual parameters.
const allowedMimetypes = {
  audio: /^audio\/L(8|16)(;rate=\d{4,6},channels=[12])?$/,
  video: /^video\/(mp4|webm|ogg)(; ?codecs="[A-Za-z0-9., ]{1,64}")?$/,
  image: /^image\/(png|jpeg|webp|gif)$/,
} as const;

function clamp(raw: string | null, bounds: { min: number; max: number; fallback: number }): number {
  const value = raw !== null && /^\d{1,6}$/.test(raw) ? Number(raw) : bounds.fallback;
  return Math.min(bounds.max, Math.max(bounds.min, value));
}

// Asking ICU costs about half a millisecond; only names it accepted are kept, so this stays as small
// as the time zone database.
const knownTimezones = new Set<string>();

function validTimezone(raw: string | null): string | undefined {
  if (!raw || raw.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(raw)) return undefined;
  if (knownTimezones.has(raw)) return raw;
  try {
    new Intl.DateTimeFormat("en", { timeZone: raw });
  } catch {
    return undefined;
  }
  knownTimezones.add(raw);
  return raw;
}

function mimetypes(params: URLSearchParams, kind: keyof typeof allowedMimetypes): string[] {
  const accepted = params.getAll(kind).filter((type) => type.length <= 100 && allowedMimetypes[kind].test(type));
  return [...new Set(accepted)].slice(0, maxMimetypesPerKind);
}

/** Reads the tunnel's query; unusable values fall back to defaults rather than failing the connect. */
export function parseConnectQuery(search: string): ConnectQuery {
  const params = new URLSearchParams(search);
  return {
    ticket: params.get("ticket") ?? "",
    width: clamp(params.get("width"), displayBounds.width),
    height: clamp(params.get("height"), displayBounds.height),
    dpi: clamp(params.get("dpi"), displayBounds.dpi),
    timezone: validTimezone(params.get("timezone")),
    audio: mimetypes(params, "audio"),
    video: mimetypes(params, "video"),
    image: mimetypes(params, "image"),
  };
}
