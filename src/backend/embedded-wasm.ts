/**
 * The kernels as the built package embeds them (scripts/bundles.ts):
 * deflated, then base64. build/wasmlp.wasm is ~25 KB; base64 of its raw
 * bytes gzips to ~16 KB on the wire, base64 of its deflated bytes to ~13 KB
 * (base64 adds 33%, which gzip takes back only on bytes it cannot shrink
 * itself). DecompressionStream is in every current browser and Node >= 18;
 * atob in both.
 */
export async function unpackEmbeddedWasm(base64: string): Promise<Uint8Array> {
  const binary = atob(base64);
  const deflated = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) deflated[i] = binary.charCodeAt(i);
  const inflated = new Blob([deflated]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(inflated).arrayBuffer());
}
