// What the bench modules expect as globals (the fake broker's codec uses TextDecoder and
// TextEncoder): the SDK's modules, installed before the bench modules load.
import TextDecoder from "text/decoder";
import TextEncoder from "text/encoder";

globalThis.TextDecoder = TextDecoder;
globalThis.TextEncoder = TextEncoder;
