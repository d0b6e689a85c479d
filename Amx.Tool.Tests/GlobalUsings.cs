global using NUnit.Framework;
global using Amx.TestSupport;
global using Amx.Tool.Tests.Infrastructure;

// Fixtures run in parallel, two at a time (CI and dev machines have two cores); tests within a fixture run in order.
// Fixtures that change process-wide state (environment variables) are [NonParallelizable]. See docs/testing.md.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(2)]
