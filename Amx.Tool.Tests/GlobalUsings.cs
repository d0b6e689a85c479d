global using NUnit.Framework;
global using Amx.Tool.Tests.Infrastructure;
