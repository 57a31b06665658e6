/**
 * A request body whose host can tell that the client went away before it was answered (the Node host: the
 * connection closed). An upload waiting for a part buffer reads nothing meanwhile, so it cannot notice a
 * closed connection through the body itself: it watches `abandoned` instead and gives its place up.
 */
export interface AbandonableBody extends AsyncIterable<Uint8Array> {
  readonly abandoned?: AbortSignal;
}

/** The body's signal that its client went away, when its host gives one. */
export function abandonedSignal(body: AsyncIterable<Uint8Array> | undefined): AbortSignal | undefined {
  return (body as AbandonableBody | undefined)?.abandoned;
}
