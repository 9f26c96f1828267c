// Imported first by the no-TextDecoder bundle: removes TextDecoder before anything decodes (the
// runtime picks its decoder on first use), so the runtime takes the path of an engine without it.
delete (globalThis as Record<string, unknown>).TextDecoder;
