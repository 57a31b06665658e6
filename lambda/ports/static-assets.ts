/** One file of the web UI: its bytes and the Content-Type it is served with. */
export interface StaticAsset {
  body: Uint8Array;
  contentType: string;
}

/**
 * The built web UI's files, as the host provides them (a directory on the Node host, the files bundled
 * beside the Lambda's code). The core asks for a relative path it has already checked ("index.html",
 * "assets/main-3FZ2.js"); null = no such file. Implementations still refuse anything outside their root.
 */
export interface StaticAssets {
  get(path: string): Promise<StaticAsset | null>;
}
