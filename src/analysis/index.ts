// Pure analysis: plain data in, plain results out, no I/O (checked by the dependency rule).
export { parseTimeArg, TimeArgError } from './time-arg.js';
