/**
 * Kernels as the built package embeds them (kernels.embedded.ts,
 * threaded-kernels.embedded.ts): deflated by zopfli (a slower, tighter
 * deflate) in scripts/bundles.ts, then base64. Base64 adds a third, which the page's gzip takes back on bytes it cannot shrink
 * itself, so the kernels cost about their deflated size on the wire:
 * build/wasmlp.wasm is 21 kB, 7.3 kB so embedded (7.7 kB deflated by zlib at
 * level 9). DecompressionStream is in every current browser and Node >= 18;
 * atob in both.
 */
export async function unpackEmbeddedWasm(base64: string): Promise<Uint8Array> {
  const binary = atob(base64);
  const deflated = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) deflated[i] = binary.charCodeAt(i);
  const inflated = new Blob([deflated]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(inflated).arrayBuffer());
}
