using Amx.Tool;
using Amx.Tool.Hosting;

StartupWarmup.Start(args);
return await AmxApp.RunAsync(args);
