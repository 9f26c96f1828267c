// The scenarios of the no-TextDecoder bundle (no-text-decoder-bundle.ts), by name.
import { noTextDecoder, utf8Downlink } from './utf8-downlink';

export const NO_TEXT_DECODER_SCENARIOS: Record<string, () => void> = {
  'no TextDecoder: the engine has none': noTextDecoder,
  'no TextDecoder: a leading U+FEFF stays in topics and values; malformed values become U+FFFD': utf8Downlink,
};
