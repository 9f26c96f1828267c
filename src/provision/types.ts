// The provisioner's public types: its states, events, options and status (provisioner.ts).

import type { Hal, LogLevel } from '../../hal/interfaces';
import type { FirmwareInfo } from '../blynk/config';
import type { BlynkDevice, DeviceOptions } from '../blynk/device';
import type { BlynkError } from '../errors';

export type ProvisionState = 'idle' | 'config-mode' | 'configuring' | 'joining' | 'connecting' | 'running' | 'stopped';

export interface ProvisionStateChange {
  from: ProvisionState;
  to: ProvisionState;
  reason: string;
  /** Edgent's last_error after this change (0: none). */
  lastError: number;
}

export interface ProvisionerEvents {
  state: ProvisionStateChange;
  /** A new BlynkDevice for a configuration; attach handlers here (also done by `setup`). */
  device: BlynkDevice;
  error: BlynkError;
}

export interface ProvisionerOptions {
  hal: Hal;
  templateId: string;
  /** The template's name: `board` in board_info.json and part of the AP name. */
  templateName: string;
  firmware?: FirmwareInfo;
  /** More BlynkDevice options (token, server, templateId and firmware come from here). */
  device?: Omit<DeviceOptions, 'hal' | 'token' | 'server' | 'templateId' | 'firmware'>;
  /** Called with each new BlynkDevice before it starts. */
  setup?: (device: BlynkDevice) => void;
  vendorPrefix?: string;
  httpPort?: number;
  captivePortal?: boolean;
  setupHost?: string;
  joinTimeoutMs?: number;
  /** Join attempts of a configuration not yet valid before last_error 701. Default 1 (Edgent). */
  joinTries?: number;
  joinRetryMs?: number;
  cloudTimeoutMs?: number;
  switchDelayMs?: number;
  maxRequestBytes?: number;
  requestTimeoutMs?: number;
  maxConnections?: number;
  storageKey?: string;
  logLevel?: LogLevel;
}

export interface ProvisionStatus {
  state: ProvisionState;
  lastError: number;
  apName: string;
  /** The HTTP server's port in config mode. */
  httpPort: number | undefined;
  configured: boolean;
  valid: boolean;
  ssid: string | undefined;
  host: string | undefined;
  /** ****last4 */
  token: string | undefined;
}
