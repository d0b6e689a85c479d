global using NUnit.Framework;
global using Amx.TestSupport;
global using Amx.Tool.Tests.Infrastructure;

// Fixtures run in parallel, three at a time, tests within a fixture in order. Most of a test's time is spent waiting
// for amx processes and the servers, so a third worker keeps two cores busy (docs/testing.md has the figures).
// Nothing in a fixture may change process-wide state: in-process amx and store calls take their home, user and
// variables from AmxCli.AmxEnv, never from Environment. A fixture that must is [NonParallelizable], with the reason.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(3)]
