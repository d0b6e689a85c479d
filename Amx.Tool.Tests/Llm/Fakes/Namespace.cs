// The fake LLM server moved to Amx.TestSupport (shared with the benchmarks); this keeps existing
// 'using Amx.Tool.Tests.Llm.Fakes;' lines compiling.
namespace Amx.Tool.Tests.Llm.Fakes
{
    internal static class MovedToTestSupport;
}
