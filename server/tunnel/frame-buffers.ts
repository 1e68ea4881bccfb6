// Recycled buffers for the WebSocket frames the tunnel builds from guacd's reads. A frame buffer is
// owned by one stream until its write's callback: only then may it be reused. Reusing them instead of
// allocating one per read keeps the relay from producing a stream of ArrayBuffers (up to 256 KiB each),
// which V8 counts toward its old-generation limit until a scavenge frees them: with the app's heap
// (Prisma, Next) that meant a full mark-compact for every ~24 MB relayed
// (docs/decisions/007-guacd-reads-into-reused-buffers.md).
//
// Three sizes: small frames (keys echoed, terminal lines), medium ones and whole reads. A frame larger
// than all of them gets a buffer of its own. What a buffer costs a stream is its size, not its frame's: BrowserStream counts
// that toward backpressure, so a browser that stops reading holds about 1 MiB whatever the frames.

export type FrameBufferClass = { size: number; maxFree: number };

/**
 * 4 KiB for small frames; 64 KiB for medium ones (a picture, a screenful of text); 272 KiB for a
 * header, an unfinished instruction's start of up to about 16 KiB and a whole 256 KiB read (a frame
 * with a longer start gets a buffer of its own).
 */
export const frameBufferClasses: readonly FrameBufferClass[] = [
  { size: 4 * 1024, maxFree: 256 },
  { size: 64 * 1024, maxFree: 32 },
  { size: 272 * 1024, maxFree: 16 },
];

export class FrameBufferPool {
  private readonly classes: { size: number; maxFree: number; free: Buffer[] }[];

  /** `maxFree` bounds what each class keeps when traffic drops: the rest goes to the garbage collector. */
  constructor(classes: readonly FrameBufferClass[] = frameBufferClasses) {
    this.classes = [...classes].sort((a, b) => a.size - b.size).map((c) => ({ ...c, free: [] }));
  }

  /** A buffer of at least `size` bytes: the smallest class it fits in, else one of exactly `size`. */
  take(size: number): Buffer {
    for (const sizeClass of this.classes) {
      if (size <= sizeClass.size) return sizeClass.free.pop() ?? Buffer.allocUnsafeSlow(sizeClass.size);
    }
    return Buffer.allocUnsafeSlow(size);
  }

  /** Returns a buffer nothing references any more (its write has completed, or it was never written). */
  give(buffer: Buffer): void {
    const sizeClass = this.classes.find((c) => c.size === buffer.length);
    if (sizeClass && sizeClass.free.length < sizeClass.maxFree) sizeClass.free.push(buffer);
  }

  /** Buffers waiting to be reused (for tests and metrics). */
  get freeCount(): number {
    return this.classes.reduce((sum, c) => sum + c.free.length, 0);
  }
}

/** Shared by every tunnel of the process. */
export const frameBuffers = new FrameBufferPool();
