/**
 * Reads a stream whole if it holds at most `limit` bytes; null (the stream ended early, releasing its
 * connection) when it holds more: a config read for display never buffers a large blob.
 */
export async function readAtMost(stream: AsyncIterable<Uint8Array>, limit: number): Promise<Uint8Array | null> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > limit) return null; // leaving the loop ends the stream (return())
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
