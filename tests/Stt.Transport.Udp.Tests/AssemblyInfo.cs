using Xunit.Sdk;
using Xunit.v3;

// The transport's metrics come from one static Meter, so tests that assert exact counts must not overlap; running them
// one at a time also keeps the socket tests from competing for the machine's two cores.
[assembly: Parallelization(Mode = ParallelMode.None)]
