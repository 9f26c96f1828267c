// XS engine globals the Moddable HAL uses (see the SDK's xs/includes/xs.d.ts; only what we need).

/** Writes to the debug console (xsbug, serial, or the simulator's stdout). No newline is added. */
declare function trace(...values: unknown[]): void;
