// The downlink stream of `npm run bench:node`, shared by the sender and the receivers' checks.

export const NAMES = ['Power', 'Temperature', 'Humidity', 'Set Temperature', 'Mode', 'Brightness', 'Color', 'Terminal'];

/** The value of message `i`: short numbers like real datastreams, some text. */
export function valueOf(i: number): string {
  const name = NAMES[i % NAMES.length]!;
  return name === 'Terminal' ? `line ${i % 1000}` : String(((i * 37) % 1000) / 10);
}
