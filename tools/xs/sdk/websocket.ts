// Stand-in for Moddable's "websocket" module: the SDK client imports it; the bench uses TCP.
export class Client {
  constructor(_options: unknown) {
    throw new Error('websocket: not in this bench');
  }
}
