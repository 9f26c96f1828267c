// The classic "wifi" module and the ECMA-419 "embedded:network/interface/wifi".
export class FakeWiFiClassic {
  static instances: FakeWiFiClassic[] = [];
  static connects: ({ ssid: string; password?: string } | undefined)[] = [];
  static throwOnCreate: string | undefined;
  closed = false;

  constructor(
    readonly options: undefined,
    readonly callback: (message: string, reason?: number) => void,
  ) {
    if (FakeWiFiClassic.throwOnCreate) throw new Error(FakeWiFiClassic.throwOnCreate);
    FakeWiFiClassic.instances.push(this);
  }

  static connect(options?: { ssid: string; password?: string }): void {
    FakeWiFiClassic.connects.push(options);
  }

  close(): void {
    this.closed = true;
  }

  static reset(): void {
    FakeWiFiClassic.instances = [];
    FakeWiFiClassic.connects = [];
    FakeWiFiClassic.throwOnCreate = undefined;
  }
}

export class FakeWiFi419 {
  static instances: FakeWiFi419[] = [];
  static initial = 500;
  connection: number;
  readonly connects: { SSID: string; password?: string }[] = [];
  connecting = false;
  closed = false;
  private readonly onChanged?: (property: string) => void;

  constructor(options: { onChanged?: (property: string) => void }) {
    this.onChanged = options.onChanged;
    this.connection = FakeWiFi419.initial;
    FakeWiFi419.instances.push(this);
  }

  connect(options: { SSID: string; password?: string }): void {
    if (this.connecting) throw new Error('already connecting');
    this.connects.push(options);
    this.connecting = true;
  }

  close(): void {
    this.closed = true;
  }

  /** The driver reports a change (called with `this` = the instance, like the SDK). */
  change(connection: number): void {
    this.connection = connection;
    if (connection !== 300) this.connecting = false;
    this.onChanged?.call(this, 'connection');
  }

  static reset(): void {
    FakeWiFi419.instances = [];
    FakeWiFi419.initial = 500;
  }
}
