// Text over Guacamole streams (clipboard, argv) as real UTF-8. guacamole-common-js's StringWriter
// encodes each UTF-16 unit on its own (an emoji becomes two invalid 3-byte sequences) and its
// StringReader builds characters above U+FFFF with String.fromCharCode: both break astral text, so
// the viewer encodes and decodes itself, with a streaming decoder across blobs.
import type * as GuacamoleModule from "guacamole-common-js";

type Guacamole = typeof GuacamoleModule;

/** Writes `text` to `stream` as UTF-8 blobs, then ends the stream. */
export function writeText(guacamole: Guacamole, stream: GuacamoleModule.OutputStream, text: string): void {
  const writer = new guacamole.ArrayBufferWriter(stream);
  writer.sendData(new TextEncoder().encode(text));
  writer.sendEnd();
}

/** Reads `stream` to its end as UTF-8 (a character split between blobs stays whole). */
export function readText(guacamole: Guacamole, stream: GuacamoleModule.InputStream, done: (text: string) => void): void {
  const reader = new guacamole.ArrayBufferReader(stream);
  const decoder = new TextDecoder("utf-8");
  let text = "";
  reader.ondata = (buffer) => {
    text += decoder.decode(buffer, { stream: true });
  };
  reader.onend = () => {
    text += decoder.decode();
    done(text);
  };
}
