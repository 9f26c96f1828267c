// Types of thermostat.js, for the Node tests (test/moddable/thermostat.test.ts).
export declare const SETPOINT_MIN: number;
export declare const SETPOINT_MAX: number;

export interface ThermostatOptions {
  temperature?: number;
  setpoint?: number;
  ambient?: number;
  hysteresis?: number;
}

export declare class Thermostat {
  power: boolean;
  heating: boolean;
  temperature: number;
  setpoint: number;
  ambient: number;
  hysteresis: number;
  constructor(options?: ThermostatOptions);
  setPower(on: boolean): boolean;
  setSetpoint(value: number): number | undefined;
  step(seconds: number): boolean;
  readonly reading: number;
  control(): boolean;
}
