// A second XS scenario bundle: the downlink text scenarios on an engine without TextDecoder
// (xsnap has one; the device does not), so the decode path that does not use it runs in XS too.
// The first import removes it before anything decodes.
import './without-text-decoder';
import { NO_TEXT_DECODER_SCENARIOS } from './no-text-decoder';
import { installRunner } from './runner';

installRunner(NO_TEXT_DECODER_SCENARIOS);
