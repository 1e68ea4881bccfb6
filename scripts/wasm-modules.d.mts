export const wasmSources: readonly string[];
export function assembleWat(path: string): Promise<Buffer>;
