// bench:stack's probe (tools/bench/stack-paths.ts; a tool, never shipped): the XS stack in use,
// in slots, at the moment of the call. The simulator's instruments give only the peak of each
// second; this gives the depth at a named point, so the deepest path can be named.
#include "xsAll.h"
#include "xs.h"

void xs_stackprobe_depth(xsMachine *the)
{
	txMachine *m = (txMachine *)the;
	xsResult = xsInteger((txInteger)(m->stackTop - m->stack));
}
