// Recycled buffers for the WebSocket frames the tunnel builds from guacd's reads. A frame buffer is
// owned by one tunnel while it collects an unfinished instruction, then by one socket write until
// that write's callback: only then may it be reused. Reusing them instead of allocating one per read
// keeps the relay from producing a stream of 64 KiB ArrayBuffers, which V8 counts toward its
// old-generation limit until a scavenge frees them: with the app's heap (Prisma, Next) that meant a
// full mark-compact for every ~24 MB relayed (docs/decisions/007-guacd-reads-into-reused-buffers.md).

/** The usual frame buffer: a header, an unfinished instruction's start and one whole read. */
export const frameBufferSize = 128 * 1024;

export class FrameBufferPool {
  private readonly free: Buffer[] = [];

  /** `maxFree` bounds what the pool keeps when traffic drops: the rest goes to the garbage collector. */
  constructor(private readonly maxFree = 64) {}

  /** A buffer of at least `size` bytes, of the usual size when that is enough. */
  take(size: number): Buffer {
    if (size <= frameBufferSize) return this.free.pop() ?? Buffer.allocUnsafeSlow(frameBufferSize);
    return Buffer.allocUnsafeSlow(nextPowerOfTwo(size));
  }

  /** Returns a buffer nothing references any more (its write has completed, or it was never written). */
  give(buffer: Buffer): void {
    if (buffer.length === frameBufferSize && this.free.length < this.maxFree) this.free.push(buffer);
  }

  /** Buffers waiting to be reused (for tests and metrics). */
  get freeCount(): number {
    return this.free.length;
  }
}

function nextPowerOfTwo(size: number): number {
  return 2 ** Math.ceil(Math.log2(size));
}

/** Shared by every tunnel of the process. */
export const frameBuffers = new FrameBufferPool();
