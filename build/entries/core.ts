// The portable core on its own.
export * from '../../src/index';
