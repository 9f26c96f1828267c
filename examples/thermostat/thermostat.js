// The thermostat's own logic: a simulated room, heated towards a setpoint while the power switch
// is on. It imports nothing (no SDK, no runtime), so main.js wires it to Blynk and
// test/moddable/thermostat.test.ts runs it under Node as it is.

/** Lowest and highest setpoint accepted from the app (°C); anything else is clamped. */
export const SETPOINT_MIN = 5;
export const SETPOINT_MAX = 35;

// The model is deliberately simple: heating adds a fixed rate, otherwise the room drifts
// back to the outside temperature. Good enough to watch the switch and setpoint at work.
const HEAT_PER_SECOND = 0.05;
const LOSS_PER_SECOND = 0.01;

export class Thermostat {
  power = false;
  heating = false;
  temperature;
  setpoint;
  ambient;
  hysteresis;

  constructor({ temperature = 18, setpoint = 21, ambient = 16, hysteresis = 0.5 } = {}) {
    this.temperature = temperature;
    this.setpoint = setpoint;
    this.ambient = ambient;
    this.hysteresis = hysteresis;
  }

  /** Turns the thermostat on or off. True if that changed anything. */
  setPower(on) {
    if (on === this.power) return false;
    this.power = on;
    this.control();
    return true;
  }

  /** Sets the target (clamped). Returns the value used, or undefined for something not a number. */
  setSetpoint(value) {
    if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
    this.setpoint = Math.min(SETPOINT_MAX, Math.max(SETPOINT_MIN, value));
    this.control();
    return this.setpoint;
  }

  /** Advances the room by `seconds`. True if the heater switched on or off. */
  step(seconds) {
    if (this.heating) this.temperature += HEAT_PER_SECOND * seconds;
    else this.temperature += (this.ambient - this.temperature) * Math.min(1, LOSS_PER_SECOND * seconds);
    return this.control();
  }

  /** The temperature as published: one decimal. */
  get reading() {
    return Math.round(this.temperature * 10) / 10;
  }

  // Hysteresis keeps the heater from toggling on every reading near the setpoint.
  control() {
    const was = this.heating;
    if (!this.power) this.heating = false;
    else if (this.temperature < this.setpoint - this.hysteresis) this.heating = true;
    else if (this.temperature > this.setpoint + this.hysteresis) this.heating = false;
    return was !== this.heating;
  }
}
